import Foundation

/// The bytes of an archive file, inflated on the fly when it is gzip-compressed (first bytes 1F 8B), read
/// as they are otherwise (a plain tar). Owns the file handle and the inflater; memory stays at two 1 MiB
/// buffers whatever the archive's size.
final class ArchiveInput {
    private let handle: FileHandle
    private let inflater: ZlibInflater?
    private var input = [UInt8]()
    private var inputStart = 0
    private var fileAtEnd = false
    /// Compressed bytes read from the file so far.
    private(set) var fileOffset = 0
    /// Uncompressed bytes handed out so far.
    private(set) var offset = 0

    /// True when the file is gzip-compressed.
    var isCompressed: Bool { inflater != nil }

    init(url: URL) throws {
        handle = try FileHandle(forReadingFrom: url)
        let magic = try handle.read(upToCount: 2) ?? Data()
        try handle.seek(toOffset: 0)
        inflater = magic.elementsEqual([0x1F, 0x8B]) ? try ZlibInflater(framing: .gzip) : nil
    }

    deinit {
        try? handle.close()
    }

    /// Refills the input buffer when it is used up; false at the end of the file.
    private func refill() throws -> Bool {
        if inputStart < input.count { return true }
        if fileAtEnd { return false }
        let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
        if chunk.isEmpty {
            fileAtEnd = true
            return false
        }
        input = [UInt8](chunk)
        inputStart = 0
        fileOffset += chunk.count
        return true
    }

    /// Reads up to `buffer.count` bytes; returns 0 only at the end of the data.
    /// - Throws: `ZlibInflater.Failure` for corrupt or truncated gzip data; Foundation's error for I/O.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !buffer.isEmpty else { return 0 }
        while true {
            guard try refill() else {
                if let inflater, !inflater.finished, inflater.totalIn > 0 {
                    throw ZlibInflater.Failure(description: "truncated: the gzip stream ends early, after \(fileOffset) compressed bytes (\(offset) bytes inflated)")
                }
                return 0
            }
            guard let inflater else {
                let n = min(buffer.count, input.count - inputStart)
                input.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[inputStart..<(inputStart + n)])) }
                inputStart += n
                offset += n
                return n
            }
            if inflater.finished {
                // Another gzip member follows (concatenated .gz), or trailing padding that gzip also ignores.
                guard input[inputStart] == 0x1F else { inputStart = input.count; fileAtEnd = true; continue }
                inflater.reset()
            }
            let step = try input.withUnsafeBytes { raw in
                try inflater.inflate(UnsafeRawBufferPointer(rebasing: raw[inputStart...]), into: buffer)
            }
            inputStart += step.consumed
            offset += step.produced
            if step.produced > 0 { return step.produced }
        }
    }

    /// Fills `buffer` completely, or returns how many bytes there were before the end of the data.
    func readFully(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if n == 0 { break }
            filled += n
        }
        return filled
    }
}
