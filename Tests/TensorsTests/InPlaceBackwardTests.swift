import Testing
@testable import Tensors

/// The in-place backward variants (a gradient buffer shared by an op's output and input) equal the accumulating
/// kernels run onto a zeroed dx, bit for bit (up to the sign of zero).
struct InPlaceBackwardTests {
    static func random(_ n: Int, seed: UInt64, in range: ClosedRange<Float> = -2...2) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { _ in Float.random(in: range, using: &rng) }
    }

    static func same(_ a: [Float], _ b: [Float]) -> Bool { zip(a, b).allSatisfy { $0 == $1 } && a.count == b.count }

    @Test(arguments: [Activation.relu, .relu6, .hswish, .hsigmoid, .sigmoid])
    func activationInPlaceEqualsAccumulating(_ f: Activation) {
        let n = 1000 + 37, x = Self.random(n, seed: 1, in: -8...8), dy = Self.random(n, seed: 2)
        var dx = [Float](repeating: 0, count: n), g = dy
        if f.backwardNeedsOnlyMask {
            var mask = [UInt64](repeating: 0, count: activationMaskWordCount(n))
            activationMask(f, values: x, count: n, mask: &mask)
            reluBackward(dy: dy, mask: mask, count: n, dx: &dx)
            reluBackwardInPlace(&g, mask: mask, count: n)
        } else {
            activationBackward(f, x: x, dy: dy, count: n, dx: &dx)
            activationBackwardInPlace(f, x: x, &g, count: n)
        }
        #expect(Self.same(dx, g))
    }

    @Test func frozenBatchNormInPlaceEqualsAccumulating() {
        let rows = 50, c = 13, x = Self.random(rows * c, seed: 3), dy = Self.random(rows * c, seed: 4)
        let gamma = Self.random(c, seed: 5), mean = Self.random(c, seed: 6), variance = Self.random(c, seed: 7, in: 0.5...2)
        var dx = [Float](repeating: 0, count: rows * c), dg = [Float](repeating: 0, count: c), db = dg, g = dy
        var dg2 = dg, db2 = dg
        batchNormInferenceBackward(dy: dy, x: x, rows: rows, channels: c, gamma: gamma, mean: mean, variance: variance, eps: 1e-3,
                                   dx: &dx, dgamma: &dg, dbeta: &db)
        batchNormInferenceBackwardInPlace(&g, x: x, rows: rows, channels: c, gamma: gamma, mean: mean, variance: variance, eps: 1e-3,
                                          dgamma: &dg2, dbeta: &db2)
        #expect(Self.same(dx, g) && Self.same(dg, dg2) && Self.same(db, db2))
    }
}
