import Foundation

/// Everything that can go wrong reading or writing HDF5, with the file, the object path and what failed.
///
/// Each case renders as one user-facing line (``description``) that names the file and, where one
/// exists, ends with a hint. Failures inside libhdf5 carry the innermost message of the library's
/// error stack; the library's own stderr printing is switched off.
public enum HDF5Error: Error, Equatable, Sendable {
    /// No file exists at `path`.
    case fileNotFound(path: String)
    /// The file exists but has no HDF5 signature (a text file, a `.pth` checkpoint, an HTML error page...).
    case notHDF5(path: String)
    /// The file starts like HDF5 but ends early (an interrupted copy, download or write); `detail` is libhdf5's.
    case truncated(path: String, detail: String)
    /// ``HDF5File/create(_:mode:)`` with ``HDF5File/CreateMode/exclusive`` found an existing file.
    case fileExists(path: String)
    /// Opening or creating the file failed for another reason (permissions, a missing folder, a lock).
    case cannotOpenFile(path: String, reason: String)
    /// No object (group or dataset) at `path` inside `file`.
    case objectNotFound(file: String, path: String)
    /// An object already exists where one was to be created.
    case objectExists(file: String, path: String)
    /// The object at `path` is of another kind, e.g. a group where a dataset was expected.
    case wrongObjectKind(file: String, path: String, expected: HDF5ObjectKind, found: HDF5ObjectKind)
    /// The object at `path` has no attribute `name`.
    case attributeNotFound(file: String, path: String, name: String)
    /// The stored element type cannot be read or written as the requested one; types use numpy names.
    case typeMismatch(file: String, path: String, expected: String, found: String)
    /// The dataset's shape differs from the one the caller requires.
    case shapeMismatch(file: String, path: String, expected: [Int], found: [Int])
    /// A buffer or array has `found` elements where the dataset's shape needs `expected`.
    case countMismatch(file: String, path: String, expected: Int, found: Int)
    /// A JSON attribute did not decode (or a value did not encode); `reason` is the decoder's message.
    case invalidJSON(file: String, path: String, name: String, reason: String)
    /// The file's `format`/`format_version` root attributes are not the expected ones.
    case formatMismatch(file: String, expected: String, found: String, hint: String?)
    /// A file, group or dataset was used after its `close()`.
    case closed(file: String, path: String)
    /// Any other libhdf5 failure: `operation` is what we asked, `message` the library's innermost reason.
    case libraryFailure(file: String, path: String, operation: String, message: String)
}

extension HDF5Error: CustomStringConvertible, LocalizedError {
    /// One line: what is wrong, where, and (after " — ") what to do.
    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "HDF5 file not found: \(path) — check the path"
        case .notHDF5(let path):
            return "not an HDF5 file: \(path) — it has no HDF5 signature (another format, or an incomplete "
                + "download); re-create or re-download it"
        case .truncated(let path, let detail):
            return "HDF5 file is truncated: \(path) (\(detail)) — the write, copy or download was "
                + "interrupted; re-create or re-download it"
        case .fileExists(let path):
            return "HDF5 file already exists: \(path) — remove it first or create it with mode .truncate"
        case .cannotOpenFile(let path, let reason):
            return "cannot open HDF5 file \(path): \(reason) — check the folder exists, the permissions, "
                + "and that no other process has it open for writing"
        case .objectNotFound(let file, let path):
            return "no object '\(path)' in \(file) — list its contents with `h5ls -r \(file)`"
        case .objectExists(let file, let path):
            return "object '\(path)' already exists in \(file) — open it instead, or write to a new path"
        case .wrongObjectKind(let file, let path, let expected, let found):
            return "'\(path)' in \(file) is a \(found), expected a \(expected)"
        case .attributeNotFound(let file, let path, let name):
            return "'\(path)' in \(file) has no attribute '\(name)'"
        case .typeMismatch(let file, let path, let expected, let found):
            return "'\(path)' in \(file) is stored as \(found), cannot use it as \(expected)"
        case .shapeMismatch(let file, let path, let expected, let found):
            return "'\(path)' in \(file) has shape \(found), expected \(expected)"
        case .countMismatch(let file, let path, let expected, let found):
            return "'\(path)' in \(file) needs \(expected) values for its shape, got \(found)"
        case .invalidJSON(let file, let path, let name, let reason):
            return "attribute '\(name)' of '\(path)' in \(file) is not the expected JSON: \(reason)"
        case .formatMismatch(let file, let expected, let found, let hint):
            return "\(file) has format \(found), expected \(expected)" + (hint.map { " — \($0)" } ?? "")
        case .closed(let file, let path):
            return "'\(path)' in \(file) was used after close()"
        case .libraryFailure(let file, let path, let operation, let message):
            let hint = message.contains("no write intent") ? " — open the file with mode .readWrite" : ""
            return "libhdf5 could not \(operation) '\(path)' in \(file): \(message)\(hint)"
        }
    }

    public var errorDescription: String? { description }

    /// The HDF5 file the error is about.
    public var file: String {
        switch self {
        case .fileNotFound(let path), .notHDF5(let path), .truncated(let path, _), .fileExists(let path),
            .cannotOpenFile(let path, _):
            return path
        case .objectNotFound(let file, _), .objectExists(let file, _), .wrongObjectKind(let file, _, _, _),
            .attributeNotFound(let file, _, _), .typeMismatch(let file, _, _, _),
            .shapeMismatch(let file, _, _, _), .countMismatch(let file, _, _, _),
            .invalidJSON(let file, _, _, _), .formatMismatch(let file, _, _, _), .closed(let file, _),
            .libraryFailure(let file, _, _, _):
            return file
        }
    }
}
