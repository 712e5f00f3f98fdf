import Foundation
import Networks
import OFATestSupport
import Supernets
import Tensors
import Testing
@testable import Transfer

/// Tiny subnets of the committed random OFA supernets (Tests/Fixtures/supernets), shared by the Transfer tests.
enum TrainingFixtures {
    struct Family: CustomTestStringConvertible, Sendable {
        let name: String, family: SupernetFamily, checkpoint: String
        var testDescription: String { name }
    }

    static let mbv3 = Family(name: "mbv3", family: .ofaMobileNetV3, checkpoint: "ofa_mbv3_w0.2_c10.pth")
    static let proxyless = Family(name: "proxyless", family: .ofaProxylessNAS, checkpoint: "ofa_proxyless_w0.2_c10.pth")
    static let families = [mbv3, proxyless]

    /// The smallest subnet of the family's w0.2 supernet.
    static func minSubnet(_ f: Family, resolution: Int = 32) throws -> Subnet {
        let supernet = try Supernet.importCheckpoint(TestPaths.fixture("supernets/\(f.checkpoint)"), family: f.family, widthMult: 0.2)
        return try supernet.subnet(ArchConfig.min(supernet.space, resolution: resolution))
    }

    /// Seeded images in [−1, 1], NHWC.
    static func images(batch: Int, resolution: Int, seed: UInt64 = 7) -> Tensor {
        Tensor.random(shape: [batch, resolution, resolution, 3], seed: seed)
    }

    /// The lite residual methods need ≥ 40 px (a 32 px input leaves a 1x1 map for the last stage's avg-pool 2).
    static func resolution(for method: TransferMethod) -> Int { method.insertsLiteResidual ? 40 : 32 }
}

struct TrainingGraphTests {
    /// A placement inserts branches into the blocks it names only, and costs less to train the fewer it names.
    @Test(arguments: TrainingFixtures.families)
    func liteResidualPlacementChoosesTheBlocks(_ f: TrainingFixtures.Family) throws {
        let subnet = try TrainingFixtures.minSubnet(f, resolution: 40)
        func branches(_ g: TrainingGraph) -> Set<Int> {
            Set(g.ops.compactMap { op in
                guard op.name.hasSuffix(".lite_residual.add") else { return nil }
                return Int(op.name.split(separator: ".")[1])
            })
        }
        let all = TrainingGraph(subnet: subnet, method: .liteResidualBias, classes: 5)
        let every = branches(all)
        #expect(every == Set(1..<subnet.structure.blocks.count))
        let some: Set<Int> = [1, every.max()!]
        let partial = TrainingGraph(subnet: subnet, method: .liteResidualBias, classes: 5, liteResidualBlocks: some)
        #expect(branches(partial) == some)
        #expect(partial.trainableCount < all.trainableCount)
        let none = TrainingGraph(subnet: subnet, method: .liteResidualBias, classes: 5, liteResidualBlocks: [])
        #expect(branches(none).isEmpty)
        #expect(none.trainableCount == TrainingGraph(subnet: subnet, method: .bias, classes: 5).trainableCount)
        let plan = { (g: TrainingGraph) in try Planner.plan(g, batch: 2, height: 40, width: 40, optimizerState: .floats(perValue: 2),
                                                             backward: true).peakBytes }
        #expect(try plan(partial) < plan(all))
    }

