import Foundation

/// Reads PyTorch `.pth` checkpoints written by `torch.save`, without Python.
///
/// Both formats are supported: the zip archive (default since torch 1.6) and the legacy sequence of
/// pickles (torch < 1.6, or `_use_new_zipfile_serialization=False`). See
/// `Documentation.docc/CheckpointFormats.md` for the layouts.
///
/// The pickle is run by a restricted unpickler that knows only dicts, lists, tuples, strings,
/// numbers, `collections.OrderedDict`, `torch._utils._rebuild_tensor_v2`/`_rebuild_parameter` and the
/// float32/float16/int64/uint8 storage classes: a checkpoint can never make the reader run code.
public enum TorchCheckpoint {
    /// Loads the tensors of a `.pth` file.
    ///
    /// The pickled object must be a dict. When it holds a dict under `"state_dict"` or else `"model"`
    /// (training checkpoints), that inner dict is used and the other top-level entries (epoch,
    /// optimizer, ...) are ignored. Within the chosen dict every tensor is kept in saved order,
    /// `nn.Parameter`s as their tensors; non-tensor values are listed in ``StateDict/skippedEntries``.
    ///
    /// - Parameter url: a file written by `torch.save`.
    /// - Returns: the tensors, each contiguous row-major in PyTorch layout.
    /// - Throws: ``CheckpointError``, naming the file and what is wrong with it.
    /// - Complexity: one pass over the file, which is memory-mapped; memory: the tensors' bytes.
    public static func load(from url: URL) throws -> StateDict {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CheckpointError.fileNotFound(file: url)
        }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw CheckpointError.unreadable(file: url, reason: error.localizedDescription)
        }
        return try data.withUnsafeBytes { try load(contentsOf: $0, file: url) }
    }

    /// Tells the two formats apart by their first bytes: `PK\3\4` (a zip local header) or `\x80`
    /// (pickle PROTO).
    static func load(contentsOf buffer: UnsafeRawBufferPointer, file: URL) throws -> StateDict {
        if buffer.starts(with: [0x50, 0x4b, 0x03, 0x04]) || buffer.starts(with: [0x50, 0x4b, 0x05, 0x06]) {
            return try loadZip(buffer, file: file)
        }
        if buffer.first == Opcode.proto {
            return try loadLegacy(buffer, file: file)
        }
        throw CheckpointError.notACheckpoint(file: file)
    }

    /// Picks the dict of tensors out of the unpickled object and materialises each tensor.
    ///
    /// - Parameter storage: the bytes of the root storage with a given key.
    static func stateDict(
        from object: PickleValue, file: URL, format: CheckpointFormat,
        storage: (String) throws -> UnsafeRawBufferPointer
    ) throws -> StateDict {
        guard case .dict(let top) = object else {
            throw CheckpointError.notADict(file: file, found: object.typeName)
        }
        var chosen = top
        for wrapper in ["state_dict", "model"] {
            if case .dict(let inner)? = top[wrapper] {
                chosen = inner
                break
            }
        }
        var entries: [StateDict.Entry] = []
        var skipped: [String] = []
        entries.reserveCapacity(chosen.count)
        for (key, value) in zip(chosen.keys, chosen.values) {
            let name: String
            switch key {
            case .string(let s): name = s
            case .int(let i): name = String(i)
            default: name = "<\(key.typeName) key>"
            }
            guard case .tensor(let tensor) = value else {
                skipped.append(name)
                continue
            }
            let bytes = try storage(tensor.storage.key)
            entries.append(.init(name: name, tensor: try tensor.materialize(from: bytes, name: name, file: file)))
        }
        guard !entries.isEmpty else {
            throw CheckpointError.noTensors(file: file, keys: top.keys.map { key in
                if case .string(let s) = key { return s }
                return key.typeName
            })
        }
        return StateDict(entries: entries, skippedEntries: skipped, source: file, format: format)
    }
}
