import Foundation
import OFATestSupport
import Search
import Supernets
import Tensors
import Transfer
import XCTest

/// The shared store hands every subnet its slice of the supernet-level trainables and takes it back unchanged,
/// with folded batch-norm shifts converted through each subnet's own statistics.
final class SharedTrainablesTests: XCTestCase {
    static let supernet: Supernet = try! Supernet.importCheckpoint(TestPaths.fixture("supernets/ofa_mbv3_w0.2_c10.pth"),
                                                                 family: .ofaMobileNetV3, widthMult: 0.2)

    func testKeysMapSubnetBlocksToSupernetSlots() {
        let space = Self.supernet.space
        var config = ArchConfig.min(space, resolution: 128)
        config.d[0] = space.stages[0].depthChoices.last!
        let slots = config.activeSlots(in: space)
        let j = space.stages[0].slots.count + 1   // first block of the second stage in the subnet
        XCTAssertEqual(SharedTrainables.key("blocks.\(j).conv.main_branch.depth_conv.bn.bias", config: config, space: space),
                       "blocks.\(slots[j - 1] + 1).conv.depth_conv.bn.bias")
        XCTAssertEqual(SharedTrainables.key("blocks.0.conv.depth_conv.bn.bias", config: config, space: space), "blocks.0.conv.depth_conv.bn.bias")
        XCTAssertEqual(SharedTrainables.key("classifier.linear.weight", config: config, space: space), "classifier.linear.weight")
    }

    /// Store from one subnet, load into another with different statistics: the unfolded β is what is shared.
    func testStoreThenLoadSharesUnfoldedBiasesAndPrefixes() throws {
        let net = Self.supernet, space = net.space
        let big = ArchConfig.max(space, resolution: 64), small = ArchConfig.min(space, resolution: 64)
        let images = [Tensor.random(shape: [4, 64, 64, 3], seed: 3)]
        let bigSubnet = try net.subnet(big).recalibrated(on: images), smallSubnet = try net.subnet(small)
        var shared = SharedTrainables()
        let graph = TrainingGraph(subnet: bigSubnet, method: .liteResidualBias, classes: 3, seed: 1)
        // Pretend training moved every trainable value by +0.5 and left Adam state behind.
        let trained = graph.parameters.map { p in (name: p.name, values: p.trainable ? p.values.map { $0 + 0.5 } : p.values) }
        let states = graph.parameters.filter(\.trainable).map { Adam.State(step: 3, m: Array(repeating: 0.25, count: $0.count), v: Array(repeating: 1, count: $0.count)) }
        shared.store(trained, states: states, graph: graph, subnet: bigSubnet, config: big, space: space)

        var small1 = TrainingGraph(subnet: smallSubnet, method: .liteResidualBias, classes: 3, seed: 1)
        let loaded = shared.load(into: &small1, subnet: smallSubnet, config: small, space: space)
        XCTAssertEqual(loaded.count, small1.trainableParameterCounts.count)
        XCTAssertTrue(loaded.allSatisfy { $0.step == 3 })
        // A folded shift: b′(small) = β_shared − mean_small·a_small, with β_shared = b′(big) + 0.5 + mean_big·a_big.
        let name = "blocks.1.conv.main_branch.depth_conv.bn.bias"
        let p = try XCTUnwrap(small1.parameterIndex(name)), q = try XCTUnwrap(graph.parameterIndex(name))
        XCTAssertEqual(small1.parameters[p].role, .foldedNormBias)
        let bn = "blocks.1.conv.depth_conv.bn", eps = graph.batchNormEps
        func fold(_ s: Subnet, _ c: Int) -> Float {
            let a = s.weights["\(bn).weight"]!.values[c] / (s.weights["\(bn).running_var"]!.values[c] + eps).squareRoot()
            return s.weights["\(bn).running_mean"]!.values[c] * a
        }
        for c in 0..<small1.parameters[p].count {
            let beta = graph.parameters[q].values[c] + 0.5 + fold(bigSubnet, c)
            XCTAssertEqual(small1.parameters[p].values[c], beta - fold(smallSubnet, c), accuracy: 1e-5)
        }
        // The classifier (same shape in every subnet) comes back exactly.
        let w = try XCTUnwrap(small1.parameterIndex("classifier.linear.weight")), w0 = try XCTUnwrap(graph.parameterIndex("classifier.linear.weight"))
        XCTAssertEqual(small1.parameters[w].values, graph.parameters[w0].values.map { $0 + 0.5 })
    }

    func testCheckpointRoundTrip() throws {
        let shared = SharedTrainables(entries: ["a.bias": .init(values: [1, 2], m: [0.5, 0], v: [1, 1], step: 7),
                                                "blocks.3.conv.lite_residual.conv1.weight": .init(values: [3], m: [0], v: [0], step: 1)])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("shared-\(UUID()).h5")
        defer { try? FileManager.default.removeItem(at: url) }
        try shared.write(to: url, epochsDone: 2, stepsDone: 64, settingsJSON: "{}")
        let (read, epochs, steps) = try SharedTrainables.read(from: url)
        XCTAssertEqual(epochs, 2)
        XCTAssertEqual(steps, 64)
        XCTAssertEqual(read.entries, shared.entries)
    }
}

/// Candidate memory is planned on a graph without random fresh weights; the plan must be the trained graph's.
final class MemoryEstimateTests: XCTestCase {
    func testPlanningGraphPlansLikeTheTrainedGraph() throws {
        let net = SharedTrainablesTests.supernet
        let loader = LoaderWorkingSet(samples: [])
        for method in [TransferMethod.liteResidualBias, .bias, .liteResidual, .last] {
            for var config in [ArchConfig.max(net.space, resolution: 96), ArchConfig.min(net.space, resolution: 64)] {
                config.method = method
                let subnet = try net.subnet(config)
                let factory = SubnetFactory(supernet: net, defaultMethod: .last, classes: 7, seed: 3, frozenBits: 8, loader: loader,
                                            optimizer: .adam)
                let trained = factory.freshGraph(subnet, config: config)
                let planned = try factory.memory(config, batch: 4)
                let exact = try MemoryEstimate(graph: trained, structure: subnet.structure, batch: 4, resolution: config.r, loader: loader,
                                               optimizer: .adam)
                XCTAssertEqual(planned, exact, "\(method) \(config.json)")
            }
        }
    }
}