    @Test(arguments: TrainingFixtures.families)
    func trainableSetsFollowTheMethods(_ f: TrainingFixtures.Family) throws {
        let subnet = try TrainingFixtures.minSubnet(f)
        for method in TransferMethod.allCases {
            let graph = TrainingGraph(subnet: subnet, method: method, classes: 5)
            for p in graph.parameters {
                let isClassifier = p.name.hasPrefix("classifier.")
                let isLite = p.name.contains(".lite_residual.")
                let expected: Bool
                switch method {
                case .last: expected = isClassifier
                case .bias: expected = isClassifier || p.role.isBias
                case .bnLast: expected = isClassifier || p.role == .normWeight || p.role == .normBias || p.role == .foldedNormBias
                case .full: expected = p.role != .runningMean && p.role != .runningVariance
                case .liteResidual: expected = isClassifier || (isLite && p.role != .runningMean && p.role != .runningVariance)
                case .liteResidualBias:
                    expected = isClassifier || (p.role.isBias && !p.name.hasSuffix("final_bn.bias"))
                        || (isLite && !p.name.hasSuffix("final_bn.bias") && p.role != .runningMean && p.role != .runningVariance)
                }
                #expect(p.trainable == expected, "\(method.rawValue): \(p.name) (\(p.role)) trainable \(p.trainable)")
            }
            // Folding happens exactly when both the conv weight and γ are frozen.
            let folded = graph.parameters.contains { $0.role == .foldedWeight }
            #expect(folded == (method != .full && method != .bnLast), "\(method.rawValue)")
            #expect(graph.ops.allSatisfy { if case .activation(.identity) = $0.kind { return false } else { return true } })
        }
    }

    @Test func liteResidualBranchesFollowTheReferenceRule() throws {
        let subnet = try TrainingFixtures.minSubnet(TrainingFixtures.proxyless)
        let graph = TrainingGraph(subnet: subnet, method: .liteResidualBias, classes: 5)
        let blocks = subnet.structure.blocks.count
        // Every block but blocks.0 gets a branch; conv1 is grouped (2) with the kernel of §5.4's table.
        let conv1 = graph.ops.compactMap { op -> (String, ConvOp)? in
            if case .conv(let c) = op.kind, op.name.hasSuffix("lite_residual.conv1") { return (op.name, c) }
            return nil
        }
        #expect(conv1.count == blocks - 1)
        #expect(conv1.allSatisfy { $0.1.groups == 2 })
        // Stage kernels 5,5,5,5,(5 first / 3 others),3 and strides = the block's (spec §5.4 table).
        let s = subnet.structure
        for (name, c) in conv1 {
            let j = Int(name.split(separator: ".")[1])!
            #expect(c.stride == s.blocks[j].stride, "\(name)")
        }
        #expect(conv1.map(\.1.kernel) == liteResidualBranches(s).sorted { $0.key < $1.key }.map(\.value.kernel))
        let finalGammas = graph.parameters.filter { $0.name.hasSuffix("final_bn.weight") }
        #expect(finalGammas.count == blocks - 1 && finalGammas.allSatisfy { $0.values.allSatisfy { $0 == 0 } && $0.trainable })
        #expect(graph.parameters.filter { $0.name.hasSuffix("final_bn.bias") }.allSatisfy { !$0.trainable })
    }

    /// The training graph computes the subnet's function: with the subnet's own classifier copied in, its logits
    /// equal the folded inference network's (frozen BN as affine or folded; fresh lite residuals output 0).
    @Test(arguments: TrainingFixtures.families)
    func logitsMatchTheInferenceNetwork(_ f: TrainingFixtures.Family) throws {
        let subnet = try TrainingFixtures.minSubnet(f)
        for method in [TransferMethod.last, .full, .bnLast, .liteResidualBias] {
            let r = TrainingFixtures.resolution(for: method)
            let images = TrainingFixtures.images(batch: 2, resolution: r)
            let expected = subnet.network().forward(images)
            var graph = TrainingGraph(subnet: subnet, method: method, classes: subnet.structure.classes)
            for name in ["classifier.linear.weight", "classifier.linear.bias"] {
                graph.parameters[graph.parameterIndex(name)!].values = subnet.weights[name]!.values
            }
            let trainer = try Trainer(graph: graph, batch: 2, height: r, width: r,
                                      optimizer: SGD(parameterCounts: graph.trainableParameterCounts, momentum: 0))
            let logits = trainer.predict(images: images)
            let scale = expected.values.map { abs($0) }.max()!
            let diff = zip(logits.values, expected.values).map { abs($0 - $1) }.max()!
            #expect(diff <= 1e-4 * scale, "\(f.name) \(method.rawValue): max |Δ| \(diff), scale \(scale)")
        }
    }
}
