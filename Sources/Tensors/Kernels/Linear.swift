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

