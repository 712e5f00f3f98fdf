import Foundation

/// Reads POSIX ustar / pax / GNU tar members one after another from an ``ArchiveInput``.
///
/// Concretely: 512-byte headers (name, octal or base-256 size, checksum over the header with the checksum
/// field read as spaces, type flag, ustar `prefix`), each followed by the data padded to 512 bytes; two
/// zero blocks (or the end of the data) end the archive. GNU long names (`L`) and pax `path`/`size`
/// records (`x`) apply to the next member; global pax headers (`g`) are skipped.
///
/// ### References
/// - IEEE Std 1003.1-2017, `pax`, "ustar Interchange Format" and "pax Interchange Format".
struct TarReader {
    enum Kind: Equatable { case file, directory }

    struct Member {
        var name: String
        var kind: Kind
        var size: Int
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let input: ArchiveInput
    private var header = [UInt8](repeating: 0, count: 512)
    private var remaining = 0  // data bytes of the current member not yet read
    private var padding = 0
    private var ended = false

    init(input: ArchiveInput) {
        self.input = input
    }

    /// The next member, or nil at the end of the archive. Unread data of the previous member is skipped.
    mutating func next() throws -> Member? {
        try skipData()
        var longName: String?
        var paxSize: Int?
        while !ended {
            let headerOffset = input.offset
            let got = try header.withUnsafeMutableBytes { try input.readFully(into: $0) }
            if got == 0 { ended = true; return nil }  // no end blocks; tolerated as tar does
            guard got == 512 else { throw Failure(description: "truncated: a tar header at byte \(headerOffset) has only \(got) of 512 bytes") }
            if header.allSatisfy({ $0 == 0 }) { ended = true; return nil }
            try checkChecksum(at: headerOffset)
            let type = header[156]
            let size = try paxSize ?? number(124, 12, field: "size", at: headerOffset)
            var name = longName ?? fullName()
            switch type {
            case UInt8(ascii: "L"), UInt8(ascii: "x"), UInt8(ascii: "g"), UInt8(ascii: "K"):
                let data = try readSmall(size, what: "extended header at byte \(headerOffset)")
                if type == UInt8(ascii: "L") {
                    longName = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
                } else if type == UInt8(ascii: "x") {
                    let records = Self.paxRecords(data)
                    if let path = records["path"] { longName = path }
                    if let s = records["size"], let n = Int(s) { paxSize = n }
                }
                continue
            case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
                if name.hasSuffix("/") { name.removeLast() }  // old tars mark directories by a slash only
                remaining = size
                padding = (512 - size % 512) % 512
                return Member(name: name, kind: type == 0 && fullName().hasSuffix("/") ? .directory : .file, size: size)
            case UInt8(ascii: "5"):
                remaining = size
                padding = (512 - size % 512) % 512
                return Member(name: name, kind: .directory, size: 0)
            case UInt8(ascii: "1"), UInt8(ascii: "2"):
                throw Failure(description: "member '\(name)' is a \(type == UInt8(ascii: "2") ? "symbolic" : "hard") link; links are not extracted")
            default:
                throw Failure(description: "member '\(name)' has the unsupported tar type '\(Character(Unicode.Scalar(type)))'")
            }
        }
        return nil
    }

    /// Reads up to `buffer.count` bytes of the current member's data; 0 when it is all read.
    mutating func readData(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard remaining > 0 else { return 0 }
        let want = min(buffer.count, remaining)
        let got = try input.readFully(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<want]))
        guard got == want else {
            throw Failure(description: "truncated: the archive ends \(remaining - got) bytes before the end of a member")
        }
        remaining -= got
        return got
    }

    private mutating func skipData() throws {
        var scratch = [UInt8](repeating: 0, count: 64 * 1024)
        let total = remaining + padding
        var left = total
        while left > 0 {
            let n = try scratch.withUnsafeMutableBytes { try input.readFully(into: UnsafeMutableRawBufferPointer(rebasing: $0[..<min(left, $0.count)])) }
            if n == 0 {
                if left <= padding && remaining == 0 { break }  // missing final padding: harmless
                throw Failure(description: "truncated: the archive ends \(left) bytes before the end of a member")
            }
            left -= n
            remaining = max(0, remaining - n)
        }
        remaining = 0
        padding = 0
    }

    private mutating func readSmall(_ size: Int, what: String) throws -> [UInt8] {
        guard size <= 1 << 20 else { throw Failure(description: "\(what) is \(size) bytes, more than 1 MiB") }
        remaining = size
        padding = (512 - size % 512) % 512
        var data = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let n = try data.withUnsafeMutableBytes { try readData(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }
            filled += n
        }
        try skipData()
        return data
    }

    private func fullName() -> String {
        let name = string(0, 100)
        let isUstar = header[257..<262].elementsEqual("ustar".utf8)
        let prefix = isUstar ? string(345, 155) : ""
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    private func string(_ start: Int, _ length: Int) -> String {
        String(decoding: header[start..<(start + length)].prefix { $0 != 0 }, as: UTF8.self)
    }

    /// An octal field, or GNU base-256 when the first byte has its high bit set.
    private func number(_ start: Int, _ length: Int, field: String, at offset: Int) throws -> Int {
        let bytes = header[start..<(start + length)]
        if let first = bytes.first, first & 0x80 != 0 {
            var value = Int(first & 0x7F)
            for b in bytes.dropFirst() {
                guard value < Int.max >> 8 else { throw Failure(description: "tar \(field) too large at byte \(offset)") }
                value = value << 8 | Int(b)
            }
            return value
        }
        let text = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return 0 }
        guard let value = Int(text, radix: 8) else {
            throw Failure(description: "not a tar archive: bad \(field) field \"\(text)\" in the header at byte \(offset)")
        }
        return value
    }

    private func checkChecksum(at offset: Int) throws {
        let stored = try number(148, 8, field: "checksum", at: offset)
        var sum = 0
        for (i, b) in header.enumerated() { sum += (148..<156).contains(i) ? 32 : Int(b) }
        guard sum == stored else {
            throw Failure(description: "not a tar archive: header checksum mismatch at byte \(offset)")
        }
    }

    /// pax records: "<length> <key>=<value>\n" repeated.
    static func paxRecords(_ data: [UInt8]) -> [String: String] {
        var records: [String: String] = [:]
        var i = 0
        while i < data.count {
            guard let space = data[i...].firstIndex(of: UInt8(ascii: " ")),
                  let length = Int(String(decoding: data[i..<space], as: UTF8.self)), length > 0, i + length <= data.count else { break }
            let record = String(decoding: data[(space + 1)..<(i + length - 1)], as: UTF8.self)
            if let eq = record.firstIndex(of: "=") {
                records[String(record[..<eq])] = String(record[record.index(after: eq)...])
            }
            i += length
        }
        return records
    }
}
