import Tensors
import Testing
@testable import Transfer

/// Adam8's quantisation map, its code search, its block-parallel update and its state size.
struct Adam8Tests {
    @Test func mapsAreSortedAndSpanTheirRange() {
        for (map, low) in [(QuantizationMap.signed, Float(-1)), (QuantizationMap.unsigned, Float(0))] {
            #expect(map.values.count == 256)
            #expect(zip(map.values, map.values.dropFirst()).allSatisfy { $0 < $1 })
            #expect(map.values.last == 1 && map.values[Int(map.zeroCode)] == 0)
            #expect(map.values.first! >= low && map.values.first! < low + 0.05)
        }
        // Signed: 127 negative and 127 positive midpoints, the smallest magnitude 0.55·10⁻⁶ (the midpoint of 0.1 and 1);
        // unsigned: the smallest 0.325·10⁻⁶ (of linspace(0.1, 1, 3)).
        let signed = QuantizationMap.signed
        #expect(signed.values.filter { $0 < 0 }.count == 127 && signed.values.contains(-signed.values[200]))
        #expect(abs(signed.values[Int(signed.zeroCode) + 1] - 0.55e-6) < 1e-12)
        #expect(abs(QuantizationMap.unsigned.values[1] - 0.325e-6) < 1e-12)
    }

    /// The binary search picks the same code as trying all 256, on map values, midpoints between them (ties) and
    /// random values.
    @Test func nearestCodeEqualsExhaustiveSearch() {
        var rng = SplitMix64(seed: 8)
        for map in [QuantizationMap.signed, QuantizationMap.unsigned] {
            let lo = map.values.first!
            var xs = map.values + zip(map.values, map.values.dropFirst()).map { ($0 + $1) / 2 }
            xs += (0..<20_000).map { _ in Float.random(in: lo...1, using: &rng) }
            xs += (0..<5_000).map { _ in Float.random(in: -1e-4...1e-4, using: &rng) }.filter { $0 >= lo }
            for x in xs { #expect(map.nearest(x) == map.nearestReference(x), "x = \(x)") }
        }
    }

    @Test func stateSizeIsTwoBytesPerValueAndTwoScalesPerBlock() {
        let size = OptimizerStateSize.blockwise8Bit(blockSize: 2_048)
        #expect(size.bytes(count: 5_000) == 2 * 5_000 + 8 * 3)
        #expect(size.bytes(count: 37) == 84 && size.bytes(count: 2_048) == 4_104 && size.bytes(count: 0) == 0)
        #expect(Adam8(parameterCounts: [5_000, 37]).stateBytes == 10_024 + 84)
        #expect(OptimizerStateSize.floats(perValue: 2).bytes(count: 37) == Adam(parameterCounts: [37]).stateBytes)
    }

    static func run(_ optimizer: inout some Optimizer, steps: Int, n: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        var p = [(0..<n).map { _ in Float.random(in: -1...1, using: &rng) }]
        let scale = (0..<n).map { i in Float(i % 7 == 0 ? 0.1 : 1) }
        for s in 0..<steps {
            let g = [(0..<n).map { i in i == 3 ? 0 : scale[i] * (0.3 * p[0][i] + Float.random(in: -0.1...0.1, using: &rng)) }]
            optimizer.step(parameters: &p, gradients: g, lr: 1e-2 / Double(1 + s / 5))
        }
        return p[0]
    }

    /// Blocks are independent: one thread and several give the same bits.
    @Test func updateIsTheSameForAnyThreadCount() {
        let n = 3 * 2_048 + 17
        let saved = Parallelism.threads
        defer { Parallelism.setThreads(saved) }
        var results: [[UInt32]] = []
        for threads in [1, 3] {
            Parallelism.setThreads(threads)
            var o = Adam8(parameterCounts: [n])
            results.append(Self.run(&o, steps: 4, n: n, seed: 2).map(\.bitPattern))
        }
        #expect(results[0] == results[1])
    }

    /// 8-bit moments follow float32 Adam: after 30 noisy steps the parameters' distance from float32 Adam's is a
    /// few percent of how far Adam moved them (measured: median 0.5 %, worst 6 % of the largest move), where a wrong
    /// scale, code or bias correction is off by tens of percent or more.
    @Test func tracksFloat32Adam() {
        let n = 2 * 2_048 + 300
        var a = Adam(parameterCounts: [n]), b = Adam8(parameterCounts: [n])
        var rng = SplitMix64(seed: 4)
        let start = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
        let full = Self.run(&a, steps: 30, n: n, seed: 4), quantised = Self.run(&b, steps: 30, n: n, seed: 4)
        let moved = (0..<n).map { abs(full[$0] - start[$0]) }, largest = moved.max()!
        let relative = (0..<n).map { abs(quantised[$0] - full[$0]) / largest }.sorted()
        #expect(relative[n / 2] < 0.01 && relative.last! < 0.1 && relative.last! > 0)
    }
}
