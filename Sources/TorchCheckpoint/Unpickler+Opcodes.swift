import Foundation

/// Pickle opcode bytes (CPython `Lib/pickle.py`) that the restricted unpickler runs.
enum Opcode {
    static let mark = UInt8(ascii: "("), stop = UInt8(ascii: "."), int = UInt8(ascii: "I")
    static let binInt = UInt8(ascii: "J"), binInt1 = UInt8(ascii: "K"), binInt2 = UInt8(ascii: "M")
    static let none = UInt8(ascii: "N"), persID = UInt8(ascii: "P"), binPersID = UInt8(ascii: "Q")
    static let reduce = UInt8(ascii: "R"), binString = UInt8(ascii: "T"), shortBinString = UInt8(ascii: "U")
    static let binUnicode = UInt8(ascii: "X"), append = UInt8(ascii: "a"), build = UInt8(ascii: "b")
    static let global = UInt8(ascii: "c"), dict = UInt8(ascii: "d"), emptyDict = UInt8(ascii: "}")
    static let appends = UInt8(ascii: "e"), binGet = UInt8(ascii: "h"), longBinGet = UInt8(ascii: "j")
    static let list = UInt8(ascii: "l"), emptyList = UInt8(ascii: "]"), binPut = UInt8(ascii: "q")
    static let longBinPut = UInt8(ascii: "r"), setItem = UInt8(ascii: "s"), tuple = UInt8(ascii: "t")
    static let emptyTuple = UInt8(ascii: ")"), setItems = UInt8(ascii: "u"), binFloat = UInt8(ascii: "G")
    static let binBytes = UInt8(ascii: "B"), shortBinBytes = UInt8(ascii: "C")
    static let proto: UInt8 = 0x80, tuple1: UInt8 = 0x85, tuple2: UInt8 = 0x86, tuple3: UInt8 = 0x87
    static let newTrue: UInt8 = 0x88, newFalse: UInt8 = 0x89, long1: UInt8 = 0x8a
    static let shortBinUnicode: UInt8 = 0x8c, binUnicode8: UInt8 = 0x8d, stackGlobal: UInt8 = 0x93
    static let memoize: UInt8 = 0x94, frame: UInt8 = 0x95

    /// Every opcode of protocols 0-5 by name, so a refused one is reported as CPython names it.
    static let names: [UInt8: String] = [
        0x28: "MARK", 0x2e: "STOP", 0x30: "POP", 0x31: "POP_MARK", 0x32: "DUP", 0x46: "FLOAT", 0x49: "INT",
        0x4a: "BININT", 0x4b: "BININT1", 0x4c: "LONG", 0x4d: "BININT2", 0x4e: "NONE", 0x50: "PERSID",
        0x51: "BINPERSID", 0x52: "REDUCE", 0x53: "STRING", 0x54: "BINSTRING", 0x55: "SHORT_BINSTRING",
        0x56: "UNICODE", 0x58: "BINUNICODE", 0x61: "APPEND", 0x62: "BUILD", 0x63: "GLOBAL", 0x64: "DICT",
        0x7d: "EMPTY_DICT", 0x65: "APPENDS", 0x67: "GET", 0x68: "BINGET", 0x69: "INST", 0x6a: "LONG_BINGET",
        0x6c: "LIST", 0x5d: "EMPTY_LIST", 0x6f: "OBJ", 0x70: "PUT", 0x71: "BINPUT", 0x72: "LONG_BINPUT",
        0x73: "SETITEM", 0x74: "TUPLE", 0x29: "EMPTY_TUPLE", 0x75: "SETITEMS", 0x47: "BINFLOAT",
        0x80: "PROTO", 0x81: "NEWOBJ", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4", 0x85: "TUPLE1",
        0x86: "TUPLE2", 0x87: "TUPLE3", 0x88: "NEWTRUE", 0x89: "NEWFALSE", 0x8a: "LONG1", 0x8b: "LONG4",
        0x42: "BINBYTES", 0x43: "SHORT_BINBYTES", 0x8c: "SHORT_BINUNICODE", 0x8d: "BINUNICODE8",
        0x8e: "BINBYTES8", 0x8f: "EMPTY_SET", 0x90: "ADDITEMS", 0x91: "FROZENSET", 0x92: "NEWOBJ_EX",
        0x93: "STACK_GLOBAL", 0x94: "MEMOIZE", 0x95: "FRAME", 0x96: "BYTEARRAY8", 0x97: "NEXT_BUFFER",
        0x98: "READONLY_BUFFER",
    ]

