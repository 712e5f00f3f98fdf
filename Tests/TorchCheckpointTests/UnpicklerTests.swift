import Foundation
import Testing
@testable import TorchCheckpoint

private func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The restricted unpickler on hand-written pickles: the corners the torch fixtures do not reach.
@Suite struct UnpicklerTests {
    static let file = URL(fileURLWithPath: "/virtual/test.pkl")

    func unpickle(_ bytes: [UInt8]) throws -> PickleValue {
        try bytes.withUnsafeBytes { raw in
            var unpickler = Unpickler(UnsafeByteReader(raw, file: Self.file, region: "test.pkl"))
            return try unpickler.load()
        }
    }

    @Test func integersAndFloats() throws {
        // LONG1 of -2 (one byte 0xfe), of 2^40, and of the 10-byte legacy magic number.
        guard case .int(-2) = try unpickle([0x80, 2, 0x8a, 1, 0xfe, 0x2e]) else { Issue.record("LONG1 -2"); return }
        guard case .int(1 << 40) = try unpickle([0x8a, 6, 0, 0, 0, 0, 0, 1, 0x2e]) else { Issue.record("LONG1 2^40"); return }
        guard case .bigInt(TorchCheckpoint.legacyMagic) = try unpickle([0x8a, 10] + TorchCheckpoint.legacyMagic + [0x2e])
        else { Issue.record("LONG1 magic"); return }
        // BININT -1, BININT2 65535, INT text forms.
        guard case .int(-1) = try unpickle([0x4a, 0xff, 0xff, 0xff, 0xff, 0x2e]) else { Issue.record("BININT"); return }
        guard case .int(65535) = try unpickle([0x4d, 0xff, 0xff, 0x2e]) else { Issue.record("BININT2"); return }
        guard case .int(-42) = try unpickle(ascii("I-42\n.")) else { Issue.record("INT"); return }
        guard case .bool(true) = try unpickle(ascii("I01\n.")) else { Issue.record("INT 01"); return }
        // BINFLOAT is big-endian: 1.5 = 0x3FF8000000000000.
        guard case .float(1.5) = try unpickle([0x47, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0x2e]) else { Issue.record("BINFLOAT"); return }
    }

    @Test func stringsAndBytes() throws {
        guard case .string("héllo") = try unpickle([0x8c, 6] + ascii("héllo") + [0x2e]) else { Issue.record("SHORT_BINUNICODE"); return }
        guard case .string("ab") = try unpickle([0x55, 2] + ascii("ab") + [0x2e]) else { Issue.record("SHORT_BINSTRING"); return }
        guard case .string("é") = try unpickle([0x54, 1, 0, 0, 0, 0xe9, 0x2e]) else { Issue.record("BINSTRING latin-1"); return }
        guard case .bytes([1, 2]) = try unpickle([0x43, 2, 1, 2, 0x2e]) else { Issue.record("SHORT_BINBYTES"); return }
        guard case .string("x") = try unpickle([0x8d, 1, 0, 0, 0, 0, 0, 0, 0] + ascii("x") + [0x2e]) else { Issue.record("BINUNICODE8"); return }
        #expect(throws: CheckpointError.self) { try unpickle([0x8c, 1, 0xff, 0x2e]) }  // invalid UTF-8
    }

    @Test func memoisedContainersSeeLaterMutation() throws {
        // [EMPTY_DICT, BINPUT 0, MARK, 'a', 1, SETITEMS, POP-free: EMPTY_LIST, BINGET 0, APPEND] -> [ {'a': 1} ]
        let bytes: [UInt8] = [0x80, 2, 0x7d, 0x71, 0, 0x28, 0x8c, 1] + ascii("a") + [0x4b, 1, 0x75]
            + [0x5d, 0x68, 0, 0x61, 0x2e]
        guard case .list(let list) = try unpickle(bytes), list.items.count == 1, case .dict(let dict) = list.items[0],
            case .int(1)? = dict["a"]
        else { Issue.record("memo did not share the dict"); return }
    }

    @Test func dictReplacesExistingKeyInPlace() throws {
        // {'a': 1, 'b': 2, 'a': 3} built with DICT keeps 'a' first with value 3, as Python does.
        let bytes: [UInt8] = [0x28, 0x8c, 1] + ascii("a") + [0x4b, 1, 0x8c, 1] + ascii("b") + [0x4b, 2, 0x8c, 1]
            + ascii("a") + [0x4b, 3, 0x64, 0x2e]
        guard case .dict(let dict) = try unpickle(bytes), dict.count == 2, case .int(3)? = dict["a"],
            case .string("a") = dict.keys[0]
        else { Issue.record("duplicate key handling"); return }
    }

