/// Gzip (deflate) compression, optionally after the byte-shuffle filter, as h5py's
/// `compression="gzip", compression_opts=level, shuffle=True`.
///
/// Shuffle groups the n-th bytes of all elements together before deflate; for float weights it
/// typically improves the ratio noticeably at little cost. Compression needs chunked storage:
/// see ``HDF5Compression/defaultChunkShape(for:elementBytes:targetBytes:)``.
public struct HDF5Compression: Hashable, Sendable {
    /// Deflate level, 0 (store) ... 9 (smallest).
    public var gzipLevel: Int
    /// Whether the shuffle filter runs before deflate.
    public var shuffle: Bool

    /// Gzip at `level` (clamped to 0...9), with shuffle unless told otherwise.
    public static func gzip(level: Int = 4, shuffle: Bool = true) -> HDF5Compression {
        HDF5Compression(gzipLevel: min(max(level, 0), 9), shuffle: shuffle)
    }

    /// Chunk shape used when the caller gives none: the whole dataset if it fits in `targetBytes`
    /// (1 MiB, the size of libhdf5's default chunk cache), otherwise whole trailing rows, splitting the
    /// leading axes first, so that one chunk stays at most about `targetBytes`.
    ///
    /// Concretely: for axis i from the first, if `prod(chunk[i...]) * elementBytes > targetBytes` then
    /// `chunk[i] = max(1, targetBytes / (prod(chunk[(i+1)...]) * elementBytes))`.
    /// Example: float32 [1280, 1000] (5 MB) gives [262, 1000]; [64, 3, 3] gives [64, 3, 3].
    /// - Precondition: every dimension is positive.
    public static func defaultChunkShape(
        for shape: [Int], elementBytes: Int, targetBytes: Int = 1 << 20
    ) -> [Int] {
        precondition(shape.allSatisfy { $0 > 0 } && elementBytes > 0, "chunking needs positive dimensions")
        var chunk = shape
        for axis in chunk.indices {
            let inner = chunk[(axis + 1)...].reduce(elementBytes, *)
            if inner * chunk[axis] <= targetBytes { break }
            chunk[axis] = max(1, targetBytes / inner)
            if chunk[axis] > 1 { break }
        }
        return chunk
    }
}
