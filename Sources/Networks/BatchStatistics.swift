import Tensors

/// Re-calibration of batch-norm running statistics (OFA `set_running_statistics`, spec §3.9).
///
/// Passed to `Network.forward`, it makes every `.batchNorm` node normalise with the batch's own statistics
/// — per-channel mean over (N, H, W) and the **biased** variance — and accumulates them weighted by batch
/// size. After all batches, `runningMean(key)` and `runningVariance(key)` are the averages of the per-batch
/// means and variances: no momentum, no unbiasing.
public final class BatchStatistics {
    private var sums: [String: (mean: [Double], variance: [Double], count: Int)] = [:]

    public init() {}

    func normalize(_ b: BatchNormLayer, x: UnsafePointer<Float>, rows: Int, batch: Int, y: UnsafeMutablePointer<Float>) {
        let c = b.gamma.count
        var mean = [Float](repeating: 0, count: c), variance = mean
        batchNormTrainingForward(x: x, rows: rows, channels: c, gamma: b.gamma, beta: b.beta, eps: b.eps,
                                 activation: b.activation, y: y, batchMean: &mean, batchVariance: &variance)
        var entry = sums[b.key] ?? ([Double](repeating: 0, count: c), [Double](repeating: 0, count: c), 0)
        for i in 0..<c {
            entry.mean[i] += Double(mean[i]) * Double(batch)
            entry.variance[i] += Double(variance[i]) * Double(batch)
        }
        entry.count += batch
        sums[b.key] = entry
    }

    /// BN prefixes seen so far.
    public var keys: [String] { sums.keys.sorted() }

    /// Batch-size weighted average of the per-batch means of BN `key`.
    public func runningMean(_ key: String) -> [Float]? {
        sums[key].map { e in e.mean.map { Float($0 / Double(e.count)) } }
    }

    /// Batch-size weighted average of the per-batch biased variances of BN `key`.
    public func runningVariance(_ key: String) -> [Float]? {
        sums[key].map { e in e.variance.map { Float($0 / Double(e.count)) } }
    }
}
