import Datasets
import Supernets
import Tensors
import Transfer

/// Builds the TinyTL training graph of any subnet of one supernet, carrying the shared trainables: extraction,
/// batch-norm re-calibration on a fixed calibration set (frozen-BN mode) and graph construction.
public struct SubnetFactory: Sendable {
    public let supernet: Supernet
    public let method: TinyTLMethod
    public let classes: Int
    /// Seed of the fresh lite residual and classifier values (used for tensors the shared store does not hold yet).
    public let seed: UInt64

    public init(supernet: Supernet, method: TinyTLMethod, classes: Int, seed: UInt64) {
        self.supernet = supernet; self.method = method; self.classes = classes; self.seed = seed
    }

    public var space: SearchSpace { supernet.space }

    /// The subnet of `config` with its batch norms re-calibrated on `calibration` (images at `config.r`).
    public func subnet(_ config: ArchConfig, calibration: [Tensor]) throws -> Subnet {
        var subnet = try supernet.subnet(config)
        subnet.resolution = config.r
        return calibration.isEmpty ? subnet : subnet.recalibrated(on: calibration)
    }

    /// The graph of `subnet` with the shared trainables loaded, and the Adam state that goes with them.
    public func graph(_ subnet: Subnet, config: ArchConfig, shared: SharedTrainables) -> (graph: TrainingGraph, states: [Adam.State]) {
        var graph = TrainingGraph(subnet: subnet, method: method, classes: classes, seed: seed)
        let states = shared.load(into: &graph, subnet: subnet, config: config, space: space)
        return (graph, states)
    }
}
