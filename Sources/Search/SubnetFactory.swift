import Datasets
import Supernets
import Tensors
import Transfer

/// Builds the TinyTL training graph of any subnet of one supernet, carrying the shared trainables: extraction,
/// batch-norm re-calibration on a fixed calibration set (frozen-BN mode) and graph construction. The method and
/// lite residual placement come from the config (`ArchConfig.method`, `.liteResidual`).
public struct SubnetFactory: Sendable {
    public let supernet: Supernet
    /// The method of configs that name none.
    public let defaultMethod: TransferMethod
    public let classes: Int
    /// Seed of the fresh lite residual and classifier values (used for tensors the shared store does not hold yet).
    public let seed: UInt64
    /// Bits per stored frozen weight (8: TinyTL's k-means codebook, stored for real; or 32).
    public let frozenBits: Int
    /// What the data loader holds while training (part of every memory estimate).
    public let loader: LoaderWorkingSet
    /// The optimiser of the trainings the budget limits (its state is planned in every memory estimate).
    public let optimizer: OptimizerChoice

    public init(supernet: Supernet, defaultMethod: TransferMethod, classes: Int, seed: UInt64, frozenBits: Int,
                loader: LoaderWorkingSet, optimizer: OptimizerChoice) {
        self.supernet = supernet; self.defaultMethod = defaultMethod; self.classes = classes; self.seed = seed
        self.frozenBits = frozenBits; self.loader = loader; self.optimizer = optimizer
    }

    public var space: SearchSpace { supernet.space }

    /// The subnet of `config` with its batch norms re-calibrated on `calibration` (images at `config.r`).
    public func subnet(_ config: ArchConfig, calibration: [Tensor]) throws -> Subnet {
        var subnet = try supernet.subnet(config)
        subnet.resolution = config.r
        return calibration.isEmpty ? subnet : subnet.recalibrated(on: calibration)
    }

    /// The method `config` is trained with.
    public func method(_ config: ArchConfig) -> TransferMethod { config.method ?? defaultMethod }

    /// The training graph of `subnet` under `config`'s method and placement; `fresh`: random new weights.
    func trainingGraph(_ subnet: Subnet, config: ArchConfig, fresh: Bool = true) -> TrainingGraph {
        let method = method(config)
        return TrainingGraph(subnet: subnet, method: method, classes: classes, seed: seed, drawsFreshWeights: fresh,
                             liteResidualBlocks: config.liteResidualBlocks(in: space, method: method))
    }

    /// The graph of `subnet` with the shared trainables loaded (frozen weights stored in `frozenBits`), and the
    /// Adam state that goes with them.
    public func graph(_ subnet: Subnet, config: ArchConfig, shared: SharedTrainables) -> (graph: TrainingGraph, states: [Adam.State]) {
        var graph = trainingGraph(subnet, config: config)
        let states = shared.load(into: &graph, subnet: subnet, config: config, space: space)
        return (graph.quantizingFrozenWeights(bits: frozenBits, seed: seed), states)
    }

    /// A fresh graph of `subnet` (new lite residuals and classifier) under `config`, frozen weights in `frozenBits`.
    public func freshGraph(_ subnet: Subnet, config: ArchConfig) -> TrainingGraph {
        trainingGraph(subnet, config: config).quantizingFrozenWeights(bits: frozenBits, seed: seed)
    }

    /// The planned memory of training `config` (no weights fitted: sizes only).
    public func memory(_ config: ArchConfig, batch: Int) throws -> MemoryEstimate {
        let subnet = try supernet.subnet(config)
        let graph = trainingGraph(subnet, config: config, fresh: false).frozenStorageForPlanning(bits: frozenBits)
        return try MemoryEstimate(graph: graph, structure: subnet.structure, batch: batch, resolution: config.r, loader: loader,
                                  optimizer: optimizer)
    }
}
