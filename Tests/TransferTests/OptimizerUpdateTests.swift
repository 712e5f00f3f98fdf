import Tensors
import Testing
@testable import Transfer

/// The vectorised, multi-threaded Adam and SGD updates against their scalar reference loops: bit for bit, since
/// every lane performs the scalar formula's operations in the same order.
struct OptimizerUpdateTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let beta1: Double, weightDecay: Double, step: Int
        var testDescription: String { "β₁ \(beta1), λ \(weightDecay), step \(step)" }
    }

    /// Both `lerp_` branches (1 − β₁ below and above 0.5), with and without weight decay, early and late steps.
    static let cases = [0.9, 0.3].flatMap { b1 in [0, 0.01].flatMap { wd in [1, 7].map { Case(beta1: b1, weightDecay: wd, step: $0) } } }

    static func randomState(_ n: Int, seed: UInt64) -> (p: [Float], g: [Float], m: [Float], v: [Float]) {
        var rng = SplitMix64(seed: seed)
        func values(_ range: ClosedRange<Float>) -> [Float] { (0..<n).map { _ in Float.random(in: range, using: &rng) } }
        return (values(-1...1), values(-0.1...0.1), values(-0.05...0.05), values(0...0.01))
    }

    @Test(arguments: cases)
    func adamVectorisedMatchesReferenceBitForBit(_ c: Case) {
        let n = 1_003   // 125 SIMD8 blocks and a tail of 3
        let u = AdamUpdate(lr: 1e-3, step: c.step, beta1: c.beta1, beta2: 0.999, eps: 1e-8, weightDecay: c.weightDecay)
        var fast = Self.randomState(n, seed: 5), slow = fast
        fast.p.withUnsafeMutableBufferPointer { p in fast.m.withUnsafeMutableBufferPointer { m in fast.v.withUnsafeMutableBufferPointer { v in
            u.apply(p.baseAddress!, fast.g, m.baseAddress!, v.baseAddress!, count: n)
        } } }
        slow.p.withUnsafeMutableBufferPointer { p in slow.m.withUnsafeMutableBufferPointer { m in slow.v.withUnsafeMutableBufferPointer { v in
            u.applyReference(p.baseAddress!, slow.g, m.baseAddress!, v.baseAddress!, count: n)
        } } }
        #expect(fast.p.map(\.bitPattern) == slow.p.map(\.bitPattern))
        #expect(fast.m.map(\.bitPattern) == slow.m.map(\.bitPattern))
        #expect(fast.v.map(\.bitPattern) == slow.v.map(\.bitPattern))
    }

    struct SGDCase: CustomTestStringConvertible, Sendable {
        let momentum: Double, nesterov: Bool, weightDecay: Double, first: Bool
        var testDescription: String { "μ \(momentum)\(nesterov ? " nesterov" : ""), λ \(weightDecay)\(first ? ", first step" : "")" }
    }

    static let sgdCases = [(0.0, false), (0.9, false), (0.9, true)].flatMap { mu, nesterov in
        [0, 0.01].flatMap { wd in [true, false].map { SGDCase(momentum: mu, nesterov: nesterov, weightDecay: wd, first: $0) } }
    }

    @Test(arguments: sgdCases)
    func sgdVectorisedMatchesReferenceBitForBit(_ c: SGDCase) {
        let n = 1_003
        let u = SGDUpdate(lr: 0.05, momentum: c.momentum, nesterov: c.nesterov, weightDecay: c.weightDecay, first: c.first)
        var fast = Self.randomState(n, seed: 7), slow = fast
        let withBuffer = c.momentum != 0
        fast.p.withUnsafeMutableBufferPointer { p in fast.m.withUnsafeMutableBufferPointer { b in
            u.apply(p.baseAddress!, fast.g, withBuffer ? b.baseAddress! : nil, count: n)
        } }
        slow.p.withUnsafeMutableBufferPointer { p in slow.m.withUnsafeMutableBufferPointer { b in
            u.applyReference(p.baseAddress!, slow.g, withBuffer ? b.baseAddress! : nil, count: n)
        } }
        #expect(fast.p.map(\.bitPattern) == slow.p.map(\.bitPattern))
        #expect(fast.m.map(\.bitPattern) == slow.m.map(\.bitPattern))
    }

    /// `Adam.step` on a tensor large enough to be split across threads equals the reference on one thread.
    @Test func splitTensorMatchesReference() {
        let n = 3 * optimizerMinChunk + 5
        let start = Self.randomState(n, seed: 9)
        var adam = Adam(parameterCounts: [n], weightDecay: 0.01)
        var p = start.p
        var m = [Float](repeating: 0, count: n), v = m
        for _ in 1...3 {
            p.withUnsafeMutableBufferPointer { p in
                start.g.withUnsafeBufferPointer { adam.step(0, parameters: p, gradients: $0, lr: 1e-3) }
            }
        }
        var q = start.p
        for step in 1...3 {
            let u = AdamUpdate(lr: 1e-3, step: step, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01)
            q.withUnsafeMutableBufferPointer { q in m.withUnsafeMutableBufferPointer { m in v.withUnsafeMutableBufferPointer { v in
                u.applyReference(q.baseAddress!, start.g, m.baseAddress!, v.baseAddress!, count: n)
            } } }
        }
        #expect(p.map(\.bitPattern) == q.map(\.bitPattern))
        #expect(adam.states[0].m.map(\.bitPattern) == m.map(\.bitPattern) && adam.states[0].v.map(\.bitPattern) == v.map(\.bitPattern))
    }
}
