import Foundation
import OFATestSupport
import Supernets
import Tensors
import Testing
@testable import Transfer

/// Optimiser state kept in the arena, read back and restored: a run split in two equals one uninterrupted run.
struct TrainerResumeTests {
    @Test(arguments: OptimizerChoice.allCases)
    func resumingFromParametersAndOptimizerStateContinuesExactly(_ optimizer: OptimizerChoice) throws {
        let c = TrainerTests.Case(family: TrainingFixtures.proxyless, method: .liteResidualBias)
        let graph = try TrainerTests.graph(c).quantizingFrozenWeights()
        let images = TrainingFixtures.images(batch: 2, resolution: TrainingFixtures.resolution(for: c.method))
        func steps(_ trainer: Trainer, _ n: Int) -> [Float] {
            (0..<n).map { trainer.trainStep([(images, TrainerTests.labels)], learningRate: 1e-2 / Double($0 + 1)) }
        }
        let whole = try TrainerTests.trainer(graph, optimizer: optimizer, gradients: .accumulated)
        let all = steps(whole, 2) + steps(whole, 2)

        let first = try TrainerTests.trainer(graph, optimizer: optimizer)
        let before = steps(first, 2)
        let saved = first.optimizer, values = first.parameters()
        let restored: any Optimizer
        switch saved {
        case let saved as Adam:
            var o = Adam(parameterCounts: graph.trainableParameterCounts)
            try o.restore(saved.states)
            #expect(saved.states.allSatisfy { $0.step == 2 && $0.m.count == $0.v.count && !$0.m.isEmpty })
            restored = o
        case let saved as Adam8:
            var o = Adam8(parameterCounts: graph.trainableParameterCounts)
            try o.restore(saved.states)
            #expect(saved.states.allSatisfy { $0.step == 2 && $0.codes1.count == $0.codes2.count && !$0.absmax1.isEmpty })
            restored = o
        default:
            var o = SGD(parameterCounts: graph.trainableParameterCounts, momentum: 0.9)
            try o.restore((saved as! SGD).states)
            restored = o
        }
        let second = try Trainer(graph: graph, batch: 2, height: first.plan.height, width: first.plan.width, optimizer: restored,
                                 labelSmoothing: 0.1, poisonsDeadTensors: true)
        for (name, v) in values where graph.parameters[graph.parameterIndex(name)!].trainable { second.setParameterValues(name, v) }
        let after = steps(second, 2)
        #expect((before + after).map(\.bitPattern) == all.map(\.bitPattern))
        #expect(second.parameters().map { $0.values.map(\.bitPattern) } == whole.parameters().map { $0.values.map(\.bitPattern) })
        #expect(second.measuredHighWaterBytes == second.plan.arenaBytes)
    }

    /// The trainer's arena-held optimizer state equals a standalone optimizer stepped on the same gradients, and the
    /// arena holds exactly the state the optimizer declares.
    @Test(arguments: OptimizerChoice.allCases)
    func arenaStateEqualsTheStandaloneOptimizer(_ optimizer: OptimizerChoice) throws {
        let c = TrainerTests.Case(family: TrainingFixtures.mbv3, method: .bias)
        let graph = try TrainerTests.graph(c)
        let trainer = try TrainerTests.trainer(graph, optimizer: optimizer, gradients: .accumulated)
        let images = TrainingFixtures.images(batch: 2, resolution: trainer.plan.height)
        var reference = optimizer.make(parameterCounts: graph.trainableParameterCounts)
        let planned = trainer.plan.tensors.filter { $0.category == .optimizerState }.reduce(0) { $0 + $1.bytes }
        #expect(planned == reference.stateBytes && planned > 0)
        var values = graph.parameters.filter(\.trainable).map(\.values)
        for _ in 0..<3 {
            trainer.zeroGradients()
            trainer.accumulateGradients(images: images, labels: TrainerTests.labels)
            let gradients = graph.parameters.filter(\.trainable).map { trainer.gradient($0.name) }
            trainer.applyOptimizer(learningRate: 1e-2)
            reference.step(parameters: &values, gradients: gradients, lr: 1e-2)
            #expect(graph.parameters.filter(\.trainable).map { trainer.parameterValues($0.name) } == values)
        }
        switch (trainer.optimizer, reference) {
        case let (a as Adam, b as Adam): #expect(a.states == b.states)
        case let (a as Adam8, b as Adam8): #expect(a.states == b.states && a.states.allSatisfy { $0.step == 3 })
        case let (a as SGD, b as SGD): #expect(a.states == b.states)
        default: Issue.record("optimizer type changed")
        }
    }
}
