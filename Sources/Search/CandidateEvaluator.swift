import Datasets
import Foundation
import Supernets
import Tensors
import Transfer

/// Validation accuracy of a subnet with the adapted shared weights: the search's fitness.
public struct CandidateEvaluator {
    public let factory: SubnetFactory
    public let data: SearchData
    /// Images per forward (the search's training batch, so the arena is the candidate's own).
    public let batch: Int

    public init(factory: SubnetFactory, data: SearchData, batch: Int) {
        self.factory = factory; self.data = data; self.batch = batch
    }

    /// Top-1 and top-5 fractions, mean cross-entropy and images counted.
    public struct Result: Sendable, Equatable {
        public var top1: Double, top5: Double, loss: Double, images: Int
    }

    /// Re-calibrates `config`'s batch norms on the calibration images (frozen-BN mode), loads the shared
    /// trainables and evaluates the validation split at `config.r`.
    public func evaluate(_ config: ArchConfig, shared: SharedTrainables) throws -> Result {
        let subnet = try factory.subnet(config, calibration: data.calibrationBatches(resolution: config.r))
        let (graph, _) = factory.graph(subnet, config: config, shared: shared)
        let trainer = try Trainer(graph: graph, batch: batch, height: config.r, width: config.r,
                                  optimizer: Adam(parameterCounts: graph.trainableParameterCounts))
        return try Self.evaluate(trainer, batches: data.validationBatches(resolution: config.r, batch: batch))
    }

    /// Top-1, top-5 and mean loss of `trainer`'s network over `batches`.
    public static func evaluate(_ trainer: Trainer, batches: [Batch]) -> Result {
        var remaining = batches.makeIterator()
        let e = trainer.evaluate(batches: { remaining.next() }) ?? Evaluation()
        let n = Double(max(e.count, 1))
        return Result(top1: Double(e.top1) / n, top5: Double(e.top5) / n, loss: e.lossSum / n, images: e.count)
    }
}