    /// `NAME (0xNN)`, or `unknown opcode 0xNN`.
    static func describe(_ opcode: UInt8) -> String {
        let hex = "0x" + String(opcode, radix: 16, uppercase: false)
        return names[opcode].map { "\($0) (\(hex))" } ?? "unknown opcode \(hex)"
    }
}

extension Unpickler {
    /// Runs one opcode other than STOP.
    ///
    /// - Throws: ``CheckpointError/unsupportedOpcode(file:opcode:offset:)`` for anything outside the
    ///   state-dict subset.
    mutating func execute(_ opcode: UInt8, at position: Int) throws {
        let name = Opcode.names[opcode] ?? "opcode"
        switch opcode {
        case Opcode.proto:
            let version = try reader.byte(for: "PROTO")
            guard (2...5).contains(version) else { throw malformed("pickle protocol \(version) is not supported (2 to 5 are)") }
        case Opcode.frame:
            _ = try reader.integer(UInt64.self, for: "FRAME")  // a read-ahead hint; frames are inline
        case Opcode.mark:
            marks.append(stack.count)

        // Containers
        case Opcode.emptyDict: stack.append(.dict(PickleDict()))
        case Opcode.emptyList: stack.append(.list(PickleList()))
        case Opcode.emptyTuple: stack.append(.tuple([]))
        case Opcode.tuple: stack.append(.tuple(try popToMark(for: name)))
        case Opcode.tuple1, Opcode.tuple2, Opcode.tuple3:
            let n = Int(opcode - Opcode.tuple1) + 1
            var items = [PickleValue](repeating: .none, count: n)
            for i in stride(from: n - 1, through: 0, by: -1) { items[i] = try pop(for: name) }
            stack.append(.tuple(items))
        case Opcode.list: stack.append(.list(PickleList(try popToMark(for: name))))
        case Opcode.dict:
            let items = try popToMark(for: name)
            guard items.count % 2 == 0 else { throw malformed("DICT with an odd number of items at byte \(position)") }
            let dict = PickleDict()
            for i in stride(from: 0, to: items.count, by: 2) { dict.set(items[i], items[i + 1]) }
            stack.append(.dict(dict))
        case Opcode.append:
            let value = try pop(for: name)
            try targetList(for: name).items.append(value)
        case Opcode.appends:
            let items = try popToMark(for: name)
            try targetList(for: name).items.append(contentsOf: items)
        case Opcode.setItem:
            let value = try pop(for: name), key = try pop(for: name)
            try targetDict(for: name).set(key, value)
        case Opcode.setItems:
            let items = try popToMark(for: name)
            guard items.count % 2 == 0 else { throw malformed("SETITEMS with an odd number of items at byte \(position)") }
            let dict = try targetDict(for: name)
            for i in stride(from: 0, to: items.count, by: 2) { dict.set(items[i], items[i + 1]) }

        // Numbers and constants
        case Opcode.none: stack.append(.none)
        case Opcode.newTrue: stack.append(.bool(true))
        case Opcode.newFalse: stack.append(.bool(false))
        case Opcode.binInt: stack.append(.int(Int(try reader.integer(Int32.self, for: name))))
        case Opcode.binInt1: stack.append(.int(Int(try reader.byte(for: name))))
        case Opcode.binInt2: stack.append(.int(Int(try reader.integer(UInt16.self, for: name))))
        case Opcode.long1:
            let count = Int(try reader.byte(for: name))
            stack.append(Self.integer(littleEndianTwosComplement: Array(try reader.bytes(count, for: name))))
        case Opcode.int:
            let text = String(decoding: try reader.line(for: name), as: UTF8.self)
            switch text {
            case "00": stack.append(.bool(false))
            case "01": stack.append(.bool(true))
            default:
                guard let value = Int(text) else { throw malformed("INT with text \"\(text)\" at byte \(position)") }
                stack.append(.int(value))
            }
        case Opcode.binFloat:
            // Big-endian on disk, unlike everything else in a pickle.
            stack.append(.float(Double(bitPattern: try reader.integer(UInt64.self, for: name).byteSwapped)))

        // Strings and bytes
        case Opcode.shortBinUnicode:
            stack.append(.string(try utf8(count: Int(try reader.byte(for: name)), for: name)))
        case Opcode.binUnicode:
            stack.append(.string(try utf8(count: Int(try reader.integer(UInt32.self, for: name)), for: name)))
        case Opcode.binUnicode8:
            stack.append(.string(try utf8(count: Int(clamping: try reader.integer(UInt64.self, for: name)), for: name)))
        case Opcode.shortBinString, Opcode.binString:
            // Python 2 `str`: torch.load decodes these as latin-1.
            let count = opcode == Opcode.shortBinString
                ? Int(try reader.byte(for: name)) : Int(try reader.integer(Int32.self, for: name))
            let raw = try reader.bytes(count, for: name)
            stack.append(.string(String(raw.map { Character(Unicode.Scalar($0)) })))
        case Opcode.shortBinBytes:
            stack.append(.bytes(Array(try reader.bytes(Int(try reader.byte(for: name)), for: name))))
        case Opcode.binBytes:
            stack.append(.bytes(Array(try reader.bytes(Int(try reader.integer(UInt32.self, for: name)), for: name))))

        // Memo
        case Opcode.binPut: memo[Int(try reader.byte(for: name))] = try top(for: name)
        case Opcode.longBinPut: memo[Int(try reader.integer(UInt32.self, for: name))] = try top(for: name)
        case Opcode.memoize: memo[memo.count] = try top(for: name)
        case Opcode.binGet, Opcode.longBinGet:
            let index = opcode == Opcode.binGet
                ? Int(try reader.byte(for: name)) : Int(try reader.integer(UInt32.self, for: name))
            guard let value = memo[index] else { throw malformed("\(name) of unset memo slot \(index) at byte \(position)") }
            stack.append(value)

        // Globals, calls, persistent ids (Unpickler+Globals.swift)
        case Opcode.global:
            let module = String(decoding: try reader.line(for: name), as: UTF8.self)
            let attribute = String(decoding: try reader.line(for: name), as: UTF8.self)
            stack.append(.global(try resolveGlobal(module: module, name: attribute)))
        case Opcode.stackGlobal:
            let attribute = try pop(for: name), module = try pop(for: name)
            guard case .string(let m) = module, case .string(let a) = attribute else {
                throw malformed("STACK_GLOBAL with \(module.typeName) and \(attribute.typeName) at byte \(position)")
            }
            stack.append(.global(try resolveGlobal(module: m, name: a)))
        case Opcode.reduce:
            let arguments = try pop(for: name), callable = try pop(for: name)
            stack.append(try call(callable, arguments))
        case Opcode.build:
            let state = try pop(for: name)
            try build(on: try top(for: name), state: state)
        case Opcode.binPersID:
            stack.append(try persistentLoad(try pop(for: name)))
        case Opcode.persID:
            stack.append(try persistentLoad(.string(String(decoding: try reader.line(for: name), as: UTF8.self))))

        default:
            throw CheckpointError.unsupportedOpcode(file: file, opcode: Opcode.describe(opcode), offset: position)
        }
    }

