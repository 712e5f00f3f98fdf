import Foundation

/// The tensors of a checkpoint, in the order they were saved, with lookup by PyTorch name.
///
/// Names are the `state_dict` keys exactly (`_blocks.0._bn1.weight`). Every tensor entry is kept,
/// including integer buffers such as `num_batches_tracked` (a 0-d int64 tensor), which callers
/// that only want weights ignore. Entries whose value is not a tensor (an `int`, a string, a nested
/// dict) are not tensors and are left out; their names are listed in ``skippedEntries``.
public struct StateDict: Sendable, RandomAccessCollection {
    /// One named tensor.
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let tensor: TorchTensor
    }

    /// The tensors, in saved order.
    public let entries: [Entry]
    /// Names of the non-tensor values that sat beside the tensors, in saved order.
    public let skippedEntries: [String]
    /// The file the tensors were read from.
    public let source: URL
    /// Which of the two `torch.save` formats the file used.
    public let format: CheckpointFormat
    private let positions: [String: Int]

    init(entries: [Entry], skippedEntries: [String], source: URL, format: CheckpointFormat) {
        self.entries = entries
        self.skippedEntries = skippedEntries
        self.source = source
        self.format = format
        // A dict cannot hold a key twice, so the first position wins only for hand-made inputs.
        self.positions = Dictionary(entries.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public var startIndex: Int { entries.startIndex }
    public var endIndex: Int { entries.endIndex }
    public subscript(position: Int) -> Entry { entries[position] }

    /// The names, in saved order.
    public var names: [String] { entries.map(\.name) }

    /// The tensor with this name, or nil.
    public subscript(name: String) -> TorchTensor? {
        positions[name].map { entries[$0].tensor }
    }

    /// The tensor with this name.
    ///
    /// - Throws: ``CheckpointError/missingTensor(file:name:nearest:)`` naming up to three close names.
    public func tensor(named name: String) throws -> TorchTensor {
        if let tensor = self[name] { return tensor }
        let nearest = names.map { ($0, editDistance($0, name)) }
            .sorted { $0.1 < $1.1 }.prefix(3).map(\.0)
        throw CheckpointError.missingTensor(file: source, name: name, nearest: Array(nearest))
    }
}

/// Levenshtein distance over UTF-8 bytes, for suggestions only.
private func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.utf8), b = Array(b.utf8)
    var previous = Array(0...b.count)
    for i in a.indices {
        var current = [i + 1] + [Int](repeating: 0, count: b.count)
        for j in b.indices {
            current[j + 1] = Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (a[i] == b[j] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}

/// The on-disk format of a `torch.save` file.
public enum CheckpointFormat: Sendable, Equatable {
    /// torch >= 1.6 default: a zip archive under folder `root` with `data.pkl`, `data/<key>` storages
    /// and a `version` record (nil when absent).
    case zip(root: String, version: Int?)
    /// `_use_new_zipfile_serialization=False` and torch < 1.6: consecutive pickles, then raw storages.
    case legacy
}
