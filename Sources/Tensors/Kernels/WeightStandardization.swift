import Foundation

/// Weight standardisation (`MyConv2d` of the `ofa` package, TinyTL's GN + WS setting), per output channel.
///
/// Concretely, for output channel o over its K = (I/groups)·kh·kw weights w:
/// μ = mean(w), d = w − μ, s = √(Σ d² / (K − 1)) (the **unbiased** standard deviation, as `torch.std`),
/// w′ = d / (s + eps) (eps added to the deviation, not the variance). Statistics in Double.
///
/// Layouts: `channelLast` false: row o holds channel o's K weights (our conv layout (O, kh, kw, I/g));
/// true: weight k of channel o sits at k·O + o (our depthwise layout (kh, kw, C)). `w` and `out` may be the
/// same buffer. Precondition: K ≥ 2.
/// ### References
/// Qiao et al., "Micro-Batch Training with Batch-Channel Normalization and Weight Standardization", 2019,
/// <https://arxiv.org/abs/1903.10520>.
public func weightStandardizeForward(_ w: UnsafePointer<Float>, outChannels: Int, perChannel k: Int, channelLast: Bool,
                                     eps: Float, out: UnsafeMutablePointer<Float>) {
    precondition(k >= 2, "weight standardisation needs at least 2 weights per channel")
    for o in 0..<outChannels {
        let (base, stride) = channelLast ? (o, outChannels) : (o * k, 1)
        let (mean, deviation) = channelStatistics(w, base: base, stride: stride, count: k)
        let m = Float(mean), q = Float(1 / (deviation + Double(eps)))
        for j in 0..<k { out[base + j * stride] = (w[base + j * stride] - m) * q }
    }
}

// MARK: - Backward (accumulates; the caller zeroes)

/// Gradient of `weightStandardizeForward`: dw += J^T·dw′.
///
/// Concretely, per channel with d, s and q = 1/(s + eps) as the forward and g = dL/dw′:
/// dw_j += q·(g_j − mean(g)) − q²·d_j·(Σ_i g_i·d_i) / (s·(K − 1))   (the last term is 0 when s = 0).
/// Layouts as the forward; `w` is the raw weight. Sums in Double.
public func weightStandardizeBackward(_ w: UnsafePointer<Float>, dOut: UnsafePointer<Float>, outChannels: Int, perChannel k: Int,
                                      channelLast: Bool, eps: Float, dw: UnsafeMutablePointer<Float>) {
    precondition(k >= 2, "weight standardisation needs at least 2 weights per channel")
    for o in 0..<outChannels {
        let (base, stride) = channelLast ? (o, outChannels) : (o * k, 1)
        let (mean, s) = channelStatistics(w, base: base, stride: stride, count: k)
        let q = 1 / (s + Double(eps))
        var sumG = 0.0, sumGD = 0.0
        for j in 0..<k {
            let g = Double(dOut[base + j * stride])
            sumG += g; sumGD += g * (Double(w[base + j * stride]) - mean)
        }
        let meanG = sumG / Double(k), term = s > 0 ? q * q * sumGD / (s * Double(k - 1)) : 0
        for j in 0..<k {
            let i = base + j * stride
            dw[i] += Float(q * (Double(dOut[i]) - meanG) - term * (Double(w[i]) - mean))
        }
    }
}

/// Mean and unbiased standard deviation of `count` values at base + j·stride, in Double.
private func channelStatistics(_ w: UnsafePointer<Float>, base: Int, stride: Int, count k: Int) -> (mean: Double, deviation: Double) {
    var sum = 0.0
    for j in 0..<k { sum += Double(w[base + j * stride]) }
    let mean = sum / Double(k)
    var squares = 0.0
    for j in 0..<k { let d = Double(w[base + j * stride]) - mean; squares += d * d }
    return (mean, (squares / Double(k - 1)).squareRoot())
}
