import Foundation
import Tensors
import Testing
@testable import Transfer

/// 8-bit k-means quantisation of frozen weights (spec §5.7, §7 item 19).
struct QuantizedTensorTests {
    /// n samples of N(0, σ²) from SplitMix64 (Box–Muller), as float32.
    static func normal(_ n: Int, sigma: Double, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { _ in
            let u1 = (Double(rng.next() >> 11) + 1) * 0x1p-53, u2 = Double(rng.next() >> 11) * 0x1p-53
            return Float(sigma * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
        }
    }

    /// Checks that every value's index is a nearest centroid (in Double; ties allowed) and returns the
    /// number of values per centroid.
    static func expectNearest(_ values: [Float], _ q: QuantizedTensor, sourceLocation: SourceLocation = #_sourceLocation) {
        let c = q.codebook.map(Double.init)
        var bad = 0
        for (x, i) in zip(values, q.indices) {
            let v = Double(x), d = abs(v - c[Int(i)])
            // The codebook is ascending, so only the neighbours can be nearer.
            if i > 0 && abs(v - c[Int(i) - 1]) < d { bad += 1 }
            if Int(i) + 1 < c.count && abs(v - c[Int(i) + 1]) < d { bad += 1 }
        }
        #expect(bad == 0, "\(bad) values are not at their nearest centroid", sourceLocation: sourceLocation)
    }

    @Test func atMost256DistinctValuesAndNearestAssignment() {
        let values = Self.normal(50_000, sigma: 0.05, seed: 1)
        let (q, summary) = QuantizedTensor.fit(values, shape: [50, 1000], seed: 7)
        #expect(q.codebook.count == 256 && summary.distinctValues > 256)
        #expect(q.codebook == q.codebook.sorted() && Set(q.codebook).count == 256)
        #expect(Set(q.dequantized()).count <= 256)
        #expect(summary.iterations <= 20)
        Self.expectNearest(values, q)
        #expect(abs(summary.meanSquaredError - q.meanSquaredError(to: values)) <= 1e-9 * summary.meanSquaredError)
        #expect(q.byteCount == 50_000 + 1_024 && QuantizedTensor.byteCount(elementCount: 50_000) == q.byteCount)
    }

    @Test func convergedCentroidsAreTheMeansOfTheirValues() {
        let values = Self.normal(20_000, sigma: 0.05, seed: 2) + Self.normal(5_000, sigma: 0.5, seed: 3)
        let (q, summary) = QuantizedTensor.fit(values, shape: [values.count], seed: 3, iterations: 100_000)
        print("converged after \(summary.iterations) Lloyd iterations, MSE \(summary.meanSquaredError)")
        #expect(summary.converged)
        Self.expectNearest(values, q)
        var sums = [Double](repeating: 0, count: q.codebook.count), counts = sums
        for (x, i) in zip(values, q.indices) { sums[Int(i)] += Double(x); counts[Int(i)] += 1 }
        for (j, c) in q.codebook.enumerated() {
            #expect(counts[j] > 0, "cluster \(j) is empty")
            let mean = sums[j] / counts[j]
            #expect(abs(Double(c) - mean) <= 1e-6 * abs(mean), "centroid \(j): \(c) vs mean \(mean)")
        }
    }

    @Test(arguments: [1, 10, 255, 256, 10_000])
    func fewDistinctValuesAreReproducedExactly(_ n: Int) throws {
        var rng = SplitMix64(seed: UInt64(n))
        let palette = (0..<min(n, 200)).map { _ in Float.random(in: -1...1, using: &rng) } + (n >= 256 ? [0, -3, 2.5] : [])
        let values = n == 256 ? (0..<256).map { Float($0) * 0.01 - 1 } : (0..<n).map { palette[$0 % palette.count] }
        let (q, summary) = QuantizedTensor.fit(values, shape: [n], seed: 0)
        #expect(q.dequantized() == values)
        #expect(q.codebook.count == Set(values).count && summary.converged && summary.meanSquaredError == 0)
    }

    @Test func sameSeedSameTensorOtherSeedOtherCentroids() {
        let values = Self.normal(30_000, sigma: 1, seed: 4)
        let a = QuantizedTensor(quantizing: values, shape: [values.count], seed: 11)
        let b = QuantizedTensor(quantizing: values, shape: [values.count], seed: 11)
        let c = QuantizedTensor(quantizing: values, shape: [values.count], seed: 12)
        #expect(a == b)
        #expect(a.codebook != c.codebook)
    }

    @Test func emptyTensor() throws {
        let q = QuantizedTensor(quantizing: [], shape: [0, 3], seed: 0)
        #expect(q.codebook.isEmpty && q.indices.isEmpty && q.byteCount == 0 && q.dequantized().isEmpty)
    }

    @Test func dequantizeIntoScratch() {
        let values = Self.normal(4_097, sigma: 0.1, seed: 5)
        let q = QuantizedTensor(quantizing: values, shape: [4_097], seed: 0, iterations: 5)
        var scratch = [Float](repeating: .nan, count: 4_097)
        scratch.withUnsafeMutableBufferPointer { q.dequantize(into: $0.baseAddress!) }
        #expect(scratch == q.indices.map { q.codebook[Int($0)] })
        // Long enough to be split across threads.
        var rng = SplitMix64(seed: 8)
        let codebook = (0..<256).map { _ in Float.random(in: -1...1, using: &rng) }
        let indices = (0..<100_003).map { _ in UInt8.random(in: 0...255, using: &rng) }
        var expanded = [Float](repeating: .nan, count: indices.count)
        expanded.withUnsafeMutableBufferPointer {
            QuantizedTensor.dequantize(codebook: codebook, indices: indices, count: indices.count, into: $0.baseAddress!)
        }
        #expect(expanded == indices.map { codebook[Int($0)] })
    }

    @Test func storedPartsAreChecked() throws {
        let q = try QuantizedTensor(codebook: [-1, 0, 2], indices: [0, 2, 1, 1], shape: [2, 2])
        #expect(q.dequantized() == [-1, 2, 0, 0])
        #expect(throws: TransferError.quantizedCountMismatch(shape: [3], indices: 2)) {
            try QuantizedTensor(codebook: [1], indices: [0, 0], shape: [3])
        }
        #expect(throws: TransferError.codebookSize(count: 257, elements: 1)) {
            try QuantizedTensor(codebook: [Float](repeating: 0, count: 257), indices: [0], shape: [1])
        }
        #expect(throws: TransferError.codebookIndexOutOfRange(position: 1, index: 3, codebookCount: 3)) {
            try QuantizedTensor(codebook: [1, 2, 3], indices: [0, 3], shape: [2])
        }
        #expect(TransferError.codebookSize(count: 0, elements: 4).description.contains("expected 1...256"))
    }

    /// A realistic layer: 10⁶ weights from N(0, 0.05²), TinyTL's 20 iterations.
    @Test func oneMillionWeightsQuantiseFinely() {
        let values = Self.normal(1_000_000, sigma: 0.05, seed: 6)
        let (q, summary) = QuantizedTensor.fit(values, shape: [1_000, 1_000], seed: 0)
        #expect(q.codebook.count == 256)
        #expect(summary.meanSquaredError < 1e-6)   // ≈ 2.5e-3 / 256² · a few: far below the weights' variance
    }
}

extension QuantizedTensorTests {
    @Test func radixSortAgreesWithSort() {
        var values = Self.normal(10_000, sigma: 3, seed: 8)
        values += [0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .greatestFiniteMagnitude,
                   -.greatestFiniteMagnitude, 1, -1, 1, 0]
        let r = values.radixSorted()
        #expect(r == values.sorted())
        #expect(r.firstIndex(of: -.greatestFiniteMagnitude) == 0 && r.last == .greatestFiniteMagnitude)
    }
}
