import Foundation
import OFATestSupport
import Supernets
import Tensors
import Testing
@testable import Transfer

/// Training with frozen weights stored in 8 bits (`TrainingGraph.quantizingFrozenWeights`).
struct QuantizedTrainingTests {
    static let cases = TrainerTests.cases

    /// The 8-bit graph computes exactly what a float32 graph holding the dequantised values computes: the same
    /// losses, gradients and Adam steps, bit for bit; and the trainer writes exactly its planned arena.
    @Test(arguments: cases.map { ($0, NormMode.frozenBatchNorm) } + [(TrainerTests.Case(family: TrainingFixtures.proxyless, method: .liteResidualBias), .tinyTL),
                                                                (TrainerTests.Case(family: TrainingFixtures.mbv3, method: .bias), .tinyTL)])
    func eightBitTrainingEqualsTheDequantisedGraph(_ c: TrainerTests.Case, _ norm: NormMode) throws {
        var quantized = try TrainerTests.graph(c, norm: norm).quantizingFrozenWeights(bits: 8, seed: 5)
        // Weight blocks of 96 floats: every pointwise conv wider than that runs a block at a time, 8-bit ones
        // dequantising one block per call.
        quantized.weightBlockFloats = 96
        let reference = quantized.dequantizingFrozenWeights()
        #expect(quantized.quantizableFrozenWeights.isEmpty == (c.method == .full))
        #expect(quantized.parameters.filter { $0.storageBits == 8 }.count == quantized.quantizableFrozenWeights.count)
        #expect(reference.parameters.allSatisfy { $0.storageBits == 32 })
        // One schedule for both (the automatic chunking may differ between the graphs' arenas).
        let a = try TrainerTests.trainer(quantized, optimizer: .adam, gradients: .accumulated, chunking: .none)
        let b = try TrainerTests.trainer(reference, optimizer: .adam, gradients: .accumulated, chunking: .none)
        let images = TrainingFixtures.images(batch: 2, resolution: a.plan.height)
        a.zeroGradients(); b.zeroGradients()
        let la = a.accumulateGradients(images: images, labels: TrainerTests.labels)
        let lb = b.accumulateGradients(images: images, labels: TrainerTests.labels)
        #expect(la.bitPattern == lb.bitPattern, "loss \(la) vs \(lb)")
        for p in quantized.parameters where p.trainable {
            #expect(a.gradient(p.name).map(\.bitPattern) == b.gradient(p.name).map(\.bitPattern), "\(p.name)")
        }
        for _ in 0..<2 {
            let sa = a.trainStep([(images, TrainerTests.labels)], learningRate: 1e-2)
            let sb = b.trainStep([(images, TrainerTests.labels)], learningRate: 1e-2)
            #expect(sa.bitPattern == sb.bitPattern)
        }
        #expect(a.parameters().map { $0.values.map(\.bitPattern) } == b.parameters().map { $0.values.map(\.bitPattern) })
        #expect(a.measuredHighWaterBytes == a.plan.arenaBytes)
        let blocked = a.plan.expandedWeights.contains { $0.contains { $0.blockRows != nil } }
        // GN mode standardises its convs' weights, which then run whole.
        if c.method != .full && norm == .frozenBatchNorm { #expect(blocked, "no pointwise conv ran over weight blocks") }
        let evalA = a.evaluate(images: images, labels: TrainerTests.labels), evalB = b.evaluate(images: images, labels: TrainerTests.labels)
        #expect(evalA == evalB)
    }

    /// The plan counts each 8-bit tensor at N + 4·codebook bytes, and one expanded float32 copy per step that reads
    /// it, living for that step — inside the chunked prefix for the prefix's forward or backward, every chunk's pass.
    @Test func planCountsIndicesCodebooksAndScratch() throws {
        let c = TrainerTests.Case(family: TrainingFixtures.mbv3, method: .liteResidualBias)
        let float = try TrainerTests.graph(c), quantized = float.quantizingFrozenWeights()
        let r = TrainingFixtures.resolution(for: c.method)
        let pf = try PlannerTests.plan(float, resolution: r), pq = try PlannerTests.plan(quantized, resolution: r)
        let stored = quantized.parameters.filter { !$0.trainable }.reduce(0) { $0 + $1.storedBytes }
        #expect(pq.allocated[.frozenWeights] == stored)
        let weights = quantized.quantizableFrozenWeights
        let indices = weights.reduce(0) { $0 + quantized.parameters[$1].count }
        let codebooks = weights.reduce(0) { $0 + 4 * quantized.parameters[$1].codebookCount }
        #expect(pf.allocated[.frozenWeights] - pq.allocated[.frozenWeights] == 4 * indices - indices - codebooks)
        let expanded = pq.tensors.filter { if case .expandedWeights = $0.kind { return true } else { return false } }
        let prefix = pq.chunkedPrefix?.ops ?? 0, f = pq.opCount
        #expect(!expanded.isEmpty && expanded.allSatisfy { t in
            guard case .expandedWeights(let step) = t.kind, t.category == .scratch else { return false }
            if step < prefix { return (t.birth, t.death) == (0, prefix - 1) }
            if step > 2 * f - prefix { return (t.birth, t.death) == (2 * f - prefix + 1, 2 * f) }
            return (t.birth, t.death) == (step, step)
        })
        #expect(prefix > 0, "the plan has no chunked prefix to check")
        // Every forward step of an op with a quantised weight expands it.
        for (i, op) in quantized.ops.enumerated() where op.kind.parameters.contains(where: { quantized.parameters[$0].storageBits == 8 }) {
            #expect(pq.expandedWeightTensor[i] != nil, "\(op.name)")
        }
        print("frozen weights: float32 \(pf.allocated[.frozenWeights]) B, 8-bit \(pq.allocated[.frozenWeights]) B; peak \(pf.peakBytes) → \(pq.peakBytes) B")
    }
}

extension QuantizedTrainingTests {
    /// Planning storage (sizes only, no k-means) plans exactly like the fitted 8-bit graph.
    @Test(arguments: TrainerTests.cases)
    func planningStorageEqualsTheFittedGraph(_ c: TrainerTests.Case) throws {
        let graph = try TrainerTests.graph(c)
        let fitted = graph.quantizingFrozenWeights(), planned = graph.frozenStorageForPlanning()
        #expect(fitted.parameters.map(\.storedBytes) == planned.parameters.map(\.storedBytes))
        #expect(planned.parameters.allSatisfy { $0.values.isEmpty })
        let r = TrainingFixtures.resolution(for: c.method)
        let a = try PlannerTests.plan(fitted, resolution: r), b = try PlannerTests.plan(planned, resolution: r)
        #expect(a.peakBytes == b.peakBytes && a.arenaBytes == b.arenaBytes && a.tensors.map(\.offset) == b.tensors.map(\.offset))
        #expect(TrainingGraph.codebookCount([0, -0, 1, 1, 2]) == 3)
        #expect(TrainingGraph.codebookCount((0..<1000).map(Float.init)) == 256)
    }
}
