import Foundation
import OFATestSupport
import Supernets
import Tensors
import Testing
@testable import Transfer

struct PlannerTests {
    static func plan(_ graph: TrainingGraph, resolution r: Int, batch: Int = 2, stateFloats: Int = 2) throws -> MemoryPlan {
        try Planner.plan(graph, batch: batch, height: r, width: r, optimizerState: .floats(perValue: stateFloats), backward: true)
    }

    @Test(arguments: TrainingFixtures.families)
    func tensorsLiveAtTheSameTimeNeverOverlap(_ f: TrainingFixtures.Family) throws {
        let subnet = try TrainingFixtures.minSubnet(f)
        for method in TransferMethod.allCases {
            let graph = TrainingGraph(subnet: subnet, method: method, classes: 5)
            for backward in [true, false] {
                let plan = try Planner.plan(graph, batch: 2, height: 40, width: 40, optimizerState: .floats(perValue: 1), backward: backward)
                let t = plan.tensors
                for i in t.indices {
                    #expect(t[i].offset % MemoryPlan.alignment == 0 && t[i].offset + t[i].bytes <= plan.arenaBytes)
                    for j in (i + 1)..<t.count where t[i].overlapsLifetime(t[j]) {
                        let disjoint = t[i].offset + t[i].bytes <= t[j].offset || t[j].offset + t[j].bytes <= t[i].offset
                        #expect(disjoint, "\(method.rawValue): \(t[i].name) and \(t[j].name) overlap")
                    }
                }
                #expect(plan.peakBytes <= plan.arenaBytes)
                #expect(plan.ledgerAtPeak.total == plan.peakBytes)
            }
        }
    }

    @Test func savedTensorsFollowTheTable() throws {
        let subnet = try TrainingFixtures.minSubnet(TrainingFixtures.proxyless)
        let last = try Self.plan(TrainingGraph(subnet: subnet, method: .last, classes: 5), resolution: 32)
        let bias = try Self.plan(TrainingGraph(subnet: subnet, method: .bias, classes: 5), resolution: 32)
        let full = try Self.plan(TrainingGraph(subnet: subnet, method: .full, classes: 5), resolution: 32)
        // `last`: backward stops at the classifier — no masks, only the pooled features and logits kept.
        let lastSaved = last.tensors.filter { $0.category == .savedActivations }
        #expect(lastSaved.map(\.name).sorted() == ["classifier.linear", "global_avg_pool"])
        #expect(last.tensors.filter { $0.category == .activationGradients }.count == 1)
        // `bias` on a ReLU6 network keeps 1-bit masks only (plus the classifier's input and the logits).
        let biasSaved = bias.tensors.filter { $0.category == .savedActivations }
        for t in biasSaved where t.name != "global_avg_pool" && t.name != "classifier.linear" {
            guard case .mask = t.kind else { Issue.record("bias saves \(t.name) at full width"); continue }
        }
        #expect(biasSaved.count > 10)
        #expect(last.arenaBytes * 3 < full.arenaBytes, "last \(last.arenaBytes) B vs full \(full.arenaBytes) B")
        #expect(bias.ledgerAtPeak[.savedActivations] * 8 < full.ledgerAtPeak[.savedActivations])
    }

    @Test func liteResidualNeedsARealResolution() throws {
        let subnet = try TrainingFixtures.minSubnet(TrainingFixtures.proxyless)
        let graph = TrainingGraph(subnet: subnet, method: .liteResidual, classes: 5)
        #expect(throws: PlanError.self) { _ = try Self.plan(graph, resolution: 32) }
        do { _ = try Self.plan(graph, resolution: 32) } catch { #expect(error.localizedDescription.contains("HINT")) }
    }

    /// Prints the ledger of the min OFA-Proxyless w0.2 subnet for every method (32 px; lite residual at 40 px),
    /// batch 2, Adam, and the planning time (not asserted).
    @Test func ledgerAndPlanningTime() throws {
        let subnet = try TrainingFixtures.minSubnet(TrainingFixtures.proxyless)
        for method in TransferMethod.allCases {
            let graph = TrainingGraph(subnet: subnet, method: method, classes: 5)
            let r = TrainingFixtures.resolution(for: method)
            _ = try Self.plan(graph, resolution: r)
            let repeats = 20, start = DispatchTime.now().uptimeNanoseconds
            var plan: MemoryPlan?
            for _ in 0..<repeats { plan = try Self.plan(graph, resolution: r) }
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(repeats)
            let p = plan!
            print("\(method.rawValue) @\(r)px: \(p.tensors.count) tensors, plan \(String(format: "%.3f", ms)) ms; arena \(p.arenaBytes) B, peak \(p.peakBytes) B at \(p.stepDescription(p.peakStep, graph: graph))")
            print("  at peak: \(p.ledgerAtPeak)")
        }
        let p = try Self.plan(TrainingGraph(subnet: subnet, method: .liteResidualBias, classes: 5), resolution: 40)
        print(p.peakReport(graph: TrainingGraph(subnet: subnet, method: .liteResidualBias, classes: 5)).split(separator: "\n").prefix(8).joined(separator: "\n"))
    }
}

extension PlannerTests {
    /// GN mode under `bias`: γ frozen, β trains — every GroupNorm still keeps its input (dx needs x̂), which
    /// TinyTL's formula counts as zero; frozen BN keeps nothing there (dx = a·dy).
    @Test func groupNormKeepsItsInputWithAFrozenGamma() throws {
        let subnet = try TrainingFixtures.minSubnet(TrainingFixtures.proxyless)
        let gn = TrainingGraph(subnet: subnet, method: .bias, classes: 5, norm: .tinyTL)
        let bn = TrainingGraph(subnet: subnet, method: .bias, classes: 5)
        let needs = BackwardNeeds(gn)
        var norms = 0
        for (i, op) in gn.ops.enumerated() {
            guard case .affine(let a) = op.kind else { continue }
            #expect(a.groups != nil && !gn.parameters[a.gamma].trainable && gn.parameters[a.beta].trainable)
            #expect(needs.saved[i] == (needs.inputGradients[i][0] ? .input : .nothing), "\(op.name)")
            norms += 1
        }
        #expect(norms > 10)
        #expect(!bn.ops.contains { if case .affine = $0.kind { return true } else { return false } }, "frozen BN folds every norm under bias")
        let pg = try Self.plan(gn, resolution: 32), pb = try Self.plan(bn, resolution: 32)
        #expect(pg.allocated[.savedActivations] > 2 * pb.allocated[.savedActivations])
        #expect(gn.ops.contains { if case .conv(let c) = $0.kind { return c.standardize } else { return false } })
    }
}
