import Foundation
import OFATestSupport
import Supernets
import Tensors
import Testing
@testable import Transfer

struct TrainerTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let family: TrainingFixtures.Family, method: TransferMethod
        var testDescription: String { "\(family.name) \(method.rawValue)" }
    }

    static let cases = TrainingFixtures.families.flatMap { f in TransferMethod.allCases.map { Case(family: f, method: $0) } }
    static let labels = [1, 3]

    /// The case's graph; fresh lite residual branches get a non-zero final γ so that every branch tensor has a
    /// non-zero gradient to check.
    static func graph(_ c: Case, norm: NormMode = .frozenBatchNorm) throws -> TrainingGraph {
        var graph = TrainingGraph(subnet: try TrainingFixtures.minSubnet(c.family), method: c.method, classes: 5, seed: 11, norm: norm)
        var rng = SplitMix64(seed: 3)
        for i in graph.parameters.indices where graph.parameters[i].name.hasSuffix("final_bn.weight") {
            graph.parameters[i].values = graph.parameters[i].values.map { _ in Float.random(in: 0.5...1.5, using: &rng) }
        }
        return graph
    }

    static func trainer(_ graph: TrainingGraph, batch: Int = 2, optimizer: OptimizerChoice = .sgd, labelSmoothing: Float = 0.1,
                        gradients: GradientMode = .fused, chunking: Chunking = .automatic) throws -> Trainer {
        let r = TrainingFixtures.resolution(for: graph.method)
        return try Trainer(graph: graph, batch: batch, height: r, width: r,
                           optimizer: optimizer.make(parameterCounts: graph.trainableParameterCounts),
                           labelSmoothing: labelSmoothing, gradients: gradients, chunking: chunking, poisonsDeadTensors: true)
    }

    /// The backward pass against central differences of the whole graph's loss, per trainable tensor, along the
    /// tensor's own gradient direction u = g/|g|: (L(p + h·u) − L(p − h·u)) / 2h must equal g·u = |g|.
    ///
    /// Why a directional check: the loss is evaluated in Float (rounding noise ≈ 1e-6 of |L| ≈ 1.6 after ~60 ops,
    /// so ≈ 1e-3 in a quotient with h = 1e-3), and ReLU6 kinks lie densely around 0 after every frozen BN; single
    /// elements have gradients of 1e-2 and fail on noise and kinks at any h (measured: 10–40 % at h = 1e-2, shrinking
    /// with h — the signature of kinks, not of a wrong term). Along u the signal is |g| (every element at once),
    /// so a relative tolerance is meaningful: 3 % + 1e-3 on OFA-MobileNetV3 (mostly h-swish, smooth); 12 % + 1e-3
    /// on OFA-ProxylessNAS, whose ReLU6 maps of the random fixture supernet saturate at both kinks (measured worst
    /// 10 % on the first blocks at h = 1e-3, of either sign, and shrinking with h). A missing or wrong term in an
    /// op's backward is an O(1) error. The kernels themselves are checked element-wise to 1e-4 in Double by TensorsTests.
    @Test(arguments: cases)
    func gradientsMatchFiniteDifferences(_ c: Case) throws {
        let graph = try Self.graph(c)
        let trainer = try Self.trainer(graph, gradients: .accumulated)
        let images = TrainingFixtures.images(batch: 2, resolution: trainer.plan.height)
        trainer.zeroGradients()
        trainer.accumulateGradients(images: images, labels: Self.labels)
        #expect(trainer.measuredHighWaterBytes == trainer.plan.arenaBytes)
        let h = 1e-3
        var checked = 0
        for p in graph.parameters where p.trainable {
            let g = trainer.gradient(p.name).map(Double.init), original = trainer.parameterValues(p.name)
            #expect(g.allSatisfy { $0.isFinite }, "\(p.name): non-finite gradient")
            let norm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 1e-4 else { continue }
            func loss(_ sign: Double) -> Double {
                for i in g.indices { trainer.setParameterValue(p.name, at: i, to: Float(Double(original[i]) + sign * h * g[i] / norm)) }
                return Double(trainer.loss(images: images, labels: Self.labels))
            }
            let numeric = (loss(1) - loss(-1)) / (2 * h)
            for i in g.indices { trainer.setParameterValue(p.name, at: i, to: original[i]) }
            let tolerance = c.family.family == .ofaMobileNetV3 ? 3e-2 : 12e-2
            #expect(abs(numeric - norm) <= tolerance * norm + 1e-3, "\(c.testDescription) \(p.name): |g| \(norm), numeric \(numeric)")
            checked += 1
        }
        #expect(checked >= 2)
    }

    @Test(arguments: cases)
    func methodsTrainOnlyTheirSets(_ c: Case) throws {
        let graph = try Self.graph(c)
        let trainer = try Self.trainer(graph, optimizer: .adam)
        let images = TrainingFixtures.images(batch: 2, resolution: trainer.plan.height)
        let before = trainer.parameters()
        trainer.trainStep([(images, Self.labels)], learningRate: 1e-2)
        #expect(trainer.measuredHighWaterBytes == trainer.plan.arenaBytes)
        for ((name, old), p) in zip(before, graph.parameters) {
            let new = trainer.parameterValues(name)
            if p.trainable {
                #expect(new != old, "\(c.testDescription): trainable \(name) did not move")
            } else {
                #expect(new == old, "\(c.testDescription): frozen \(name) changed")
            }
        }
    }

    @Test(arguments: [TransferMethod.bias, .liteResidualBias])
    func lossDecreasesOnAFixedBatch(_ method: TransferMethod) throws {
        let graph = try Self.graph(Case(family: TrainingFixtures.proxyless, method: method))
        let trainer = try Self.trainer(graph, optimizer: .adam, labelSmoothing: 0)
        let images = TrainingFixtures.images(batch: 2, resolution: trainer.plan.height)
        var losses: [Float] = []
        for _ in 0..<20 { losses.append(trainer.trainStep([(images, Self.labels)], learningRate: 1e-2)) }
        let evaluation = trainer.evaluate(images: images, labels: Self.labels)
        print("\(method.rawValue) losses: \(losses.first!) → \(losses.last!), top-1 \(evaluation.top1)/\(evaluation.count)")
        #expect(losses.last! < 0.5 * losses.first!)
        #expect(evaluation.top1 == 2 && evaluation.top5 == 2)
    }

    /// Fused updates (each parameter stepped right after its op's backward, its gradient buffer reused at once)
    /// do the same arithmetic as accumulating all gradients and stepping at the end: identical bits after several
    /// steps, for every family and method, every optimizer — in less memory.
    @Test(arguments: cases)
    func fusedUpdatesEqualAccumulatedSteps(_ c: Case) throws {
        let graph = try Self.graph(c)
        for optimizer in OptimizerChoice.allCases {
            // One schedule for both: the automatic chunking could differ between the two arenas (other sum orders).
            let fused = try Self.trainer(graph, optimizer: optimizer, chunking: .none)
            let accumulated = try Self.trainer(graph, optimizer: optimizer, gradients: .accumulated, chunking: .none)
            let images = TrainingFixtures.images(batch: 2, resolution: fused.plan.height)
            for step in 0..<3 {
                let a = fused.trainStep([(images, Self.labels)], learningRate: 1e-2 / Double(step + 1))
                let b = accumulated.trainStep([(images, Self.labels)], learningRate: 1e-2 / Double(step + 1))
                #expect(a.bitPattern == b.bitPattern, "\(c.testDescription) step \(step)")
            }
            for p in graph.parameters where p.trainable {
                #expect(fused.parameterValues(p.name).map(\.bitPattern) == accumulated.parameterValues(p.name).map(\.bitPattern),
                        "\(c.testDescription) \(optimizer) \(p.name)")
            }
            #expect(fused.measuredHighWaterBytes == fused.plan.arenaBytes)
            #expect(fused.plan.arenaBytes < accumulated.plan.arenaBytes, "\(c.testDescription)")
            #expect(fused.plan.ledgerAtPeak[.gradients] < accumulated.plan.ledgerAtPeak[.gradients])
        }
    }

    /// Running the front of the network one image at a time (`ChunkedPrefix`) computes the same loss and
    /// gradients as the whole batch at once — up to the order of sums over the batch — for the planner's stage-end
    /// cuts and for arbitrary cuts where several values cross; fused training on it matches too, in less memory
    /// for the automatic choice.
    @Test(arguments: cases, [NormMode.frozenBatchNorm, .tinyTL])
    func chunkedPrefixComputesTheBatchGradients(_ c: Case, _ norm: NormMode) throws {
        let graph = try Self.graph(c, norm: norm)
        let whole = try Self.trainer(graph, gradients: .accumulated, chunking: .none)
        let images = TrainingFixtures.images(batch: 2, resolution: whole.plan.height)
        whole.zeroGradients()
        let loss = whole.accumulateGradients(images: images, labels: Self.labels)
        let f = graph.ops.count
        let stageEnds = Planner.chunkingCandidates(graph, whole.plan.shapes, batch: 2).map(\.ops)
        #expect(!stageEnds.isEmpty)
        for ops in stageEnds + [1, f / 3, f / 2, f - 1] {
            let chunked = try Self.trainer(graph, gradients: .accumulated, chunking: .prefix(ChunkedPrefix(ops: ops, images: 1)))
            chunked.zeroGradients()
            let l = chunked.accumulateGradients(images: images, labels: Self.labels)
            #expect(abs(l - loss) <= 1e-5 * abs(loss), "\(c.testDescription) prefix \(ops): loss \(l) vs \(loss)")
            for p in graph.parameters where p.trainable {
                let a = whole.gradient(p.name), b = chunked.gradient(p.name)
                let scale = max(a.map { abs($0) }.max()!, 1e-6), diff = zip(a, b).map { abs($0 - $1) }.max()!
                #expect(diff <= 1e-4 * scale, "\(c.testDescription) prefix \(ops) \(p.name): max |Δ| \(diff) of \(scale)")
            }
            #expect(chunked.measuredHighWaterBytes <= chunked.plan.arenaBytes)
        }
        let fused = try Self.trainer(graph, optimizer: .adam), plain = try Self.trainer(graph, optimizer: .adam, chunking: .none)
        for _ in 0..<2 {
            let a = fused.trainStep([(images, Self.labels)], learningRate: 1e-2), b = plain.trainStep([(images, Self.labels)], learningRate: 1e-2)
            #expect(abs(a - b) <= 1e-4 * abs(b))
        }
        #expect(fused.plan.arenaBytes <= plain.plan.arenaBytes)
        #expect(fused.evaluate(images: images, labels: Self.labels).count == 2)
    }

    @Test func trainingIsDeterministic() throws {
        let graph = try Self.graph(Case(family: TrainingFixtures.mbv3, method: .liteResidualBias))
        func run() throws -> ([Float], [[Float]]) {
            let trainer = try Self.trainer(graph, optimizer: .adam)
            let images = TrainingFixtures.images(batch: 2, resolution: trainer.plan.height)
            let losses = (0..<3).map { _ in trainer.trainStep([(images, Self.labels)], learningRate: 1e-2) }
            return (losses, trainer.parameters().map(\.values))
        }
        let (a, b) = (try run(), try run())
        #expect(a.0.map(\.bitPattern) == b.0.map(\.bitPattern))
        #expect(a.1.map { $0.map(\.bitPattern) } == b.1.map { $0.map(\.bitPattern) })
    }

    /// Two micro-batches of one image accumulate the gradient of the mean loss over both (frozen BN has no batch
    /// statistics, so batch-1 training computes the same thing in half the activation memory).
    @Test func microBatchesAccumulateTheBatchGradient() throws {
        let graph = try Self.graph(Case(family: TrainingFixtures.proxyless, method: .liteResidualBias))
        let whole = try Self.trainer(graph, gradients: .accumulated), halves = try Self.trainer(graph, batch: 1, gradients: .accumulated)
        let r = whole.plan.height, images = TrainingFixtures.images(batch: 2, resolution: r)
        let perImage = images.count / 2
        let first = Tensor(shape: [1, r, r, 3], values: Array(images.values[..<perImage]))
        let second = Tensor(shape: [1, r, r, 3], values: Array(images.values[perImage...]))
        whole.zeroGradients()
        let loss = whole.accumulateGradients(images: images, labels: Self.labels)
        halves.zeroGradients()
        let l1 = halves.accumulateGradients(images: first, labels: [Self.labels[0]], scale: 0.5)
        let l2 = halves.accumulateGradients(images: second, labels: [Self.labels[1]], scale: 0.5)
        #expect(abs(loss - (l1 + l2) / 2) <= 1e-5 * abs(loss))
        for p in graph.parameters where p.trainable {
            let a = whole.gradient(p.name), b = halves.gradient(p.name)
            let scale = max(a.map { abs($0) }.max()!, 1e-6)
            let diff = zip(a, b).map { abs($0 - $1) }.max()!
            #expect(diff <= 1e-4 * scale, "\(p.name): max |Δ| \(diff) of \(scale)")
        }
        #expect(halves.plan.arenaBytes < whole.plan.arenaBytes)
    }

    @Test func setParameterValuesOverwritesATensor() throws {
        let graph = try Self.graph(Case(family: TrainingFixtures.proxyless, method: .bias))
        let trainer = try Self.trainer(graph)
        let p = graph.parameters.first { $0.trainable }!
        let values = (0..<p.count).map { Float($0) * 0.25 }
        trainer.setParameterValues(p.name, values)
        #expect(trainer.parameterValues(p.name) == values)
        let total = Evaluation(count: 2, top1: 1, top5: 2, lossSum: 3) + Evaluation(count: 1, top1: 1, top5: 1, lossSum: 1)
        #expect(total == Evaluation(count: 3, top1: 2, top5: 3, lossSum: 4) && total.meanLoss == 4.0 / 3)
    }

    /// Labels that make the first image a top-1 hit and the second a miss: evaluation reports both per image, and a
    /// training step counts the same hit from its own forward (before its update), unchunked and chunked.
    @Test(arguments: [Chunking.none, .prefix(ChunkedPrefix(ops: 5, images: 1))])
    func stepsCountTheirTop1HitsAsEvaluationDoes(_ chunking: Chunking) throws {
        let graph = try Self.graph(Case(family: TrainingFixtures.mbv3, method: .liteResidualBias))
        let trainer = try Self.trainer(graph, chunking: chunking)
        let images = TrainingFixtures.images(batch: 2, resolution: trainer.plan.height)
        let logits = trainer.predict(images: images).values
        let best = (0..<2).map { r in (0..<5).max { logits[r * 5 + $0] < logits[r * 5 + $1] }! }
        let labels = [best[0], (best[1] + 1) % 5]
        #expect(trainer.evaluate(images: images, labels: labels).hits == [true, false])
        trainer.trainStep([(images, labels)], learningRate: 1e-2)
        #expect(trainer.stepTop1 == 1)
    }
}
