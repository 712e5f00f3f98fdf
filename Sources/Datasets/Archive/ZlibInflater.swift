import CZlib

/// Streaming zlib/gzip decompression: the single owner of one zlib `z_stream`.
///
/// Concretely: `inflate` consumes compressed bytes and appends what they decode to, until the stream's end
/// marker; for gzip, zlib itself checks the trailer's CRC-32 and length.
///
/// The `z_stream` is allocated once, initialised with `inflateInit2_`, and freed with `inflateEnd` in
/// `deinit` (STYLE item 3). zlib only borrows the input and output buffers during each `inflate` call.
final class ZlibInflater {
    /// The framing around the deflate data.
    enum Framing {
        /// RFC 1950 (MATLAB's miCOMPRESSED elements): windowBits 15.
        case zlib
        /// RFC 1952 (`.gz`, `.tgz`): windowBits 15 + 16.
        case gzip

        var windowBits: Int32 { self == .zlib ? 15 : 15 + 16 }
    }

    /// What zlib reported, already phrased for a one-line message.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let stream: UnsafeMutablePointer<z_stream>
    let framing: Framing
    /// Set once the end-of-stream marker (and for gzip the trailer) has been read.
    private(set) var finished = false
    /// Compressed bytes consumed and decompressed bytes produced since the last `reset`.
    private(set) var totalIn = 0, totalOut = 0

    init(framing: Framing) throws {
        self.framing = framing
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = inflateInit2_(stream, framing.windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw Failure(description: "zlib could not start (inflateInit2 returned \(status))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Starts a new stream (a following gzip member, say) with the same framing.
    func reset() {
        inflateReset(stream)
        finished = false
        totalIn = 0
        totalOut = 0
    }

    /// Decompresses from `input` into `output` in one zlib call.
    /// - Returns: input bytes consumed and output bytes written; both are 0 when the stream has finished or
    ///   zlib needs more input than was given.
    /// - Throws: `Failure` for corrupt data (zlib's own message, e.g. "incorrect data check").
    func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> (consumed: Int, produced: Int) {
        guard !finished, let inBase = input.baseAddress ?? UnsafeRawPointer(bitPattern: 1), let outBase = output.baseAddress,
              !output.isEmpty else { return (0, 0) }
        // Borrowed: zlib reads `input` and writes `output` only during this call.
        stream.pointee.next_in = UnsafeMutablePointer(mutating: inBase.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(min(input.count, Int(UInt32.max)))
        stream.pointee.next_out = outBase.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(min(output.count, Int(UInt32.max)))
        let availIn = Int(stream.pointee.avail_in), availOut = Int(stream.pointee.avail_out)
        let status = CZlib.inflate(stream, Z_NO_FLUSH)
        let consumed = availIn - Int(stream.pointee.avail_in)
        let produced = availOut - Int(stream.pointee.avail_out)
        stream.pointee.next_in = nil
        stream.pointee.next_out = nil
        totalIn += consumed
        totalOut += produced
        switch status {
        case Z_OK, Z_BUF_ERROR: break  // Z_BUF_ERROR: no progress possible without more input or room
        case Z_STREAM_END: finished = true
        default:
            let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
            throw Failure(description: "corrupt \(framing == .gzip ? "gzip" : "zlib") data: \(message)")
        }
        return (consumed, produced)
    }

    /// Decompresses a whole in-memory zlib stream (a MATLAB miCOMPRESSED element).
    /// - Throws: `Failure` for corrupt data, or when the data ends before the stream does ("truncated").
    static func inflateAll(_ input: UnsafeRawBufferPointer, framing: Framing = .zlib) throws -> [UInt8] {
        let inflater = try ZlibInflater(framing: framing)
        var output = [UInt8](repeating: 0, count: max(1024, input.count * 4))
        var consumed = 0, produced = 0
        while !inflater.finished {
            if produced == output.count { output.append(contentsOf: repeatElement(0, count: output.count)) }
            let step = try output.withUnsafeMutableBytes { out in
                try inflater.inflate(UnsafeRawBufferPointer(rebasing: input[consumed...]),
                                     into: UnsafeMutableRawBufferPointer(rebasing: out[produced...]))
            }
            consumed += step.consumed
            produced += step.produced
            if step.consumed == 0 && step.produced == 0 && !inflater.finished {
                throw Failure(description: "truncated \(framing == .gzip ? "gzip" : "zlib") data: the stream ends after \(input.count) compressed bytes")
            }
        }
        output.removeLast(output.count - produced)
        return output
    }
}
