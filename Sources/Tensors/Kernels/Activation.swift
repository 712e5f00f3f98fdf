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
    /// The formulas live in the `ActivationFunction` types, which kernels specialise on.
    @inlinable
    public func apply(_ x: SIMD8<Float>) -> SIMD8<Float> {
        switch self {
        case .identity: return x
        case .relu: return ReLUFunction.apply(x)
        case .relu6: return ReLU6Function.apply(x)
        case .hswish: return HSwishFunction.apply(x)
        case .hsigmoid: return HSigmoidFunction.apply(x)
        case .sigmoid: return SigmoidFunction.apply(x)
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

    /// Applies the activation in place to `count` values at `x`, eight lanes at a time (the activation fixed at
    /// compile time), in blocks of eight split across threads.
    public func apply(_ x: UnsafeMutablePointer<Float>, count: Int) {
        if self == .identity { return }
        specialize(InPlaceActivation(x: x, count: count))
    }
}

private struct InPlaceActivation: ActivationSpecialized {
    let x: UnsafeMutablePointer<Float>, count: Int

    func run<A: ActivationFunction>(_: A.Type) {
        let (x, count) = (x, count)
        forEachElementRange(count) { range in
            var i = range.lowerBound
            while i + 8 <= range.upperBound { store8(A.apply(load8(x + i)), x + i); i += 8 }
            while i < range.upperBound { x[i] = A.apply(x[i]); i += 1 }
        }
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

// The SIMD8 formulas are written here, not forwarded to `Activation.apply`: that switch is too large to be
// inlined, and a call per vector inside the kernels' loops (measured 2% of a training step) defeats the point.

public enum ReLUFunction: ActivationFunction {
    @inlinable @inline(__always) public static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> { Activation.clampLow(x) }
    @inline(__always) public static func apply(_ x: Float) -> Float { Activation.relu(x) }
}

public enum ReLU6Function: ActivationFunction {
    @inlinable @inline(__always) public static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> { Activation.clamp6(x) }
    @inline(__always) public static func apply(_ x: Float) -> Float { Activation.relu6(x) }
}

public enum HSwishFunction: ActivationFunction {
    @inlinable @inline(__always) public static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> { x * Activation.clamp6(x + 3) / 6 }
    @inline(__always) public static func apply(_ x: Float) -> Float { Activation.hswish(x) }
}

public enum HSigmoidFunction: ActivationFunction {
    @inlinable @inline(__always) public static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> { Activation.clamp6(x + 3) / 6 }
    @inline(__always) public static func apply(_ x: Float) -> Float { Activation.hsigmoid(x) }
}

public enum SigmoidFunction: ActivationFunction {
    @inlinable @inline(__always) public static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> {
        var r = SIMD8<Float>()
        for i in 0..<8 { r[i] = 1 / (1 + Foundation.exp(-x[i])) }
        return r
    }
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

/// Writes `bias` (channels) into every row of y (rows, channels), rows split across threads: the start of a GEMM
/// that adds onto it.
func fillRows(_ y: UnsafeMutablePointer<Float>, rows: Int, channels: Int, with bias: UnsafePointer<Float>) {
    Parallelism.forEachChunk(rows, minChunk: Parallelism.minimumRows(ofLength: channels)) { range in
        for r in range { copy(bias, count: channels, into: y + r * channels) }
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
        Parallelism.forEachChunk(rows, minChunk: Parallelism.minimumRows(ofLength: channels)) { range in
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

// MARK: - Backward

// Two forms, matching what the forward must keep (DESIGN §3, STYLE 7): ReLU and ReLU6 need only a
// **1-bit mask** per element; h-swish, h-sigmoid and sigmoid need the stored **input**. Both accumulate
// (`+=`) into dx.

extension Activation {
    /// The derivative at input x, with PyTorch's choice at the kinks.
    ///
    /// Concretely: identity 1; relu 1 if x > 0; relu6 1 if 0 < x < 6 (`hardtanh_backward`);
    /// hswish 0 if x < −3, (2x + 3)/6 if −3 ≤ x ≤ 3, 1 if x > 3 (`hardswish_backward`);
    /// hsigmoid 1/6 if −3 < x < 3, else 0 (`hardsigmoid_backward`); sigmoid σ(x)·(1 − σ(x)). Else 0.
    @inlinable
    public func derivative(_ x: Float) -> Float {
        switch self {
        case .identity: return 1
        case .relu: return x > 0 ? 1 : 0
        case .relu6: return x > 0 && x < 6 ? 1 : 0
        case .hswish: return x < -3 ? 0 : (x <= 3 ? x / 3 + 0.5 : 1)
        case .hsigmoid: return x > -3 && x < 3 ? 1 / 6 : 0
        case .sigmoid:
            let s = 1 / (1 + Foundation.exp(-x))
            return s * (1 - s)
        }
    }

    /// The derivative of eight lanes at once (branch-free blends, as `apply`).
    @inlinable
    public func derivative(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let zero = SIMD8<Float>(repeating: 0)
        switch self {
        case .identity: return SIMD8(repeating: 1)
        case .relu: return zero.replacing(with: 1, where: x .> 0)
        case .relu6: return zero.replacing(with: 1, where: (x .> 0) .& (x .< 6))
        case .hswish:
            var r = x / 3 + 0.5
            r.replace(with: 0, where: x .< -3)
            r.replace(with: 1, where: x .> 3)
            return r
        case .hsigmoid: return zero.replacing(with: 1 / 6, where: (x .> -3) .& (x .< 3))
        case .sigmoid:
            var r = SIMD8<Float>()
            for i in 0..<8 { r[i] = derivative(x[i]) }
            return r
        }
    }

    /// True when a 1-bit mask of the forward values carries everything the backward needs (ReLU, ReLU6).
    public var backwardNeedsOnlyMask: Bool { self == .relu || self == .relu6 }
}

/// Gradient of `activation` from its stored input: dx[i] += f′(x[i]) · dy[i].
///
/// Concretely: see `Activation.derivative(_:)` (PyTorch's definitions). Layouts: x, dy, dx (count) — any
/// tensor flattened; dx must not alias x or dy.
public func activationBackward(
    _ activation: Activation, x: UnsafePointer<Float>, dy: UnsafePointer<Float>, count: Int,
    dx: UnsafeMutablePointer<Float>
) {
    Parallelism.forEachChunk(count, minChunk: Parallelism.minimumValuesPerThread) { range in
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            store8(load8(dx + i) + activation.derivative(load8(x + i)) * load8(dy + i), dx + i)
            i += 8
        }
        while i < range.upperBound { dx[i] += activation.derivative(x[i]) * dy[i]; i += 1 }
    }
}

/// `activationBackward` written over its own input (a gradient buffer shared by the activation's output and
/// input): g[i] = f′(x[i])·g[i], not accumulating. Layouts: x, g (count).
public func activationBackwardInPlace(_ activation: Activation, x: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, count: Int) {
    Parallelism.forEachChunk(count, minChunk: Parallelism.minimumValuesPerThread) { range in
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            store8(activation.derivative(load8(x + i)) * load8(g + i), g + i)
            i += 8
        }
        while i < range.upperBound { g[i] = activation.derivative(x[i]) * g[i]; i += 1 }
    }
}

/// Words of a 1-bit activation mask for `count` elements.
public func activationMaskWordCount(_ count: Int) -> Int { (count + 63) / 64 }

/// Packs the 1-bit backward mask of a ReLU or ReLU6: bit (i mod 64) of word i/64 is set where the
/// gradient passes (0 < v for ReLU, 0 < v < 6 for ReLU6), other bits of the last word are 0.
///
/// The predicate is the same for the input and the output of the activation (y > 0 ⇔ x > 0 and
/// 0 < y < 6 ⇔ 0 < x < 6), so the forward may pack it from either, e.g. from y just before y is freed.
/// Layouts: values (count); mask (`activationMaskWordCount(count)`) UInt64, overwritten. Memory: count/8 bytes.
public func activationMask(
    _ activation: Activation, values: UnsafePointer<Float>, count: Int, mask: UnsafeMutablePointer<UInt64>
) {
    precondition(activation.backwardNeedsOnlyMask, "activationMask: \(activation) needs its input for backward")
    let upper: Float = activation == .relu6 ? 6 : .infinity
    let bits = SIMD8<UInt32>(1, 2, 4, 8, 16, 32, 64, 128)
    let words = activationMaskWordCount(count)
    Parallelism.forEachChunk(words, minChunk: Parallelism.minimumValuesPerThread / 64) { range in
        for w in range {
            let base = w * 64
            var word: UInt64 = 0
            if base + 64 <= count {
                for j in 0..<8 {
                    let v = load8(values + base + 8 * j)
                    let lanes = SIMD8<UInt32>(repeating: 0).replacing(with: bits, where: (v .> 0) .& (v .< upper))
                    word |= UInt64(lanes.wrappedSum()) << UInt64(8 * j)
                }
            } else {
                for i in base..<count where values[i] > 0 && values[i] < upper { word |= 1 << UInt64(i - base) }
            }
            mask[w] = word
        }
    }
}

/// A ReLU or ReLU6 in place (`Activation.apply`) and its backward mask (`activationMask`) in one pass over the
/// values: the same values and words as the two calls, with one read of `values` instead of two.
/// Layouts: values (count), overwritten; mask (`activationMaskWordCount(count)`) UInt64, overwritten.
public func applyActivationWithMask(
    _ activation: Activation, values: UnsafeMutablePointer<Float>, count: Int, mask: UnsafeMutablePointer<UInt64>
) {
    precondition(activation.backwardNeedsOnlyMask, "applyActivationWithMask: \(activation) needs its input for backward")
    func run<A: ActivationFunction>(_: A.Type, upper: Float) {
        let bits = SIMD8<UInt32>(1, 2, 4, 8, 16, 32, 64, 128)
        Parallelism.forEachChunk(activationMaskWordCount(count), minChunk: Parallelism.minimumValuesPerThread / 64) { range in
            for w in range {
                let base = w * 64
                var word: UInt64 = 0
                if base + 64 <= count {
                    for j in 0..<8 {
                        let p = values + base + 8 * j, v = load8(p)
                        let lanes = SIMD8<UInt32>(repeating: 0).replacing(with: bits, where: (v .> 0) .& (v .< upper))
                        word |= UInt64(lanes.wrappedSum()) << UInt64(8 * j)
                        store8(A.apply(v), p)
                    }
                } else {
                    for i in base..<count {
                        if values[i] > 0 && values[i] < upper { word |= 1 << UInt64(i - base) }
                        values[i] = A.apply(values[i])
                    }
                }
                mask[w] = word
            }
        }
    }
    if activation == .relu6 { run(ReLU6Function.self, upper: 6) } else { run(ReLUFunction.self, upper: .infinity) }
}

/// Gradient of a ReLU or ReLU6 from its 1-bit mask: dx[i] += dy[i] where bit i is set.
///
/// Each byte of the mask selects one of 256 lane masks (all-ones or zero per lane) that is ANDed with the
/// bits of dy: exact, and a blocked gradient is +0 even when dy is infinite or NaN (as PyTorch's
/// `threshold_backward`). Layouts: dy, dx (count); mask as written by `activationMask`.
public func reluBackward(
    dy: UnsafePointer<Float>, mask: UnsafePointer<UInt64>, count: Int, dx: UnsafeMutablePointer<Float>
) {
    reluLaneMasks.withUnsafeBufferPointer { table in
        let lanes = table.baseAddress!
        Parallelism.forEachChunk(activationMaskWordCount(count), minChunk: Parallelism.minimumValuesPerThread / 64) { range in
            for w in range {
                let base = w * 64, word = mask[w]
                if base + 64 <= count {
                    for j in 0..<8 {
                        let i = base + 8 * j
                        let bits = UnsafeRawPointer(dy + i).loadUnaligned(as: SIMD8<UInt32>.self)
                            & lanes[Int(truncatingIfNeeded: word >> UInt64(8 * j)) & 0xFF]
                        store8(load8(dx + i) + unsafeBitCast(bits, to: SIMD8<Float>.self), dx + i)
                    }
                } else {
                    for i in base..<count where (word >> UInt64(i - base)) & 1 == 1 { dx[i] += dy[i] }
                }
            }
        }
    }
}

/// `reluBackward` written over its own input, for a gradient buffer the planner shares between an activation's
/// output and input: g[i] = g[i] where bit i is set, else +0 (not accumulating — the one exception to the
/// kernels' `+=` rule, used only when dx would otherwise be a fresh zeroed buffer). Layouts as `reluBackward`.
public func reluBackwardInPlace(_ g: UnsafeMutablePointer<Float>, mask: UnsafePointer<UInt64>, count: Int) {
    reluLaneMasks.withUnsafeBufferPointer { table in
        let lanes = table.baseAddress!
        Parallelism.forEachChunk(activationMaskWordCount(count), minChunk: Parallelism.minimumValuesPerThread / 64) { range in
            for w in range {
                let base = w * 64, word = mask[w]
                if base + 64 <= count {
                    for j in 0..<8 {
                        let i = base + 8 * j
                        let bits = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<UInt32>.self)
                            & lanes[Int(truncatingIfNeeded: word >> UInt64(8 * j)) & 0xFF]
                        store8(unsafeBitCast(bits, to: SIMD8<Float>.self), g + i)
                    }
                } else {
                    for i in base..<count where (word >> UInt64(i - base)) & 1 == 0 { g[i] = 0 }
                }
            }
        }
    }
}

/// Lane masks for `reluBackward`: entry b has lane j all-ones when bit j of b is set.
private let reluLaneMasks: [SIMD8<UInt32>] = (0..<256).map { b in
    var m = SIMD8<UInt32>()
    for j in 0..<8 where (b >> j) & 1 == 1 { m[j] = .max }
    return m
}
