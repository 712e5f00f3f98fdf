import Foundation

/// Inference-mode batch normalisation with running statistics, NHWC.
///
/// Concretely (PyTorch `BatchNorm2d.eval()`): y = (x − mean[c]) / √(var[c] + eps) · γ[c] + β[c].
/// Layouts: x, y (rows, C) — any NHWC tensor viewed as rows of C channels; statistics (C). Eight channels at a
/// time with the same operations in the same order as ``batchNormInferenceForwardReference`` (so bit-identical);
/// rows are split across threads. Memory: C floats of temporaries.
public func batchNormInferenceForward(
    x: UnsafePointer<Float>, rows: Int, channels: Int,
    gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, mean: UnsafePointer<Float>, variance: UnsafePointer<Float>,
    eps: Float, activation: Activation = .identity, y: UnsafeMutablePointer<Float>
) {
    let deviation = (0..<channels).map { (variance[$0] + eps).squareRoot() }
    deviation.withUnsafeBufferPointer { sd in
        activation.specialize(BatchNormRows(x: x, rows: rows, channels: channels, gamma: gamma, beta: beta, mean: mean,
                                            deviation: sd.baseAddress!, y: y))
    }
}

private struct BatchNormRows: ActivationSpecialized {
    let x: UnsafePointer<Float>, rows: Int, channels: Int
    let gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, mean: UnsafePointer<Float>, deviation: UnsafePointer<Float>
    let y: UnsafeMutablePointer<Float>

    func run<A: ActivationFunction>(_: A.Type) {
        let (x, channels, gamma, beta, mean, sd, y) = (x, channels, gamma, beta, mean, deviation, y)
        Parallelism.forEachChunk(rows, minChunk: Parallelism.minimumRows(ofLength: channels)) { range in
            for r in range {
                let xr = x + r * channels, yr = y + r * channels
                var c = 0
                while c + 8 <= channels {
                    let v = (load8(xr + c) - load8(mean + c)) / load8(sd + c) * load8(gamma + c) + load8(beta + c)
                    store8(A.apply(v), yr + c)
                    c += 8
                }
                while c < channels { yr[c] = A.apply((xr[c] - mean[c]) / sd[c] * gamma[c] + beta[c]); c += 1 }
            }
        }
    }
}

