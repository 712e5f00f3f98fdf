import Foundation

/// A restricted pickle virtual machine for `torch.save` state_dicts (protocols 2 to 5).
///
/// It runs only the opcodes that dicts, lists, tuples, strings, numbers and tensors need (see
/// `Unpickler+Opcodes.swift`) and resolves only the globals in ``AllowedGlobal``. Any other opcode or
/// global stops the run with an error naming it; nothing from the file is ever executed or
/// instantiated, so a hostile checkpoint can at worst fail to load.
///
/// Tensors come out as ``TensorReference``s and storages as keys recorded in ``storageDTypes`` and
/// ``storageOrder``: the caller reads the bytes (from zip members, or after the legacy pickles) and
/// materialises the tensors.
struct Unpickler {
    var reader: UnsafeByteReader
    var file: URL { reader.file }
    var stack: [PickleValue] = []
    /// Stack heights at each open MARK.
    var marks: [Int] = []
    var memo: [Int: PickleValue] = [:]
    /// The element type a storage key was first referenced with (its on-disk element size in the
    /// legacy format).
    private(set) var storageDTypes: [String: TorchDType] = [:]
    /// Storage keys in order of first reference.
    private(set) var storageOrder: [String] = []

    init(_ reader: UnsafeByteReader) {
        self.reader = reader
    }

    /// Runs one pickle from the reader's offset to its STOP and returns the object; the reader is
    /// left just after the STOP, memo and stack emptied for the next pickle.
    ///
    /// - Throws: ``CheckpointError`` when the pickle names a refused global or opcode, is malformed,
    ///   or ends before STOP.
    mutating func load() throws -> PickleValue {
        stack.removeAll(keepingCapacity: true)
        marks.removeAll()
        memo.removeAll()
        while true {
            let position = reader.offset
            let opcode = try reader.byte(for: "a pickle opcode")
            if opcode == Opcode.stop {
                guard let result = stack.popLast() else { throw malformed("STOP with an empty stack at byte \(position)") }
                return result
            }
            try execute(opcode, at: position)
        }
    }

    /// Records that a persistent id named storage `key` with element type `dtype`.
    mutating func noteStorage(_ key: String, _ dtype: TorchDType) {
        if storageDTypes[key] == nil {
            storageDTypes[key] = dtype
            storageOrder.append(key)
        }
    }

    // MARK: Stack helpers

    mutating func pop(for opcode: @autoclosure () -> String) throws -> PickleValue {
        guard let value = stack.popLast(), stack.count >= (marks.last ?? 0) else {
            throw malformed("\(opcode()) on an empty stack at byte \(reader.offset - 1)")
        }
        return value
    }

    func top(for opcode: @autoclosure () -> String) throws -> PickleValue {
        guard let value = stack.last, stack.count > (marks.last ?? 0) else {
            throw malformed("\(opcode()) on an empty stack at byte \(reader.offset - 1)")
        }
        return value
    }

    /// Pops everything above the last MARK, and the mark.
    mutating func popToMark(for opcode: @autoclosure () -> String) throws -> [PickleValue] {
        guard let mark = marks.popLast() else {
            throw malformed("\(opcode()) without a MARK at byte \(reader.offset - 1)")
        }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    func malformed(_ detail: String) -> CheckpointError {
        .malformed(file: file, detail: "\(reader.region): \(detail)")
    }
}
