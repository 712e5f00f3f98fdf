import Foundation
import OFATestSupport
import Testing
import Transfer

/// Adam and SGD against torch.optim trajectories (Tests/Fixtures/optim, generate.py): 5 steps on two tensors
/// with fixed gradients and per-step learning rates; parameters and state after every step.
struct OptimizerParityTests {
    struct Fixture: Decodable {
        let format: String, format_version: Int, torch_version: String
        let shapes: [[Int]], initial: [[Float]], gradients: [[[Float]]], cases: [Case]
    }
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name: String, optimizer: String, hyper: Hyper, lrs: [Double], trajectory: [Step]
        var testDescription: String { name }
    }
    struct Hyper: Decodable, Sendable {
        let beta1: Double?, beta2: Double?, eps: Double?, momentum: Double?, nesterov: Bool?, weight_decay: Double
    }
    struct Step: Decodable, Sendable { let params: [[Float]]; let state: [TensorState] }
    struct TensorState: Decodable, Sendable { let step: Int?; let m: [Float]?; let v: [Float]?; let momentum_buffer: [Float]? }

    static let fixture: Fixture = {
        let url = TestPaths.fixture("optim/optim.json")
        guard let data = try? Data(contentsOf: url), let file = try? JSONDecoder().decode(Fixture.self, from: data),
              file.format == "ofa-search/optim-fixtures", file.format_version == 1
        else { fatalError("unreadable fixture \(url.path): regenerate with Tests/Fixtures/optim/generate.py") }
        return file
    }()

    static let rtol = 1e-6, atol = 1e-7

    static func expectClose(_ a: [Float], _ e: [Float], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let c = Closeness(a, e, atol: atol, rtol: rtol)
        #expect(c.passes, "\(what): \(c)", sourceLocation: sourceLocation)
    }

    static func makeOptimizer(_ c: Case, counts: [Int]) -> any Optimizer {
        let h = c.hyper
        if c.optimizer == "adam" {
            return Adam(parameterCounts: counts, beta1: h.beta1!, beta2: h.beta2!, eps: h.eps!, weightDecay: h.weight_decay)
        }
        return SGD(parameterCounts: counts, momentum: h.momentum!, nesterov: h.nesterov!, weightDecay: h.weight_decay)
    }

    @Test(arguments: fixture.cases)
    func matchesTorchOptim(_ c: Case) {
        let f = Self.fixture
        var optimizer = Self.makeOptimizer(c, counts: f.initial.map(\.count))
        var params = f.initial
        for (s, expected) in c.trajectory.enumerated() {
            optimizer.step(parameters: &params, gradients: f.gradients[s], lr: c.lrs[s])
            for t in params.indices {
                Self.expectClose(params[t], expected.params[t], "\(c.name) step \(s + 1) tensor \(t) params")
                let want = expected.state[t]
                if let adam = optimizer as? Adam {
                    #expect(adam.states[t].step == want.step)
                    Self.expectClose(adam.states[t].m, want.m!, "\(c.name) step \(s + 1) tensor \(t) exp_avg")
                    Self.expectClose(adam.states[t].v, want.v!, "\(c.name) step \(s + 1) tensor \(t) exp_avg_sq")
                } else if let sgd = optimizer as? SGD, sgd.momentum != 0 {
                    Self.expectClose(sgd.states[t].momentumBuffer, want.momentum_buffer!, "\(c.name) step \(s + 1) tensor \(t) momentum_buffer")
                }
            }
        }
    }

    @Test func fixtureCoversAdamAndSGD() {
        #expect(Self.fixture.cases.count == 6 && Self.fixture.cases.allSatisfy { $0.trajectory.count == 5 })
        #expect(Set(Self.fixture.cases.map(\.optimizer)) == ["adam", "sgd"])
    }

    @Test func stateBytesCountMomentsOnly() {
        #expect(Adam(parameterCounts: [6, 4]).stateBytes == 80 && Adam(parameterCounts: [1_000]).stateBytes == 8_000)
        #expect(SGD(parameterCounts: [6, 4]).stateBytes == 40 && SGD(parameterCounts: [6, 4], momentum: 0).stateBytes == 0)
    }

    /// Saving the state after 3 steps and restoring it into a fresh optimiser continues the same trajectory.
    @Test(arguments: ["adam-betas-eps-wd", "sgd-nesterov-wd"])
    func restoredStateContinuesExactly(_ name: String) throws {
        let f = Self.fixture, c = f.cases.first { $0.name == name }!
        let counts = f.initial.map(\.count)
        var params = f.initial
        var first = Self.makeOptimizer(c, counts: counts)
        for s in 0..<3 { first.step(parameters: &params, gradients: f.gradients[s], lr: c.lrs[s]) }
        var second = Self.makeOptimizer(c, counts: counts)
        if var adam = second as? Adam {
            try adam.restore((first as! Adam).states); second = adam
        } else if var sgd = second as? SGD {
            try sgd.restore((first as! SGD).states); second = sgd
        }
        var continued = params
        for s in 3..<5 {
            first.step(parameters: &params, gradients: f.gradients[s], lr: c.lrs[s])
            second.step(parameters: &continued, gradients: f.gradients[s], lr: c.lrs[s])
        }
        #expect(params == continued)
    }

    @Test func restoreRejectsMismatchedState() {
        var adam = Adam(parameterCounts: [6, 4])
        #expect(throws: TransferError.optimizerTensorCount(expected: 2, actual: 1)) {
            try adam.restore([Adam.State(step: 1, m: [Float](repeating: 0, count: 6), v: [Float](repeating: 0, count: 6))])
        }
        var sgd = SGD(parameterCounts: [6, 4])
        #expect(throws: TransferError.optimizerStateMismatch(tensor: 1, expected: 4, actual: 3)) {
            try sgd.restore([SGD.State(step: 2, momentumBuffer: [Float](repeating: 0, count: 6)),
                             SGD.State(step: 2, momentumBuffer: [0, 0, 0])])
        }
    }

    /// Summing the gradients of two equal micro-batches and averaging gives the full batch's mean gradient.
    @Test func gradientAccumulationAverages() {
        var accumulated: [Float] = [0, 0, 0]
        for micro in [[1, -2, 4], [3, 2, 0.5]] as [[Float]] { for i in 0..<3 { accumulated[i] += micro[i] } }
        accumulated.withUnsafeMutableBufferPointer { GradientAccumulation.average($0, microBatches: 2) }
        #expect(accumulated == [2, 0, 2.25])
    }
}
