import Foundation

/// MD5 message digest (RFC 1321), streaming, in plain Swift — for checking downloads against published
/// checksums, never for security.
///
/// Concretely: the message is padded with 0x80, zeros and its bit length (little-endian) to a multiple
/// of 64 bytes; each 64-byte block updates the state (A, B, C, D) through 64 steps
/// `a = b + ((a + F(b,c,d) + X[k] + T[i]) <<< s)`; the digest is A‖B‖C‖D, little-endian.
///
/// - Complexity: O(n); files are read in 1 MiB chunks, so a 330 MB archive needs 1 MiB of memory.
///
/// ### References
/// - R. Rivest, "The MD5 Message-Digest Algorithm", RFC 1321, 1992. https://www.rfc-editor.org/rfc/rfc1321
public struct MD5: Sendable {
    private var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476)
    private var pending = [UInt8]()  // < 64 bytes not yet processed
    private var length: UInt64 = 0

    public init() {}

    /// Adds bytes to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var rest = bytes[...]
        if !pending.isEmpty {
            let take = min(64 - pending.count, rest.count)
            pending.append(contentsOf: rest.prefix(take))
            rest = rest.dropFirst(take)
            guard pending.count == 64 else { return }
            pending.withUnsafeBytes { processBlocks($0) }
            pending.removeAll(keepingCapacity: true)
        }
        let whole = rest.count / 64 * 64
        if whole > 0 { processBlocks(UnsafeRawBufferPointer(rebasing: rest.prefix(whole))) }
        pending.append(contentsOf: rest.dropFirst(whole))
    }

    /// Adds bytes to the message.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let array = Array(bytes)
        array.withUnsafeBytes { update($0) }
    }

    /// The digest of everything added so far, as 32 lower-case hex digits (the state is left unchanged).
    public func hexDigest() -> String {
        var copy = self
        let bitLength = length &* 8
        var tail: [UInt8] = [0x80]
        tail += [UInt8](repeating: 0, count: (55 - Int(length % 64) + 64) % 64)
        tail += (0..<8).map { UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64($0))) }
        tail.withUnsafeBytes { copy.update($0) }
        let (a, b, c, d) = copy.state
        return [a, b, c, d].flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
            .map { String(format: "%02x", $0) }.joined()
    }

    /// The digest of `data`.
    public static func hex(of data: Data) -> String {
        var md5 = MD5()
        data.withUnsafeBytes { md5.update($0) }
        return md5.hexDigest()
    }

    /// The digest of the file at `url`, read in 1 MiB chunks.
    /// - Throws: Foundation's error when the file cannot be opened or read.
    public static func hex(of url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var md5 = MD5()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { md5.update($0) }
        }
        return md5.hexDigest()
    }

    private static let shifts: [UInt32] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]
    /// T[i] = floor(2^32 · |sin(i + 1)|).
    private static let table: [UInt32] = (0..<64).map { UInt32(truncatingIfNeeded: Int64(abs(sin(Double($0 + 1))) * 4_294_967_296)) }

    private mutating func processBlocks(_ blocks: UnsafeRawBufferPointer) {
        var (a0, b0, c0, d0) = state
        Self.table.withUnsafeBufferPointer { t in
            Self.shifts.withUnsafeBufferPointer { s in
                var x = (UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0),
                         UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0))
                withUnsafeMutableBytes(of: &x) { words in
                    let w = words.bindMemory(to: UInt32.self)
                    for offset in stride(from: 0, to: blocks.count, by: 64) {
                        for k in 0..<16 { w[k] = UInt32(littleEndian: blocks.loadUnaligned(fromByteOffset: offset + 4 * k, as: UInt32.self)) }
                        var (a, b, c, d) = (a0, b0, c0, d0)
                        for i in 0..<64 {
                            var f: UInt32, g: Int
                            switch i >> 4 {
                            case 0: f = (b & c) | (~b & d); g = i
                            case 1: f = (d & b) | (~d & c); g = (5 &* i &+ 1) & 15
                            case 2: f = b ^ c ^ d; g = (3 &* i &+ 5) & 15
                            default: f = c ^ (b | ~d); g = (7 &* i) & 15
                            }
                            f = f &+ a &+ t[i] &+ w[g]
                            let shift = s[(i >> 4) << 2 | (i & 3)]
                            a = d
                            d = c
                            c = b
                            b = b &+ (f << shift | f >> (32 - shift))
                        }
                        a0 &+= a; b0 &+= b; c0 &+= c; d0 &+= d
                    }
                }
            }
        }
        state = (a0, b0, c0, d0)
    }
}
