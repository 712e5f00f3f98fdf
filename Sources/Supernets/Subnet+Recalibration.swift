import Networks
import Tensors

extension Subnet {
    /// The subnet with every batch norm's running statistics re-computed on `batches` (OFA
    /// `set_running_statistics`, spec §3.9): the average of per-batch channel means and of per-batch biased
    /// variances, weighted by batch size. Each batch is (N, H, W, 3), normalised like the subnet's inputs.
    public func recalibrated(on batches: [Tensor]) -> Subnet {
        let network = network(foldBatchNorm: false)
        let statistics = BatchStatistics()
        for batch in batches { _ = network.forward(batch, batchStatistics: statistics) }
        var updated = self
        for key in statistics.keys {
            guard let mean = statistics.runningMean(key), let variance = statistics.runningVariance(key) else { continue }
            updated.weights.set("\(key).running_mean", Tensor(shape: [mean.count], values: mean))
            updated.weights.set("\(key).running_var", Tensor(shape: [variance.count], values: variance))
        }
        return updated
    }
}
