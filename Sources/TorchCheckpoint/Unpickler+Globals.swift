import Foundation

extension Unpickler {
    /// The allowed global `module.name`.
    ///
    /// - Throws: ``CheckpointError/refusedGlobal(file:name:)`` for every other name: nothing is
    ///   imported or looked up, so naming `os.system` cannot run it.
    func resolveGlobal(module: String, name: String) throws -> AllowedGlobal {
        guard let global = AllowedGlobal(module: module, name: name) else {
            throw CheckpointError.refusedGlobal(file: file, name: "\(module).\(name)")
        }
        return global
    }

    /// REDUCE: calls one of the allowed callables with a tuple of arguments.
    ///
    /// - `collections.OrderedDict()` or `OrderedDict([(k, v), ...])` gives a dict.
    /// - `torch._utils._rebuild_tensor_v2(...)` gives a tensor reference (see ``rebuildTensor(_:)``).
    /// - `torch._utils._rebuild_parameter(data, requires_grad, hooks)` gives `data`: an
    ///   `nn.Parameter` loads as its tensor.
    func call(_ callable: PickleValue, _ arguments: PickleValue) throws -> PickleValue {
        guard case .global(let global) = callable else {
            throw malformed("REDUCE calls a \(callable.typeName), which is not callable")
        }
        guard case .tuple(let args) = arguments else {
            throw malformed("REDUCE calls \(global.name) with a \(arguments.typeName), not an argument tuple")
        }
        switch global {
        case .orderedDict:
            let dict = PickleDict()
            switch args.first {
            case nil: break
            case .list(let pairs) where args.count == 1:
                for pair in pairs.items {
                    guard case .tuple(let kv) = pair, kv.count == 2 else {
                        throw malformed("OrderedDict built from a \(pair.typeName), not a (key, value) pair")
                    }
                    dict.set(kv[0], kv[1])
                }
            default:
                throw malformed("OrderedDict called with \(args.map(\.typeName))")
            }
            return .dict(dict)
        case .rebuildTensorV2:
            return .tensor(try rebuildTensor(args))
        case .rebuildParameter:
            guard args.count == 3, case .tensor = args[0] else {
                throw malformed("_rebuild_parameter called with \(args.map(\.typeName)); expected (tensor, bool, dict)")
            }
            return args[0]
        case .storageClass:
            throw malformed("\(global.name) is called; storage classes may only appear in persistent ids")
        }
    }

    /// `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])`.
    ///
    /// `requires_grad` and the hooks are ignored; `metadata` must be absent, None or empty (it carries
    /// flags such as the conjugate bit that would change the values).
    func rebuildTensor(_ args: [PickleValue]) throws -> TensorReference {
        guard args.count == 6 || args.count == 7, case .storage(let storage) = args[0], case .int(let offset) = args[1],
            let shape = Self.ints(args[2]), let strides = Self.ints(args[3])
        else {
            throw malformed("_rebuild_tensor_v2 called with \(args.map(\.typeName)); expected (storage, int, tuple, tuple, bool, dict)")
        }
        if args.count == 7 {
            switch args[6] {
            case .none: break
            case .dict(let metadata) where metadata.count == 0: break
            default: throw malformed("tensor metadata (\(args[6].typeName)) is not supported")
            }
        }
        guard shape.count == strides.count, offset >= 0, shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }) else {
            throw malformed("tensor with size \(shape), stride \(strides), offset \(offset)")
        }
        return TensorReference(storage: storage, offset: offset, shape: shape, strides: strides)
    }

    /// BUILD on a dict sets Python attributes (an OrderedDict's `_metadata` with per-module versions):
    /// the state is accepted and dropped. BUILD on anything else is refused.
    func build(on target: PickleValue, state: PickleValue) throws {
        guard case .dict = target else {
            throw malformed("BUILD on a \(target.typeName); only a dict's attributes may be set")
        }
    }

    /// BINPERSID/PERSID: `('storage', storage_class, key, location, numel[, view_metadata])`.
    ///
    /// Zip checkpoints use the 5-tuple. Legacy ones add `view_metadata`: None, or
    /// `(view_key, offset, size)` for a view into the root storage `key` (torch < 0.4). The location
    /// (`'cpu'`, `'cuda:0'`) is ignored: everything loads to the CPU.
    mutating func persistentLoad(_ id: PickleValue) throws -> PickleValue {
        guard case .tuple(let fields) = id, fields.count == 5 || fields.count == 6,
            Self.text(fields[0]) == "storage", case .global(let global) = fields[1],
            let key = Self.text(fields[2]), case .int(let numel) = fields[4], numel >= 0
        else {
            throw malformed("unsupported persistent id \(id.typeName); expected ('storage', class, key, location, numel)")
        }
        guard case .storageClass(let dtype) = global else {
            throw malformed("persistent id names \(global.name), not a storage class")
        }
        noteStorage(key, dtype)
        var elementOffset = 0, elementCount = numel
        if fields.count == 6, case .tuple(let view) = fields[5] {
            guard view.count == 3, case .int(let viewOffset) = view[1], case .int(let viewSize) = view[2],
                viewOffset >= 0, viewSize >= 0
            else { throw malformed("storage view metadata \(view.map(\.typeName))") }
            (elementOffset, elementCount) = (viewOffset, viewSize)
        }
        return .storage(StorageReference(key: key, dtype: dtype, elementOffset: elementOffset, elementCount: elementCount))
    }

    /// The ints of a tuple or list, or nil.
    private static func ints(_ value: PickleValue) -> [Int]? {
        let items: [PickleValue]
        switch value {
        case .tuple(let t): items = t
        case .list(let l): items = l.items
        default: return nil
        }
        var result: [Int] = []
        for item in items {
            guard case .int(let i) = item else { return nil }
            result.append(i)
        }
        return result
    }

    /// A str, or ASCII bytes (Python 2 pickles), or nil.
    private static func text(_ value: PickleValue) -> String? {
        switch value {
        case .string(let s): s
        case .bytes(let b): String(decoding: b, as: UTF8.self)
        default: nil
        }
    }
}
