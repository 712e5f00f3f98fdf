import Foundation

/// Inference-mode batch normalisation with running statistics, NHWC.
///
/// Concretely (PyTorch `BatchNorm2d.eval()`): y = (x − mean[c]) / √(var[c] + eps) · γ[c] + β[c].
/// Layouts: x, y (rows, C) — any NHWC tensor viewed as rows of C channels; statistics (C).
public func batchNormInferenceForward(
    x: UnsafePointer<Float>, rows: Int, channels: Int,
    gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, mean: UnsafePointer<Float>, variance: UnsafePointer<Float>,
    eps: Float, activation: Activation = .identity, y: UnsafeMutablePointer<Float>
) {
    for r in 0..<rows {
        for c in 0..<channels {
            let v = (x[r * channels + c] - mean[c]) / (variance[c] + eps).squareRoot() * gamma[c] + beta[c]
            y[r * channels + c] = activation(v)
        }
    }
}

/// Folds inference-mode batch normalisation into the preceding conv: returns (w′, b′) with
/// w′[o,…] = w[o,…] · s[o] and b′[o] = β[o] + (b[o] − mean[o]) · s[o], where s = γ / √(var + eps).
///
/// `weight` holds `outChannels` rows of equal length in any layout whose outermost index is the output
/// channel (O,kh,kw,I) or the channel-last depthwise layout (kh,kw,C) when `channelLast` is true.
/// Computed in Double so that folding adds no more than one rounding per value.
public func foldBatchNorm(
    weight: [Float], bias: [Float]?, outChannels: Int, channelLast: Bool = false,
    gamma: [Float], beta: [Float], mean: [Float], variance: [Float], eps: Double
) -> (weight: [Float], bias: [Float]) {
    precondition([gamma.count, beta.count, mean.count, variance.count].allSatisfy { $0 == outChannels })
    precondition(weight.count % outChannels == 0)
    let scale = (0..<outChannels).map { Double(gamma[$0]) / (Double(variance[$0]) + eps).squareRoot() }
    let perChannel = weight.count / outChannels
    var w = weight
    for i in 0..<w.count {
        let o = channelLast ? i % outChannels : i / perChannel
        w[i] = Float(Double(weight[i]) * scale[o])
    }
    let b = (0..<outChannels).map { o in
        Float(Double(beta[o]) + (Double(bias?[o] ?? 0) - Double(mean[o])) * scale[o])
    }
    return (w, b)
}

/// Training-mode batch normalisation: normalises with the batch's own statistics and returns them.
///
/// Concretely: μ[c] = mean over rows of x[·,c]; σ²[c] = mean of (x − μ)² (biased); y = (x − μ)/√(σ² + eps)·γ + β,
/// then `activation`. Layouts: x, y (rows, C); γ, β, batchMean, batchVariance (C). Statistics in Double.
public func batchNormTrainingForward(
    x: UnsafePointer<Float>, rows: Int, channels: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
    eps: Float, activation: Activation = .identity, y: UnsafeMutablePointer<Float>,
    batchMean: UnsafeMutablePointer<Float>, batchVariance: UnsafeMutablePointer<Float>
) {
    var sum = [Double](repeating: 0, count: channels)
    for r in 0..<rows { for c in 0..<channels { sum[c] += Double(x[r * channels + c]) } }
    let mean = sum.map { $0 / Double(rows) }
    var squares = [Double](repeating: 0, count: channels)
    for r in 0..<rows { for c in 0..<channels { let d = Double(x[r * channels + c]) - mean[c]; squares[c] += d * d } }
    for c in 0..<channels {
        batchMean[c] = Float(mean[c])
        batchVariance[c] = Float(squares[c] / Double(rows))
    }
    batchNormInferenceForward(x: x, rows: rows, channels: channels, gamma: gamma, beta: beta, mean: batchMean,
                              variance: batchVariance, eps: eps, activation: activation, y: y)
}