/// Plain loop with the contract of `batchNormInferenceForward` (the oracle of the tests).
public func batchNormInferenceForwardReference(
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

// MARK: - Backward

// Every kernel **accumulates** (`+=`); `dy` is the gradient of the normalised output before any fused
// activation. Statistics are recomputed from x.

/// Gradient of a per-channel affine map y = a[c]·x + b[c]: a frozen (folded) batch norm, or any BN whose
/// statistics are fixed, seen as the affine it is.
///
/// Concretely: dx += a[c]·dy; da[c] += Σ_r dy·x; db[c] += Σ_r dy (TinyTL trains the shift alone).
/// Layouts: dy, x, dx (rows, C); a, da, db (C). Pass nil for a gradient that is not needed; `x` is read only
/// for `dscale`. Rows are split across threads (the sums as `channelTotals`).
public func channelAffineBackward(
    dy: UnsafePointer<Float>, x: UnsafePointer<Float>?, rows: Int, channels: Int, scale: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>?, dscale: UnsafeMutablePointer<Float>?, dshift: UnsafeMutablePointer<Float>?
) {
    if let dx {
        Parallelism.forEachChunk(rows, minChunk: Parallelism.minimumRows(ofLength: channels)) { range in
            for r in range {
                let g = dy + r * channels, d = dx + r * channels
                var c = 0
                while c + 8 <= channels { store8(load8(d + c) + load8(scale + c) * load8(g + c), d + c); c += 8 }
                while c < channels { d[c] += scale[c] * g[c]; c += 1 }
            }
        }
    }
    if let dscale {
        guard let x else { preconditionFailure("channelAffineBackward: dscale needs x") }
        let totals = channelTotals(rows: rows, channels: channels) { part, r in
            addProductsInPlace(part, dy + r * channels, x + r * channels, count: channels)
        }
        for c in 0..<channels { dscale[c] += Float(totals[c]) }
    }
    if let dshift { channelSums(dy, rows: rows, channels: channels, into: dshift, accumulate: true) }
}

/// Gradient of inference-mode batch normalisation (`batchNormInferenceForward`): fixed statistics.
///
/// Concretely, with s[c] = γ[c]/√(var[c] + eps) and x̂ = (x − mean)/√(var + eps):
/// dx += s·dy; dγ[c] += Σ_r dy·x̂; dβ[c] += Σ_r dy.
/// Layouts: dy, x, dx (rows, C); γ, mean, var, dγ, dβ (C). `x` is read only for `dgamma`.
/// Rows are split across threads (the sums as `channelTotals`).
public func batchNormInferenceBackward(
    dy: UnsafePointer<Float>, x: UnsafePointer<Float>?, rows: Int, channels: Int,
    gamma: UnsafePointer<Float>, mean: UnsafePointer<Float>, variance: UnsafePointer<Float>, eps: Float,
    dx: UnsafeMutablePointer<Float>?, dgamma: UnsafeMutablePointer<Float>?, dbeta: UnsafeMutablePointer<Float>?
) {
    let inv = (0..<channels).map { 1 / (Double(variance[$0]) + Double(eps)).squareRoot() }
    if let dx {
        let scale = (0..<channels).map { Float(Double(gamma[$0]) * inv[$0]) }
        channelAffineBackward(dy: dy, x: nil, rows: rows, channels: channels, scale: scale, dx: dx, dscale: nil, dshift: nil)
    }
    if let dgamma {
        guard let x else { preconditionFailure("batchNormInferenceBackward: dgamma needs x") }
        let totals = channelTotals(rows: rows, channels: channels) { part, r in
            let g = dy + r * channels, v = x + r * channels
            var c = 0
            while c + 8 <= channels { store8(load8(part + c) + load8(g + c) * (load8(v + c) - load8(mean + c)), part + c); c += 8 }
            while c < channels { part[c] += g[c] * (v[c] - mean[c]); c += 1 }
        }
        for c in 0..<channels { dgamma[c] += Float(totals[c] * inv[c]) }
    }
    if let dbeta { channelSums(dy, rows: rows, channels: channels, into: dbeta, accumulate: true) }
}

/// `batchNormInferenceBackward` with dx written over dy (a gradient buffer shared by the op's output and input):
/// dγ and dβ accumulate from g first, then g ← s·g (not accumulating). Layouts as `batchNormInferenceBackward`.
public func batchNormInferenceBackwardInPlace(
    _ g: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>?, rows: Int, channels: Int,
    gamma: UnsafePointer<Float>, mean: UnsafePointer<Float>, variance: UnsafePointer<Float>, eps: Float,
    dgamma: UnsafeMutablePointer<Float>?, dbeta: UnsafeMutablePointer<Float>?
) {
    batchNormInferenceBackward(dy: g, x: x, rows: rows, channels: channels, gamma: gamma, mean: mean, variance: variance, eps: eps,
                               dx: nil, dgamma: dgamma, dbeta: dbeta)
    let scale = (0..<channels).map { Float(Double(gamma[$0]) * (1 / (Double(variance[$0]) + Double(eps)).squareRoot())) }
    scale.withUnsafeBufferPointer { s in
        Parallelism.forEachChunk(rows, minChunk: Parallelism.minimumRows(ofLength: channels)) { range in
            for r in range { for c in 0..<channels { g[r * channels + c] *= s[c] } }
        }
    }
}

/// Gradient of training-mode batch normalisation (`batchNormTrainingForward`): the batch statistics depend on x.
///
/// Concretely, per channel over the M = rows values, with μ, σ² the batch mean and biased variance,
/// r = 1/√(σ² + eps), x̂ = (x − μ)·r:
/// dβ += Σ dy; dγ += Σ dy·x̂; dx += γ·r · (dy − mean(dy) − x̂·mean(dy·x̂)).
/// Layouts: dy, x, dx (rows, C); γ, dγ, dβ (C). Statistics and sums in Double.
/// ### References
/// Ioffe, Szegedy, "Batch Normalization", 2015, https://arxiv.org/abs/1502.03167
public func batchNormTrainingBackward(
    dy: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Int, channels: Int, gamma: UnsafePointer<Float>,
    eps: Float, dx: UnsafeMutablePointer<Float>?, dgamma: UnsafeMutablePointer<Float>?,
    dbeta: UnsafeMutablePointer<Float>?
) {
    let m = Double(rows)
    var sum = [Double](repeating: 0, count: channels), sumSq = sum
    for r in 0..<rows {
        for c in 0..<channels { let v = Double(x[r * channels + c]); sum[c] += v; sumSq[c] += v * v }
    }
    let mean = sum.map { $0 / m }
    let inv = (0..<channels).map { 1 / (Swift.max(sumSq[$0] / m - mean[$0] * mean[$0], 0) + Double(eps)).squareRoot() }
    var sumDy = [Double](repeating: 0, count: channels), sumDyXhat = sumDy
    for r in 0..<rows {
        for c in 0..<channels {
            let d = Double(dy[r * channels + c])
            sumDy[c] += d
            sumDyXhat[c] += d * (Double(x[r * channels + c]) - mean[c]) * inv[c]
        }
    }
    if let dbeta { for c in 0..<channels { dbeta[c] += Float(sumDy[c]) } }
    if let dgamma { for c in 0..<channels { dgamma[c] += Float(sumDyXhat[c]) } }
    if let dx {
        for r in 0..<rows {
            for c in 0..<channels {
                let xhat = (Double(x[r * channels + c]) - mean[c]) * inv[c]
                let d = Double(dy[r * channels + c]) - sumDy[c] / m - xhat * sumDyXhat[c] / m
                dx[r * channels + c] += Float(Double(gamma[c]) * inv[c] * d)
            }
        }
    }
}