    /// A `LONG1` payload: n little-endian two's-complement bytes; beyond 8 bytes kept as bytes.
    static func integer(littleEndianTwosComplement bytes: [UInt8]) -> PickleValue {
        guard bytes.count <= 8 else { return .bigInt(bytes) }
        guard let last = bytes.last else { return .int(0) }
        var value: UInt64 = last & 0x80 != 0 ? ~0 : 0  // sign-extend
        for (i, byte) in bytes.enumerated() {
            value &= ~(UInt64(0xff) << (8 * UInt64(i)))
            value |= UInt64(byte) << (8 * UInt64(i))
        }
        return .int(Int(Int64(bitPattern: value)))
    }

    private mutating func utf8(count: Int, for opcode: String) throws -> String {
        let raw = try reader.bytes(count, for: opcode)
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw malformed("\(opcode) with invalid UTF-8 at byte \(reader.offset - count)")
        }
        return text
    }

    private func targetList(for opcode: String) throws -> PickleList {
        guard case .list(let list) = try top(for: opcode) else {
            throw malformed("\(opcode) on a \((try? top(for: opcode))?.typeName ?? "value"), not a list")
        }
        return list
    }

    private func targetDict(for opcode: String) throws -> PickleDict {
        let target = try top(for: opcode)
        guard case .dict(let dict) = target else { throw malformed("\(opcode) on a \(target.typeName), not a dict") }
        return dict
    }
}
