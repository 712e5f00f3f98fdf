/// Why a supernet, checkpoint or architecture cannot be used; each description is one line for the user.
public enum SupernetError: Error, CustomStringConvertible, Equatable {
    /// An architecture entry outside the space: which field and position, the value, the allowed values.
    case archOutOfSpace(space: String, field: String, value: Int, allowed: [Int])
    /// An architecture list of the wrong length.
    case archLength(space: String, field: String, count: Int, expected: Int, meaning: String)
    /// A resolution the space does not offer.
    case resolution(space: String, value: Int, range: ClosedRange<Int>, step: Int)
    /// Architecture JSON that does not parse or lacks a key.
    case invalidArchJSON(reason: String)
    /// A checkpoint whose keys or shapes do not match the family.
    case checkpointMismatch(file: String, space: String, missing: [String], unexpected: [String], shapeMismatches: [String], hint: String)
    /// A family name we do not know.
    case unknownFamily(String)
    /// A file that is not a supernet of our format, or is inconsistent.
    case invalidSupernetFile(file: String, reason: String)

    public var description: String {
        switch self {
        case let .archOutOfSpace(space, field, value, allowed):
            return "arch entry \(field) = \(value) is outside the \(space) space — allowed: \(allowed.map(String.init).joined(separator: ", "))"
        case let .archLength(space, field, count, expected, meaning):
            return "arch has \(count) \(field) entries; \(space) needs \(expected) (\(meaning))"
        case let .resolution(space, value, range, step):
            return "resolution \(value) is not offered by \(space) — use \(range.lowerBound)…\(range.upperBound) in steps of \(step)"
        case let .invalidArchJSON(reason):
            return "invalid architecture JSON: \(reason) — expected {\"ks\": [...], \"e\": [...], \"d\": [...], \"r\": [res]}"
        case let .checkpointMismatch(file, space, missing, unexpected, shapes, hint):
            func first(_ list: [String]) -> String { list.prefix(3).joined(separator: ", ") + (list.count > 3 ? ", … (\(list.count) in all)" : "") }
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing keys: \(first(missing))") }
            if !unexpected.isEmpty { parts.append("unexpected keys: \(first(unexpected))") }
            if !shapes.isEmpty { parts.append("shape mismatches: \(first(shapes))") }
            return "\(file) does not match \(space): \(parts.joined(separator: "; ")) — \(hint)"
        case let .unknownFamily(name):
            return "unknown supernet family '\(name)' — known: \(SupernetFamily.allCases.map(\.rawValue).joined(separator: ", "))"
        case let .invalidSupernetFile(file, reason):
            return "\(file): \(reason)"
        }
    }
}
