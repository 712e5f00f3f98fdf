/// A value on the restricted unpickler's stack: the data types of a state_dict and nothing callable
/// beyond the ``AllowedGlobal`` set.
///
/// Lists and dicts are reference boxes because pickle mutates them after memoising them
/// (`EMPTY_DICT`, `BINPUT`, ..., `SETITEMS`): a later `BINGET` must see the filled container.
enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer wider than 64 bits: little-endian two's-complement bytes, as in `LONG1`.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    /// A resolved global from the allowed set (a callable or a storage class).
    case global(AllowedGlobal)
    /// A storage named by a persistent id; its bytes are read after unpickling.
    case storage(StorageReference)
    /// A tensor rebuilt from a storage; materialised into contiguous bytes after unpickling.
    case tensor(TensorReference)

    /// The Python type name, for error messages.
    var typeName: String {
        switch self {
        case .none: "None"
        case .bool: "bool"
        case .int, .bigInt: "int"
        case .float: "float"
        case .string: "str"
        case .bytes: "bytes"
        case .tuple: "tuple"
        case .list: "list"
        case .dict: "dict"
        case .global(let global): "global \(global.name)"
        case .storage: "storage"
        case .tensor: "tensor"
        }
    }
}

/// A mutable Python list.
final class PickleList {
    var items: [PickleValue]
    init(_ items: [PickleValue] = []) { self.items = items }
}

/// A mutable Python dict that keeps insertion order (as both `dict` and `OrderedDict` do).
///
/// Assigning an existing `str` or `int` key replaces its value in place, as Python does; other
/// keys (tuples, floats) are appended without a duplicate check, which no state_dict relies on.
final class PickleDict {
    private(set) var keys: [PickleValue] = []
    private(set) var values: [PickleValue] = []
    private var positions: [Key: Int] = [:]

    private enum Key: Hashable {
        case string(String)
        case int(Int)
    }

    func set(_ key: PickleValue, _ value: PickleValue) {
        let hashable: Key?
        switch key {
        case .string(let s): hashable = .string(s)
        case .int(let i): hashable = .int(i)
        case .bool(let b): hashable = .int(b ? 1 : 0)
        default: hashable = nil
        }
        if let hashable, let position = positions[hashable] {
            values[position] = value
            return
        }
        if let hashable { positions[hashable] = keys.count }
        keys.append(key)
        values.append(value)
    }

    /// The value for a string key, or nil.
    subscript(key: String) -> PickleValue? {
        positions[.string(key)].map { values[$0] }
    }

    var count: Int { keys.count }
}

/// The globals a checkpoint may name: everything else is refused before anything is built.
enum AllowedGlobal {
    /// `collections.OrderedDict`: called with `()` (or a list of pairs) to make a dict.
    case orderedDict
    /// `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])`.
    case rebuildTensorV2
    /// `torch._utils._rebuild_parameter(data, requires_grad, hooks)`: the tensor itself.
    case rebuildParameter
    /// `torch.FloatStorage` and friends: only valid inside a storage persistent id.
    case storageClass(TorchDType)

    /// The dotted Python name.
    var name: String {
        switch self {
        case .orderedDict: "collections.OrderedDict"
        case .rebuildTensorV2: "torch._utils._rebuild_tensor_v2"
        case .rebuildParameter: "torch._utils._rebuild_parameter"
        case .storageClass(let dtype): "torch.\(dtype.storageClassName)"
        }
    }

    /// The allowed global called `module.name`, or nil.
    init?(module: String, name: String) {
        switch (module, name) {
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensorV2
        case ("torch._utils", "_rebuild_parameter"): self = .rebuildParameter
        case ("torch", _):
            guard let dtype = TorchDType(storageClassName: name) else { return nil }
            self = .storageClass(dtype)
        default: return nil
        }
    }
}

/// A storage as a persistent id names it: `('storage', torch.FloatStorage, key, location, numel)`,
/// plus `view_metadata = (view_key, offset, size)` as a legacy sixth field.
///
/// `elementOffset` and `elementCount` select a legacy storage view of the root storage `key` (0 and
/// `numel` otherwise), in elements of `dtype`.
struct StorageReference {
    let key: String
    let dtype: TorchDType
    let elementOffset: Int
    let elementCount: Int
}

/// A tensor as `_rebuild_tensor_v2` describes it: a strided view into a storage.
///
/// Element `(i0, i1, ...)` lives at storage element `offset + i0*strides[0] + i1*strides[1] + ...`.
struct TensorReference {
    let storage: StorageReference
    let offset: Int
    let shape: [Int]
    let strides: [Int]
}
