/// Why a set of weights cannot build a network; each description is one line for the user.
public enum NetworkError: Error, CustomStringConvertible, Equatable {
    /// The weights do not match the architecture: first missing and unexpected keys, shape mismatches.
    case stateDictMismatch(source: String, architecture: String, missing: [String], unexpected: [String], shapeMismatches: [String])

    public var description: String {
        switch self {
        case let .stateDictMismatch(source, architecture, missing, unexpected, shapes):
            var parts: [String] = []
            func first(_ list: [String]) -> String { list.prefix(3).joined(separator: ", ") + (list.count > 3 ? ", … (\(list.count) in all)" : "") }
            if !missing.isEmpty { parts.append("missing keys: \(first(missing))") }
            if !unexpected.isEmpty { parts.append("unexpected keys: \(first(unexpected))") }
            if !shapes.isEmpty { parts.append("shape mismatches: \(first(shapes))") }
            return "\(source) does not hold \(architecture) weights: \(parts.joined(separator: "; ")) — check that the file is an \(architecture) state_dict"
        }
    }
}
