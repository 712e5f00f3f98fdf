import Foundation

/// Why a PyTorch checkpoint could not be read.
///
/// Every case names the file; ``description`` is one user-facing line: what is wrong, where, and a
/// hint when one exists. Nothing in a checkpoint is ever executed: a global or opcode outside the
/// small set that `torch.save` uses for tensors and dicts is refused, never run.
public enum CheckpointError: Error, Equatable, Sendable {
    /// No file at that path.
    case fileNotFound(file: URL)
    /// The file exists but could not be read (permissions, a directory, an I/O error).
    case unreadable(file: URL, reason: String)
    /// Neither a zip archive (`PK\x03\x04`) nor a legacy pickle (`\x80`): empty or unrelated bytes.
    case notACheckpoint(file: URL)
    /// The file ends before a structure it announces (zip directory, pickle opcode, storage bytes).
    case truncated(file: URL, detail: String)
    /// A zip archive without a member `torch.save` always writes, such as `<root>/data.pkl`.
    case missingEntry(file: URL, entry: String)
    /// A zip member is compressed; `torch.save` stores members uncompressed.
    case compressedEntry(file: URL, entry: String, method: Int)
    /// The pickle names a global outside the allowed set (`module.name`), e.g. `os.system`.
    case refusedGlobal(file: URL, name: String)
    /// The pickle uses an opcode outside the state-dict subset.
    case unsupportedOpcode(file: URL, opcode: String, offset: Int)
    /// A tensor refers to a storage whose bytes are not in the file.
    case missingStorage(file: URL, key: String)
    /// The checkpoint was written on a big-endian machine.
    case bigEndian(file: URL)
    /// The pickled object is not a dict (for example a whole pickled list, or a tensor).
    case notADict(file: URL, found: String)
    /// A dict, but with no tensors at its top level nor under `"state_dict"` or `"model"`.
    case noTensors(file: URL, keys: [String])
    /// Any other structural problem in the pickle or in a tensor's layout.
    case malformed(file: URL, detail: String)
    /// ``StateDict/tensor(named:)`` was asked for a name the checkpoint does not hold.
    case missingTensor(file: URL, name: String, nearest: [String])

    /// The file the error is about.
    public var file: URL {
        switch self {
        case .fileNotFound(let file), .unreadable(let file, _), .notACheckpoint(let file),
            .truncated(let file, _), .missingEntry(let file, _), .compressedEntry(let file, _, _),
            .refusedGlobal(let file, _), .unsupportedOpcode(let file, _, _), .missingStorage(let file, _),
            .bigEndian(let file), .notADict(let file, _), .noTensors(let file, _), .malformed(let file, _),
            .missingTensor(let file, _, _):
            return file
        }
    }
}

extension CheckpointError: CustomStringConvertible, LocalizedError {
    /// One line: `<path>: <what is wrong> — <what to do>`.
    public var description: String {
        let (what, hint) = parts
        return "\(file.path): \(what)" + (hint.map { " — \($0)" } ?? "")
    }

    public var errorDescription: String? { description }

    private var parts: (what: String, hint: String?) {
        let resave = "re-save it with torch.save(model.state_dict(), path)"
        switch self {
        case .fileNotFound:
            return ("no such file", "check the path")
        case .unreadable(_, let reason):
            return ("cannot read the file: \(reason)", nil)
        case .notACheckpoint:
            return ("not a PyTorch checkpoint: neither a zip archive nor a legacy pickle",
                    "expected a file written by torch.save (.pth/.pt)")
        case .truncated(_, let detail):
            return ("truncated file: \(detail)", "the file was cut short; download or copy it again")
        case .missingEntry(_, let entry):
            return ("zip archive without \(entry), so not a torch.save checkpoint", resave)
        case .compressedEntry(_, let entry, let method):
            return ("zip member \(entry) is compressed (method \(method)); torch.save stores members uncompressed",
                    "do not re-zip the checkpoint, or \(resave)")
        case .refusedGlobal(_, let name) where name.hasPrefix("torch.") && name.hasSuffix("Storage"):
            return ("refusing global \(name): only float32, float16, int64 and uint8 tensors are supported",
                    "convert the state_dict with .float() before saving")
        case .refusedGlobal(_, let name):
            return ("refusing global \(name): a checkpoint may only contain tensors and dicts",
                    "save model.state_dict(), not the model object; never load files you do not trust")
        case .unsupportedOpcode(_, let opcode, let offset):
            return ("unsupported pickle opcode \(opcode) at byte \(offset): a checkpoint may only contain "
                    + "tensors, dicts, lists, tuples, strings and numbers", resave)
        case .missingStorage(_, let key):
            return ("tensor data \(key) is missing", "the file is damaged; copy it again")
        case .bigEndian:
            return ("written on a big-endian machine, which is not supported",
                    "load and re-save it with torch on a little-endian machine")
        case .notADict(_, let found):
            return ("the checkpoint holds a \(found), not a dict of tensors", resave)
        case .noTensors(_, let keys):
            let listed = keys.isEmpty ? "none" : keys.prefix(8).joined(separator: ", ")
            return ("no tensors at the top level or under \"state_dict\"/\"model\" (top-level keys: \(listed))",
                    "save the inner dict of tensors, e.g. torch.save(ckpt[\"net\"], path)")
        case .malformed(_, let detail):
            return ("malformed checkpoint: \(detail)", nil)
        case .missingTensor(_, let name, let nearest):
            return ("no tensor named \(name)",
                    nearest.isEmpty ? nil : "did you mean \(nearest.joined(separator: ", "))?")
        }
    }
}
