import Foundation

/// A pointwise nonlinearity, fused into the epilogue of convs and linears or applied on its own.
///
/// Concretely (PyTorch and OFA definitions):
/// - `relu`: max(x, 0); `relu6`: min(max(x, 0), 6)
/// - `hswish`: x · relu6(x + 3) / 6; `hsigmoid`: relu6(x + 3) / 6
/// - `sigmoid`: 1 / (1 + e^(−x))
public enum Activation: String, Sendable, CaseIterable {
    case identity, relu, relu6, hswish, hsigmoid, sigmoid

    /// The activation of one value (the reference every vectorised path is checked against).
    @inlinable
    public func callAsFunction(_ x: Float) -> Float {
        switch self {
        case .identity: return x
        case .relu: return Swift.max(x, 0)
        case .relu6: return Swift.min(Swift.max(x, 0), 6)
        case .hswish: return x * Swift.min(Swift.max(x + 3, 0), 6) / 6
        case .hsigmoid: return Swift.min(Swift.max(x + 3, 0), 6) / 6
        case .sigmoid: return 1 / (1 + Foundation.exp(-x))
        }
    }

    /// The activation of eight lanes at once.
    ///
    /// Clamps use masked `replace(with:where:)`, which compiles to blends: the stdlib's `pointwiseMin`,
    /// `pointwiseMax` and `clamped` compile to per-lane branches here (measured 50x slower on random data).
    @inlinable
    public func apply(_ x: SIMD8<Float>) -> SIMD8<Float> {
        switch self {
        case .identity: return x
        case .relu: return Self.clampLow(x)
        case .relu6: return Self.clamp6(x)
        case .hswish: return x * Self.clamp6(x + 3) / 6
        case .hsigmoid: return Self.clamp6(x + 3) / 6
        case .sigmoid:
            var r = SIMD8<Float>()
            for i in 0..<8 { r[i] = 1 / (1 + Foundation.exp(-x[i])) }
            return r
        }
    }

    /// max(x, 0), branch-free.
    @inlinable @inline(__always)
    static func clampLow(_ x: SIMD8<Float>) -> SIMD8<Float> {
        var r = x
        r.replace(with: 0, where: r .< 0)
        return r
    }

    /// min(max(x, 0), 6), branch-free.
    @inlinable @inline(__always)
    static func clamp6(_ x: SIMD8<Float>) -> SIMD8<Float> {
        var r = x
        r.replace(with: 0, where: r .< 0)
        r.replace(with: 6, where: r .> 6)
        return r
    }

    /// Applies the activation in place to `count` values at `x`.
    public func apply(_ x: UnsafeMutablePointer<Float>, count: Int) {
        if self == .identity { return }
        var i = 0
        let raw = UnsafeMutableRawPointer(x)
        while i + 8 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            raw.storeBytes(of: apply(v), toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { x[i] = self(x[i]); i += 1 }
    }
}

/// An activation as a type, so that a kernel's inner loop is compiled once per activation instead of
/// switching per vector (a switch inside the depthwise loop measured 2x slower).
public protocol ActivationFunction {
    static func apply(_ x: SIMD8<Float>) -> SIMD8<Float>
    static func apply(_ x: Float) -> Float
}

public enum IdentityFunction: ActivationFunction {
    @inline(__always) public static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> { x }
    @inline(__always) public static func apply(_ x: Float) -> Float { x }
}

public enum ReLUFunction: ActivationFunction {
    @inline(__always) public static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> { Activation.relu.apply(x) }
    @inline(__always) public static func apply(_ x: Float) -> Float { Activation.relu(x) }
}

public enum ReLU6Function: ActivationFunction {
    @inline(__always) public static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> { Activation.relu6.apply(x) }
    @inline(__always) public static func apply(_ x: Float) -> Float { Activation.relu6(x) }
}

public enum HSwishFunction: ActivationFunction {
    @inline(__always) public static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> { Activation.hswish.apply(x) }
    @inline(__always) public static func apply(_ x: Float) -> Float { Activation.hswish(x) }
}

public enum HSigmoidFunction: ActivationFunction {
    @inline(__always) public static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> { Activation.hsigmoid.apply(x) }
    @inline(__always) public static func apply(_ x: Float) -> Float { Activation.hsigmoid(x) }
}

public enum SigmoidFunction: ActivationFunction {
    @inline(__always) public static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> { Activation.sigmoid.apply(x) }
    @inline(__always) public static func apply(_ x: Float) -> Float { Activation.sigmoid(x) }
}

/// Something to run with the activation fixed at compile time (see `Activation.specialize`).
public protocol ActivationSpecialized {
    func run<A: ActivationFunction>(_ activation: A.Type)
}

extension Activation {
    /// Runs `body` with this activation as a concrete type (one switch per call, none per element).
    @inline(__always)
    public func specialize<Body: ActivationSpecialized>(_ body: Body) {
        switch self {
        case .identity: body.run(IdentityFunction.self)
        case .relu: body.run(ReLUFunction.self)
        case .relu6: body.run(ReLU6Function.self)
        case .hswish: body.run(HSwishFunction.self)
        case .hsigmoid: body.run(HSigmoidFunction.self)
        case .sigmoid: body.run(SigmoidFunction.self)
        }
    }
}

/// Adds a per-channel bias (if any) and applies `activation` to rows of `channels` values.
///
/// y (rows, channels) is updated in place; bias has `channels` values. Rows are split across threads.
public func biasActivationForward(
    _ y: UnsafeMutablePointer<Float>, rows: Int, channels: Int,
    bias: UnsafePointer<Float>?, activation: Activation
) {
    if bias == nil && activation == .identity { return }
    activation.specialize(BiasActivation(y: y, rows: rows, channels: channels, bias: bias))
}

private struct BiasActivation: ActivationSpecialized {
    let y: UnsafeMutablePointer<Float>, rows: Int, channels: Int, bias: UnsafePointer<Float>?

    func run<A: ActivationFunction>(_: A.Type) {
        let (y, channels, bias) = (y, channels, bias)
        Parallelism.forEachChunk(rows, minChunk: Swift.max(1, 16384 / Swift.max(channels, 1))) { range in
            for r in range {
                let row = y + r * channels
                var c = 0
                if let bias {
                    while c + 8 <= channels { store8(A.apply(load8(row + c) + load8(bias + c)), row + c); c += 8 }
                    while c < channels { row[c] = A.apply(row[c] + bias[c]); c += 1 }
                } else {
                    while c + 8 <= channels { store8(A.apply(load8(row + c)), row + c); c += 8 }
                    while c < channels { row[c] = A.apply(row[c]); c += 1 }
                }
            }
        }
    }
}
