import Foundation

/// Fully connected layer: y = x · wᵀ + b, then `activation`.
///
/// Layouts: x (N, I), w (O, I) as PyTorch `nn.Linear`, bias (O), y (N, O). One GEMM.
public func linearForward(
    x: UnsafePointer<Float>, batch: Int, inFeatures: Int, outFeatures: Int,
    weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, activation: Activation = .identity,
    y: UnsafeMutablePointer<Float>
) {
    gemm(transB: true, m: batch, n: outFeatures, k: inFeatures, a: x, lda: inFeatures, b: weight, ldb: inFeatures, c: y, ldc: outFeatures)
    biasActivationForward(y, rows: batch, channels: outFeatures, bias: bias, activation: activation)
}

/// Row-wise softmax: y[n,i] = e^(x[n,i] − max) / Σ_j e^(x[n,j] − max). Layouts: x, y (N, K).
public func softmaxForward(x: UnsafePointer<Float>, rows: Int, columns: Int, y: UnsafeMutablePointer<Float>) {
    for r in 0..<rows {
        let xr = x + r * columns, yr = y + r * columns
        var m = -Float.infinity
        for i in 0..<columns { m = Swift.max(m, xr[i]) }
        var sum: Float = 0
        for i in 0..<columns { yr[i] = Foundation.exp(xr[i] - m); sum += yr[i] }
        for i in 0..<columns { yr[i] /= sum }
    }
}

// MARK: - Backward

// Every kernel **accumulates** (`+=`); `dy` is the gradient of the linear's output before any fused
// activation.

/// Gradient of a linear layer with respect to its input: dx (N,I) += dy (N,O) · w (O,I). One GEMM.
///
/// Layouts: dy (N, O), w (O, I) as PyTorch `nn.Linear`, dx (N, I).
public func linearBackwardInput(
    dy: UnsafePointer<Float>, batch: Int, inFeatures: Int, outFeatures: Int, weight: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>
) {
    gemm(m: batch, n: inFeatures, k: outFeatures, a: dy, lda: outFeatures, b: weight, ldb: inFeatures,
         beta: 1, c: dx, ldc: inFeatures)
}

/// Gradient of a linear layer with respect to its weight: dw (O,I) += dyᵀ (O,N) · x (N,I). One GEMM.
///
/// Layouts: dy (N, O), x (N, I), dw (O, I).
public func linearBackwardWeight(
    dy: UnsafePointer<Float>, x: UnsafePointer<Float>, batch: Int, inFeatures: Int, outFeatures: Int,
    dweight: UnsafeMutablePointer<Float>
) {
    gemmTransA(m: outFeatures, n: inFeatures, k: batch, a: dy, lda: outFeatures, b: x, ldb: inFeatures,
               c: dweight, ldc: inFeatures, accumulate: true)
}

/// Gradient of a linear layer with respect to its bias: db[o] += Σ_n dy[n,o]. Layouts: dy (N, O), db (O).
public func linearBackwardBias(dy: UnsafePointer<Float>, batch: Int, outFeatures: Int, dbias: UnsafeMutablePointer<Float>) {
    channelSums(dy, rows: batch, channels: outFeatures, into: dbias, accumulate: true)
}

/// Gradient of the row-wise softmax from its output: dx[n,i] += y[n,i] · (dy[n,i] − Σ_j dy[n,j]·y[n,j]).
///
/// Layouts: y, dy, dx (N, K). (For a classifier's loss use `softmaxCrossEntropy`, which fuses both.)
public func softmaxBackward(
    y: UnsafePointer<Float>, dy: UnsafePointer<Float>, rows: Int, columns: Int, dx: UnsafeMutablePointer<Float>
) {
    for r in 0..<rows {
        let yr = y + r * columns, gr = dy + r * columns, dr = dx + r * columns
        var dot = 0.0
        for i in 0..<columns { dot += Double(yr[i]) * Double(gr[i]) }
        for i in 0..<columns { dr[i] += Float(Double(yr[i]) * (Double(gr[i]) - dot)) }
    }
}

// MARK: - Reference loops (the oracles of the tests)

/// Plain loop with the contract of `linearBackwardInput`, accumulating in Double.
public func linearBackwardInputReference(
    dy: UnsafePointer<Float>, batch: Int, inFeatures: Int, outFeatures: Int, weight: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>
) {
    for n in 0..<batch {
        for i in 0..<inFeatures {
            var s = 0.0
            for o in 0..<outFeatures { s += Double(dy[n * outFeatures + o]) * Double(weight[o * inFeatures + i]) }
            dx[n * inFeatures + i] += Float(s)
        }
    }
}

/// Plain loop with the contract of `linearBackwardWeight`, accumulating in Double.
public func linearBackwardWeightReference(
    dy: UnsafePointer<Float>, x: UnsafePointer<Float>, batch: Int, inFeatures: Int, outFeatures: Int,
    dweight: UnsafeMutablePointer<Float>
) {
    for o in 0..<outFeatures {
        for i in 0..<inFeatures {
            var s = 0.0
            for n in 0..<batch { s += Double(dy[n * outFeatures + o]) * Double(x[n * inFeatures + i]) }
            dweight[o * inFeatures + i] += Float(s)
        }
    }
}

/// Plain loop with the contract of `linearBackwardBias`, accumulating in Double.
public func linearBackwardBiasReference(dy: UnsafePointer<Float>, batch: Int, outFeatures: Int, dbias: UnsafeMutablePointer<Float>) {
    channelSumsReference(dy, rows: batch, channels: outFeatures, into: dbias)
}
