/// Group normalisation, NHWC.
///
/// Concretely (PyTorch `GroupNorm`): for each sample n and group g of C/G channels,
/// μ, σ² = mean and biased variance over (H, W, channels of g); y = (x − μ) / √(σ² + eps) · γ[c] + β[c].
/// Layouts: x, y (N, H·W, C); γ, β (C). Statistics are accumulated in Double.
public func groupNormForward(
    x: UnsafePointer<Float>, batch: Int, pixels: Int, channels: Int, groups: Int,
    gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?, eps: Float,
    activation: Activation = .identity, y: UnsafeMutablePointer<Float>
) {
    precondition(channels % groups == 0, "GroupNorm: \(channels) channels not divisible by \(groups) groups")
    let perGroup = channels / groups
    let count = Double(pixels * perGroup)
    Parallelism.forEachChunk(batch * groups) { range in
        for item in range {
            let n = item / groups, g = item % groups
            let base = x + n * pixels * channels + g * perGroup
            var sum = 0.0, sumSq = 0.0
            for p in 0..<pixels {
                for c in 0..<perGroup {
                    let v = Double(base[p * channels + c])
                    sum += v; sumSq += v * v
                }
            }
            let mean = sum / count
            let variance = Swift.max(sumSq / count - mean * mean, 0)
            let inv = Float(1 / (variance + Double(eps)).squareRoot()), m = Float(mean)
            let out = y + n * pixels * channels + g * perGroup
            for p in 0..<pixels {
                for c in 0..<perGroup {
                    let ch = g * perGroup + c
                    let v = (base[p * channels + c] - m) * inv * (gamma?[ch] ?? 1) + (beta?[ch] ?? 0)
                    out[p * channels + c] = activation(v)
                }
            }
        }
    }
}
