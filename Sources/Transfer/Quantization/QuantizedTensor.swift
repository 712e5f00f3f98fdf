import Tensors

/// A frozen weight tensor stored in 8 bits: a codebook of at most 256 Float32 values and one `UInt8` index
/// per element.
///
/// Concretely: element i of the tensor is `codebook[Int(indices[i])]`. TinyTL's `weight_quantization` only
/// *simulates* this (it writes the centroids back into float32 weights); here the indices are what is kept,
/// and a layer's weights are expanded into scratch with ``dequantize(into:)`` when the layer runs.
///
/// Layout: `indices` in the row-major order of `shape` (whatever layout the caller quantised, e.g. our conv
/// layout (O, kh, kw, I/groups)); `codebook` ascending when built by ``init(quantizing:shape:seed:iterations:)``.
///
/// - Complexity: memory N + 4·`codebook.count` bytes (≤ N + 1,024) instead of 4·N.
///
/// ### References
/// Cai, Gan, Zhu, Han, "TinyTL: Reduce Memory, Not Parameters for Efficient On-Device Learning",
/// NeurIPS 2020, <https://arxiv.org/abs/2007.11622> (§ frozen-weight quantisation; spec §5.7).
public struct QuantizedTensor: Sendable, Equatable {
    /// The largest codebook: 2⁸ entries.
    public static let maxCodebookCount = 256

    /// Shape of the tensor (row-major).
    public let shape: [Int]
    /// The distinct values the tensor may take (at most 256).
    public let codebook: [Float]
    /// One codebook index per element.
    public let indices: [UInt8]

    /// Number of elements N.
    public var count: Int { indices.count }

    /// Bytes this tensor occupies: N (indices) + 4 · codebook entries.
    public var byteCount: Int { indices.count + codebook.count * MemoryLayout<Float>.size }

    /// Bytes a quantised tensor of `elementCount` elements occupies at most: N + 4·min(256, N), i.e. N + 1,024
    /// for any real layer (TinyTL's formula counts only the N bytes).
    public static func byteCount(elementCount n: Int) -> Int { n + min(maxCodebookCount, n) * MemoryLayout<Float>.size }

    /// A tensor from stored parts (a checkpoint), checked.
    ///
    /// - Throws: ``TransferError`` when the index count does not match the shape, the codebook is empty or
    ///   longer than 256, or an index points past the codebook.
    public init(codebook: [Float], indices: [UInt8], shape: [Int]) throws(TransferError) {
        let n = shape.reduce(1, *)
        guard indices.count == n else { throw .quantizedCountMismatch(shape: shape, indices: indices.count) }
        guard codebook.count <= Self.maxCodebookCount, (codebook.count == 0) == (n == 0) else {
            throw .codebookSize(count: codebook.count, elements: n)
        }
        if let bad = indices.firstIndex(where: { Int($0) >= codebook.count }) {
            throw .codebookIndexOutOfRange(position: bad, index: indices[bad], codebookCount: codebook.count)
        }
        self.init(unchecked: codebook, indices: indices, shape: shape)
    }

    init(unchecked codebook: [Float], indices: [UInt8], shape: [Int]) {
        self.codebook = codebook; self.indices = indices; self.shape = shape
    }

    /// Writes the N float32 values into `out` (N elements, row-major): out[i] = codebook[indices[i]].
    ///
    /// - Complexity: O(N), one table look-up per element (about 1 ms per million elements).
    public func dequantize(into out: UnsafeMutablePointer<Float>) {
        codebook.withUnsafeBufferPointer { table in
            indices.withUnsafeBufferPointer { idx in
                guard let t = table.baseAddress, let ix = idx.baseAddress else { return }
                Self.dequantize(codebook: t, indices: ix, count: idx.count, into: out)
            }
        }
    }

    /// out[i] = codebook[indices[i]] for i < `count`: the expansion the trainer runs on the codebook and
    /// indices it keeps in its arena (every frozen 8-bit weight, every step), split across threads. Eight indices
    /// are read as one word and their eight values stored as one vector (a quarter faster than an element at a
    /// time).
    public static func dequantize(codebook: UnsafePointer<Float>, indices: UnsafePointer<UInt8>, count: Int,
                                  into out: UnsafeMutablePointer<Float>) {
        Parallelism.forEachChunk(count, minChunk: Parallelism.minimumValuesPerThread) { range in
            var i = range.lowerBound
            while i + 8 <= range.upperBound {
                let w = UnsafeRawPointer(indices + i).loadUnaligned(as: UInt64.self)
                func at(_ byte: UInt64) -> Float { codebook[Int(truncatingIfNeeded: (w >> (8 * byte)) & 0xFF)] }
                store8(SIMD8(at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7)), out + i)
                i += 8
            }
            while i < range.upperBound { out[i] = codebook[Int(indices[i])]; i += 1 }
        }
    }

    /// The N float32 values as an array.
    public func dequantized() -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress { dequantize(into: base) }
            initialized = count
        }
    }

    /// Mean squared error against the original values: (1/N)·Σ (original_i − dequantised_i)², in Double.
    public func meanSquaredError(to original: [Float]) -> Double {
        precondition(original.count == count, "original has \(original.count) values, tensor \(count)")
        guard count > 0 else { return 0 }
        var sum = 0.0
        for i in 0..<count {
            let d = Double(original[i]) - Double(codebook[Int(indices[i])])
            sum += d * d
        }
        return sum / Double(count)
    }
}
