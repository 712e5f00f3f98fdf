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
    @inlinable
    public func apply(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let zero = SIMD8<Float>(repeating: 0), six = SIMD8<Float>(repeating: 6)
        switch self {
        case .identity: return x
        case .relu: return pointwiseMax(x, zero)
        case .relu6: return pointwiseMin(pointwiseMax(x, zero), six)
        case .hswish: return x * pointwiseMin(pointwiseMax(x + 3, zero), six) / 6
        case .hsigmoid: return pointwiseMin(pointwiseMax(x + 3, zero), six) / 6
        case .sigmoid:
            var r = SIMD8<Float>()
            for i in 0..<8 { r[i] = 1 / (1 + Foundation.exp(-x[i])) }
            return r
        }
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

/// Adds a per-channel bias (if any) and applies `activation` to rows of `channels` values.
///
/// y (rows, channels) is updated in place; bias has `channels` values. Rows are split across threads.
public func biasActivationForward(
    _ y: UnsafeMutablePointer<Float>, rows: Int, channels: Int,
    bias: UnsafePointer<Float>?, activation: Activation
) {
    if bias == nil && activation == .identity { return }
    Parallelism.forEachChunk(rows, minChunk: Swift.max(1, 16384 / Swift.max(channels, 1))) { range in
        for r in range {
            let row = y + r * channels
            if let bias {
                var c = 0
                let raw = UnsafeMutableRawPointer(row), braw = UnsafeRawPointer(bias)
                while c + 8 <= channels {
                    let v = raw.loadUnaligned(fromByteOffset: c * 4, as: SIMD8<Float>.self)
                        + braw.loadUnaligned(fromByteOffset: c * 4, as: SIMD8<Float>.self)
                    raw.storeBytes(of: activation.apply(v), toByteOffset: c * 4, as: SIMD8<Float>.self)
                    c += 8
                }
                while c < channels { row[c] = activation(row[c] + bias[c]); c += 1 }
            } else {
                activation.apply(row, count: channels)
            }
        }
    }
}
