import Foundation
import OFATestSupport
import Supernets
import Testing
@testable import Transfer

/// The fast first fit against its plain reference: the same offsets for every plan, hence the same arena.
struct FirstFitTests {
    /// Both placement orders the planner tries, over the transient tensors of `plan`.
    static func expectSameOffsets(_ plan: MemoryPlan, _ label: String) {
        let t = plan.tensors
        let persistent = t.prefix { $0.birth == 0 && $0.death == plan.lastStep && $0.category.isParameterMemory }.count
        let transient = Array(persistent..<t.count)
        let base = t[..<persistent].map { $0.offset + $0.alignedBytes }.max() ?? 0
        let bySize = transient.sorted { (t[$0].bytes, t[$1].birth, $1) > (t[$1].bytes, t[$0].birth, $0) }
        let byBirth = transient.sorted { (t[$0].birth, t[$1].bytes, $0) < (t[$1].birth, t[$0].bytes, $1) }
        for order in [bySize, byBirth] {
            let fast = PlanBuilder.firstFit(t, order: order, base: base), plain = PlanBuilder.firstFitReference(t, order: order, base: base)
            #expect(fast.offsets == plain.offsets && fast.arena == plain.arena, "\(label)")
        }
    }

    @Test(arguments: TrainingFixtures.families)
    func fastFirstFitEqualsTheReferenceOnFixtureGraphs(_ f: TrainingFixtures.Family) throws {
        let subnet = try TrainingFixtures.minSubnet(f)
        for method in TransferMethod.allCases {
            for bits in [8, 32] {
                let graph = TrainingGraph(subnet: subnet, method: method, classes: 5).quantizingFrozenWeights(bits: bits)
                for backward in [true, false] {
                    let r = TrainingFixtures.resolution(for: method)
                    let plan = try Planner.plan(graph, batch: 2, height: r, width: r, optimizerState: .floats(perValue: 2), backward: backward)
                    Self.expectSameOffsets(plan, "\(f.name) \(method.rawValue) \(bits)-bit backward \(backward)")
                }
            }
        }
    }

    /// Random subnets of the shipped supernet (the search's real workload).
    @Test func fastFirstFitEqualsTheReferenceOnShippedSubnets() throws {
        let supernet = try Supernet.read(from: TestPaths.repositoryRoot.appendingPathComponent("Supernets/effnet-lite0-elastic.h5"))
        for seed in 0..<UInt64(3) {
            let config = ArchConfig.random(supernet.space, seed: seed)
            let subnet = try supernet.subnet(config)
            for method in [TransferMethod.bias, .liteResidualBias] {
                let graph = TrainingGraph(subnet: subnet, method: method, classes: 10)
                let plan = try Planner.plan(graph, batch: 8, height: config.r, width: config.r, optimizerState: .floats(perValue: 2), backward: true)
                Self.expectSameOffsets(plan, "seed \(seed) \(method.rawValue)")
            }
        }
    }
}