    @Test(arguments: [
        ("NEWOBJ (0x81)", [UInt8]([0x80, 2, 0x29, 0x29, 0x81, 0x2e])),
        ("EMPTY_SET (0x8f)", [0x80, 4, 0x8f, 0x2e]),
        ("POP (0x30)", [0x4e, 0x30, 0x2e]),
        ("INST (0x69)", ascii("(ios\nsystem\n.")),
        ("unknown opcode 0xff", [0xff]),
    ])
    func refusesOpcodes(_ name: String, _ bytes: [UInt8]) {
        #expect(throws: CheckpointError.self) { try unpickle(bytes) }
        do {
            _ = try unpickle(bytes)
        } catch let error as CheckpointError {
            guard case .unsupportedOpcode(_, let opcode, _) = error else { Issue.record("\(error)"); return }
            #expect(opcode == name)
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func refusesGlobalsByFullName() {
        for (module, name) in [("builtins", "eval"), ("torch", "DoubleStorage"), ("torch._utils", "_rebuild_qtensor"),
                               ("collections", "defaultdict"), ("torch.nn.modules.conv", "Conv2d")] {
            let bytes = [0x63] + ascii("\(module)\n\(name)\n") + [0x2e]
            #expect(throws: CheckpointError.refusedGlobal(file: Self.file, name: "\(module).\(name)")) { try unpickle(bytes) }
            let stacked = [0x8c, UInt8(module.utf8.count)] + ascii(module) + [0x8c, UInt8(name.utf8.count)] + ascii(name) + [0x93, 0x2e]
            #expect(throws: CheckpointError.refusedGlobal(file: Self.file, name: "\(module).\(name)")) { try unpickle(stacked) }
        }
    }

    @Test(arguments: [
        [UInt8]([0x2e]),  // STOP on an empty stack
        [0x61, 0x2e],  // APPEND on an empty stack
        [0x7d, 0x4b, 1, 0x61, 0x2e],  // APPEND to a dict
        [0x74, 0x2e],  // TUPLE without MARK
        [0x68, 3, 0x2e],  // BINGET of an unset slot
        [0x80, 6, 0x2e],  // protocol 6
        [0x4b, 1, 0x29, 0x52, 0x2e],  // REDUCE on an int
        [0x63] + ascii("torch\nFloatStorage\n") + [0x29, 0x52, 0x2e],  // calling a storage class
        [0x5d, 0x7d, 0x62, 0x2e],  // BUILD on a list
    ])
    func rejectsMalformedPickles(_ bytes: [UInt8]) throws {
        let error = #expect(throws: CheckpointError.self) { try unpickle(bytes) }
        guard case .malformed? = error else { Issue.record("expected .malformed, got \(String(describing: error))"); return }
    }

    @Test func buildOnADictDropsItsAttributes() throws {
        // OrderedDict state_dicts end with BUILD {'_metadata': ...}.
        guard case .dict(let dict) = try unpickle([0x7d, 0x7d, 0x62, 0x2e]), dict.count == 0 else {
            Issue.record("BUILD on a dict")
            return
        }
    }

    @Test func endsBeforeStopIsTruncated() {
        let error = #expect(throws: CheckpointError.self) { try unpickle([0x80, 2, 0x7d]) }
        guard case .truncated? = error else { Issue.record("\(String(describing: error))"); return }
    }
}

/// Element conversions and the strided copy.
@Suite struct TensorLayoutTests {
    @Test func halfToFloat() {
        #expect(TorchTensor.float(fromHalfBits: 0x3c00) == 1)
        #expect(TorchTensor.float(fromHalfBits: 0xc000) == -2)
        #expect(TorchTensor.float(fromHalfBits: 0x0001) == 0x1p-24)
        #expect(TorchTensor.float(fromHalfBits: 0x8001) == -0x1p-24)
        #expect(TorchTensor.float(fromHalfBits: 0x7bff) == 65504)
        #expect(TorchTensor.float(fromHalfBits: 0x7c00) == .infinity)
        #expect(TorchTensor.float(fromHalfBits: 0xfc00) == -.infinity)
        #expect(TorchTensor.float(fromHalfBits: 0x7e00).isNaN)
        #expect(TorchTensor.float(fromHalfBits: 0x8000).sign == .minus)
    }

    func reference(_ shape: [Int], _ strides: [Int], offset: Int = 0, count: Int) -> TensorReference {
        TensorReference(storage: StorageReference(key: "0", dtype: .float32, elementOffset: 0, elementCount: count),
                        offset: offset, shape: shape, strides: strides)
    }

    @Test func collapsesLayouts() {
        #expect(reference([16, 32, 1, 1], [1, 16, 512, 512], count: 512).collapsedLayout == ([16, 32], [1, 16]))
        #expect(reference([2, 3, 4], [12, 4, 1], count: 24).collapsedLayout == ([24], [1]))
        #expect(reference([], [], count: 1).collapsedLayout == ([1], [1]))
        #expect(reference([2, 3], [1, 2], count: 6).isContiguous == false)
        #expect(reference([1, 3], [7, 1], count: 3).isContiguous)
    }

    @Test(arguments: [UInt8(1), 2, 4, 8])
    func gathersPermutedViews(elementSize: UInt8) throws {
        // A (2, 3, 4) view with strides (1, 8, 2) of a 24-element storage, offset 0, for each width.
        let dtype: TorchDType = [1: .uint8, 2: .float16, 4: .float32, 8: .int64][elementSize] ?? .uint8
        let size = dtype.elementSize
        let storage = (0..<24).flatMap { value in (0..<size).map { $0 == 0 ? UInt8(value) : 0 } }
        let view = TensorReference(
            storage: StorageReference(key: "0", dtype: dtype, elementOffset: 0, elementCount: 24),
            offset: 0, shape: [2, 3, 4], strides: [1, 8, 2])
        let tensor = try storage.withUnsafeBytes { try view.materialize(from: $0, name: "t", file: UnpicklerTests.file) }
        var expected: [UInt8] = []
        for i in 0..<2 { for j in 0..<3 { for k in 0..<4 { expected.append(UInt8(i + 8 * j + 2 * k)) } } }
        #expect(stride(from: 0, to: tensor.bytes.count, by: size).map { tensor.bytes[$0] } == expected)
    }

    @Test func viewPastItsStorageIsMalformed() {
        let view = reference([3, 3], [3, 1], offset: 1, count: 9)
        let storage = [UInt8](repeating: 0, count: 36)
        let error = #expect(throws: CheckpointError.self) {
            try storage.withUnsafeBytes { try view.materialize(from: $0, name: "w", file: UnpicklerTests.file) }
        }
        guard case .malformed? = error else { Issue.record("\(String(describing: error))"); return }
    }
}
