import Foundation

/// A bounds-checked little-endian cursor over borrowed bytes.
///
/// Valid only inside the `withUnsafeBytes` scope that lent `buffer`; it never outlives a call to
/// ``TorchCheckpoint/load(from:)``. Every read past the end throws
/// ``CheckpointError/truncated(file:detail:)`` naming `region`, rather than trapping.
struct UnsafeByteReader {
    /// The borrowed bytes (a whole file, or one zip member).
    let buffer: UnsafeRawBufferPointer
    /// The next byte to read.
    var offset: Int
    /// The checkpoint, for error messages.
    let file: URL
    /// What the bytes are, for error messages ("data.pkl", "the legacy pickle").
    let region: String

    init(_ buffer: UnsafeRawBufferPointer, offset: Int = 0, file: URL, region: String) {
        self.buffer = buffer
        self.offset = offset
        self.file = file
        self.region = region
    }

    var remaining: Int { buffer.count - offset }
    var isAtEnd: Bool { offset >= buffer.count }

    /// Throws unless `count` more bytes are available.
    func require(_ count: Int, for what: @autoclosure () -> String) throws {
        guard count >= 0, count <= remaining else {
            throw CheckpointError.truncated(
                file: file,
                detail: "\(region) ends at byte \(buffer.count) inside \(what()) at byte \(offset) "
                    + "(needs \(count) more bytes, \(remaining) left)")
        }
    }

    mutating func byte(for what: @autoclosure () -> String = "a value") throws -> UInt8 {
        try require(1, for: what())
        defer { offset += 1 }
        return buffer[offset]
    }

    /// Reads a fixed-width little-endian integer.
    mutating func integer<T: FixedWidthInteger>(_: T.Type, for what: @autoclosure () -> String = "a value") throws -> T {
        try require(MemoryLayout<T>.size, for: what())
        defer { offset += MemoryLayout<T>.size }
        return T(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// Returns the next `count` bytes (borrowed) and moves past them.
    mutating func bytes(_ count: Int, for what: @autoclosure () -> String = "a value") throws -> UnsafeRawBufferPointer {
        try require(count, for: what())
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + count])
    }

    /// Returns the bytes up to the next `\n` (excluded) and moves past the newline.
    mutating func line(for what: @autoclosure () -> String = "a text line") throws -> UnsafeRawBufferPointer {
        guard let end = buffer[offset...].firstIndex(of: UInt8(ascii: "\n")) else {
            throw CheckpointError.truncated(
                file: file, detail: "\(region) ends inside \(what()) at byte \(offset) (no newline)")
        }
        defer { offset = end + 1 }
        return UnsafeRawBufferPointer(rebasing: buffer[offset..<end])
    }

    /// A little-endian integer at an absolute position, without moving.
    func integer<T: FixedWidthInteger>(_: T.Type, at position: Int, for what: @autoclosure () -> String) throws -> T {
        guard position >= 0, position + MemoryLayout<T>.size <= buffer.count else {
            throw CheckpointError.truncated(
                file: file, detail: "\(region) ends at byte \(buffer.count) before \(what()) at byte \(position)")
        }
        return T(littleEndian: buffer.loadUnaligned(fromByteOffset: position, as: T.self))
    }
}
