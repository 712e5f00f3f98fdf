import Foundation

/// A memory size given by a user, e.g. a search budget: `32MB` (10^6 bytes per MB, as TinyTL reports sizes),
/// `32MiB` (2^20), `500KB`, `1.5GB` or `4096B`. Units are case-insensitive and required: a bare `32` could mean
/// bytes or megabytes, so it is refused rather than guessed.
public struct ByteCount: Equatable, Comparable, Hashable, Sendable, CustomStringConvertible {
    public var bytes: Int

    public init(bytes: Int) { self.bytes = bytes }

    /// Unit suffixes and their sizes in bytes.
    static let units: [(suffix: String, bytes: Double)] = [
        ("kib", 1024), ("mib", 1024 * 1024), ("gib", 1024 * 1024 * 1024),
        ("kb", 1e3), ("mb", 1e6), ("gb", 1e9), ("b", 1),
    ]

    /// Parses `text`.
    /// - Throws: `ByteCountError` naming the text and the accepted forms when it is not a positive size.
    public init(parsing text: String) throws(ByteCountError) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = Self.units.first(where: { t.hasSuffix($0.suffix) }) else {
            throw ByteCountError(text: text, missingUnit: Double(t) != nil)
        }
        let number = t.dropLast(unit.suffix.count), scale = unit.bytes
        guard let value = Double(number.trimmingCharacters(in: .whitespaces)), value.isFinite, value > 0,
              value * scale < Double(Int.max), (value * scale).rounded() >= 1 else {
            throw ByteCountError(text: text)
        }
        bytes = Int((value * scale).rounded())
    }

    public static func < (a: ByteCount, b: ByteCount) -> Bool { a.bytes < b.bytes }

    /// In MB (10^6 bytes) with two decimals, or KB below 1 MB.
    public var description: String { Self.format(bytes) }

    /// `n` bytes as "12.34 MB" (10^6) or "456.7 KB" below 1 MB.
    public static func format(_ n: Int) -> String {
        abs(n) >= 1_000_000 ? String(format: "%.2f MB", Double(n) / 1e6) : String(format: "%.1f KB", Double(n) / 1e3)
    }
}

/// A size string that does not parse.
public struct ByteCountError: Error, Equatable, CustomStringConvertible, LocalizedError {
    public let text: String
    /// A number without a unit.
    public var missingUnit = false

    public var description: String {
        let forms = "B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB (powers of 1024)"
        let t = text.trimmingCharacters(in: .whitespaces)
        return missingUnit ? "'\(text)' has no unit — write \(t)MB or \(t)MiB (accepted: \(forms))"
            : "'\(text)' is not a memory size — use a positive number with \(forms), e.g. 32MB"
    }
    public var errorDescription: String? { description }
}
