import Testing
@testable import Tensors

/// Weight standardisation: the forward's statistics, and the backward against central differences in Double.
struct WeightStandardizationTests {
    static func standardized(_ w: [Double], eps: Double) -> [Double] {
        let mean = w.reduce(0, +) / Double(w.count)
        let s = (w.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(w.count - 1)).squareRoot()
        return w.map { ($0 - mean) / (s + eps) }
    }

    @Test(arguments: [false, true])
    func backwardMatchesFiniteDifferences(channelLast: Bool) {
        let o = 3, k = 5, eps: Float = 1e-5
        var rng = SplitMix64(seed: 4)
        let w = (0..<(o * k)).map { _ in Float.random(in: -1...1, using: &rng) }
        let g = (0..<(o * k)).map { _ in Float.random(in: -1...1, using: &rng) }
        func index(_ c: Int, _ j: Int) -> Int { channelLast ? j * o + c : c * k + j }
        // L = Σ g·w′ in Double from the plain formula.
        func loss(_ w: [Double]) -> Double {
            var total = 0.0
            for c in 0..<o {
                let row = Self.standardized((0..<k).map { w[index(c, $0)] }, eps: Double(eps))
                for j in 0..<k { total += Double(g[index(c, j)]) * row[j] }
            }
            return total
        }
        var out = [Float](repeating: 0, count: o * k), dw = [Float](repeating: 0, count: o * k)
        weightStandardizeForward(w, outChannels: o, perChannel: k, channelLast: channelLast, eps: eps, out: &out)
        for c in 0..<o {
            let expected = Self.standardized((0..<k).map { Double(w[index(c, $0)]) }, eps: Double(eps))
            for j in 0..<k { #expect(abs(Double(out[index(c, j)]) - expected[j]) < 1e-6) }
        }
        weightStandardizeBackward(w, dOut: g, outChannels: o, perChannel: k, channelLast: channelLast, eps: eps, dw: &dw)
        let h = 1e-6
        for i in w.indices {
            var plus = w.map(Double.init), minus = plus
            plus[i] += h; minus[i] -= h
            let numeric = (loss(plus) - loss(minus)) / (2 * h)
            #expect(abs(numeric - Double(dw[i])) < 1e-4 * max(1, abs(numeric)), "index \(i): \(dw[i]) vs \(numeric)")
        }
    }
}
