import Foundation

/// The parsing half of `MATFile`: header, data-element tags, compressed elements and matrices.
///
/// Layout of a data element (MAT-File Format, ch. 1): a tag of two uint32, `type` and `byteCount`, then
/// the data padded to 8 bytes — except that a "small element" packs `byteCount` (≤ 4) into the upper
/// 16 bits of the first word and the data into the second, and `miCOMPRESSED` data is not padded.

/// Storage types of data elements (MAT-File Format, table 1-1).
enum MATDataType: UInt32 {
    case int8 = 1, uint8, int16, uint16, int32, uint32, single, double = 9, int64 = 12, uint64
    case matrix = 14, compressed, utf8, utf16, utf32

    var elementSize: Int? {
        switch self {
        case .int8, .uint8, .utf8: return 1
        case .int16, .uint16, .utf16: return 2
        case .int32, .uint32, .single, .utf32: return 4
        case .double, .int64, .uint64: return 8
        case .matrix, .compressed: return nil
        }
    }
}

/// A borrowed view of bytes in the file's byte order. `origin` is where the view starts in the file (for
/// messages); `context` says when the bytes are inflated from a compressed element.
struct MATBytes {
    let raw: UnsafeRawBufferPointer
    let bigEndian: Bool
    let origin: Int
    var context = ""

    init(_ raw: UnsafeRawBufferPointer, bigEndian: Bool, origin: Int, context: String = "") {
        self.raw = raw
        self.bigEndian = bigEndian
        self.origin = origin
        self.context = context
    }

    var count: Int { raw.count }

    func u16(_ at: Int) -> UInt16 {
        let v = raw.loadUnaligned(fromByteOffset: at, as: UInt16.self)
        return bigEndian ? UInt16(bigEndian: v) : UInt16(littleEndian: v)
    }

    func u32(_ at: Int) -> UInt32 {
        let v = raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)
        return bigEndian ? UInt32(bigEndian: v) : UInt32(littleEndian: v)
    }

    func u64(_ at: Int) -> UInt64 {
        let v = raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)
        return bigEndian ? UInt64(bigEndian: v) : UInt64(littleEndian: v)
    }

    /// "byte 136" or "byte 40 of the element inflated from byte 128".
    func position(_ at: Int) -> String {
        context.isEmpty ? "byte \(origin + at)" : "byte \(at) of \(context)"
    }
}

/// One data element's tag and where its data lies.
struct MATElement {
    var type: UInt32
    var dataStart: Int
    var byteCount: Int
    /// Offset of the next element.
    var next: Int
}

struct MATParser {
    let file: String
    var arrays: [String: MATArray] = [:]
    var unsupported: [String: String] = [:]
    private var unnamed = 0

    init(file: String) {
        self.file = file
    }

    func fail(_ reason: String) -> DatasetError {
        .matFile(file: file, reason: reason)
    }

    /// Checks the 128-byte header and returns its text and byte order.
    func parseHeader(_ bytes: [UInt8]) throws -> (text: String, bigEndian: Bool) {
        let text = String(decoding: bytes.prefix(116), as: UTF8.self)
        if text.hasPrefix("MATLAB 7.3") {
            throw fail("a MATLAB 7.3 file is HDF5, not v5 — re-save it with `save -v7` or read it with h5py")
        }
        guard bytes.count >= 128 else {
            throw fail(text.hasPrefix("MATLAB 5.0")
                ? "truncated: \(bytes.count) bytes, shorter than the 128-byte header"
                : "no MATLAB 5.0 header (the file is only \(bytes.count) bytes)")
        }
        let indicator = String(decoding: bytes[126..<128], as: UTF8.self)
        guard indicator == "IM" || indicator == "MI" else {
            let start = String(decoding: bytes.prefix(16), as: UTF8.self).filter { $0.isASCII && !$0.isNewline && $0 != "\0" }
            throw fail("no MATLAB 5.0 header (expected the endian indicator 'IM' at byte 126; the file starts with \"\(start)\")")
        }
        let bigEndian = indicator == "MI"
        let version = bigEndian ? UInt16(bytes[124]) << 8 | UInt16(bytes[125]) : UInt16(bytes[125]) << 8 | UInt16(bytes[124])
        guard version == 0x0100 else {
            throw fail("header version 0x\(String(version, radix: 16)), expected 0x0100 (MATLAB v5/v7)")
        }
        let trimmed = text.trimmingCharacters(in: CharacterSet(charactersIn: " \0"))
        return (trimmed, bigEndian)
    }

    /// Reads the tag at `at`; `topLevel` elements that are compressed are not padded.
    func element(_ b: MATBytes, at: Int, end: Int) throws -> MATElement {
        guard at + 8 <= end else {
            throw fail("truncated: a data element tag at \(b.position(at)) needs 8 bytes, \(end - at) remain")
        }
        let first = b.u32(at)
        if first >> 16 != 0 {  // small data element: byte count in the upper half, data in the next 4 bytes
            let count = Int(first >> 16)
            guard count <= 4 else { throw fail("bad small data element at \(b.position(at)) (\(count) bytes)") }
            return MATElement(type: first & 0xFFFF, dataStart: at + 4, byteCount: count, next: at + 8)
        }
        let count = Int(b.u32(at + 4))
        let dataStart = at + 8
        guard count <= end - dataStart else {
            throw fail("truncated: the element at \(b.position(at)) needs \(count) bytes, \(end - dataStart) remain")
        }
        let padded = first == MATDataType.compressed.rawValue ? count : (count + 7) & ~7
        return MATElement(type: first, dataStart: dataStart, byteCount: count, next: min(dataStart + padded, end))
    }

    /// Parses the elements in `b[from...]`: matrices become variables, compressed elements are inflated and
    /// parsed in turn, anything else is skipped.
    mutating func parseElements(_ b: MATBytes, from: Int, depth: Int) throws {
        guard depth < 8 else { throw fail("compressed elements nested more than 8 deep at \(b.position(from))") }
        var at = from
        while at < b.count {
            let e = try element(b, at: at, end: b.count)
            switch MATDataType(rawValue: e.type) {
            case .compressed:
                let inflated: [UInt8]
                do {
                    inflated = try ZlibInflater.inflateAll(UnsafeRawBufferPointer(rebasing: b.raw[e.dataStart..<(e.dataStart + e.byteCount)]))
                } catch let failure as ZlibInflater.Failure {
                    throw fail("\(failure) (compressed element at \(b.position(at)))")
                }
                try inflated.withUnsafeBytes { raw in
                    let inner = MATBytes(raw, bigEndian: b.bigEndian, origin: 0,
                                         context: "the element inflated from \(b.position(at))")
                    try parseElements(inner, from: 0, depth: depth + 1)
                }
            case .matrix:
                try parseMatrix(b, e)
            default:
                break
            }
            at = e.next
        }
    }

    /// Parses an miMATRIX element: array flags, dimensions, name, then the real part.
    mutating func parseMatrix(_ b: MATBytes, _ matrix: MATElement) throws {
        guard matrix.byteCount > 0 else { return }  // an empty placeholder matrix
        let end = matrix.dataStart + matrix.byteCount
        let flags = try element(b, at: matrix.dataStart, end: end)
        guard flags.type == MATDataType.uint32.rawValue, flags.byteCount == 8 else {
            throw fail("matrix at \(b.position(matrix.dataStart - 8)) does not start with array flags")
        }
        let word = b.u32(flags.dataStart)
        let classID = UInt8(word & 0xFF)
        let isComplex = word & 0x800 != 0, isLogical = word & 0x200 != 0

        let dimsElement = try element(b, at: flags.next, end: end)
        guard dimsElement.type == MATDataType.int32.rawValue, dimsElement.byteCount % 4 == 0 else {
            throw fail("matrix at \(b.position(matrix.dataStart - 8)) has no int32 dimensions")
        }
        let dims = (0..<(dimsElement.byteCount / 4)).map { Int(Int32(bitPattern: b.u32(dimsElement.dataStart + 4 * $0))) }
        guard dims.allSatisfy({ $0 >= 0 }) else { throw fail("negative dimension \(dims) at \(b.position(dimsElement.dataStart))") }

        let nameElement = try element(b, at: dimsElement.next, end: end)
        var name = String(decoding: b.raw[nameElement.dataStart..<(nameElement.dataStart + nameElement.byteCount)], as: UTF8.self)
        if name.isEmpty {
            unnamed += 1
            name = "<unnamed \(unnamed)>"
        }

        guard let numericClass = MATArray.NumericClass(rawValue: classID) else {
            unsupported[name] = Self.className(classID)
            return
        }
        if isComplex {
            unsupported[name] = "complex \(numericClass) array"
            return
        }
        let real = try element(b, at: nameElement.next, end: end)
        let values = try decodeValues(b, real, variable: name)
        let expected = dims.reduce(1, *)
        let count: Int
        switch values {
        case .integers(let v): count = v.count
        case .doubles(let v): count = v.count
        }
        guard count == expected else {
            throw fail("variable '\(name)' has \(count) values for dimensions \(dims.map(String.init).joined(separator: "×"))")
        }
        arrays[name] = MATArray(name: name, dimensions: dims, numericClass: numericClass, isLogical: isLogical, values: values)
    }

    /// Decodes a numeric data element of any storage type.
    func decodeValues(_ b: MATBytes, _ e: MATElement, variable: String) throws -> MATArray.Values {
        guard let type = MATDataType(rawValue: e.type), let size = type.elementSize, type.rawValue < MATDataType.matrix.rawValue else {
            throw fail("variable '\(variable)' has data of unknown type \(e.type) at \(b.position(e.dataStart - 8))")
        }
        guard e.byteCount % size == 0 else {
            throw fail("variable '\(variable)': \(e.byteCount) bytes is not a whole number of \(size)-byte values")
        }
        let n = e.byteCount / size, s = e.dataStart
        switch type {
        case .single:
            return .doubles((0..<n).map { Double(Float(bitPattern: b.u32(s + 4 * $0))) })
        case .double:
            return .doubles((0..<n).map { Double(bitPattern: b.u64(s + 8 * $0)) })
        case .int8: return .integers((0..<n).map { Int(Int8(bitPattern: b.raw[s + $0])) })
        case .uint8: return .integers((0..<n).map { Int(b.raw[s + $0]) })
        case .int16: return .integers((0..<n).map { Int(Int16(bitPattern: b.u16(s + 2 * $0))) })
        case .uint16: return .integers((0..<n).map { Int(b.u16(s + 2 * $0)) })
        case .int32: return .integers((0..<n).map { Int(Int32(bitPattern: b.u32(s + 4 * $0))) })
        case .uint32: return .integers((0..<n).map { Int(b.u32(s + 4 * $0)) })
        case .int64: return .integers((0..<n).map { Int(Int64(bitPattern: b.u64(s + 8 * $0))) })
        case .uint64:
            let raw = (0..<n).map { b.u64(s + 8 * $0) }
            // Beyond Int64 the values can only be given approximately, as doubles.
            return raw.allSatisfy { $0 <= UInt64(Int.max) } ? .integers(raw.map { Int($0) }) : .doubles(raw.map { Double($0) })
        default:
            throw fail("variable '\(variable)' has text data (type \(e.type)) where numbers were expected")
        }
    }

    static func className(_ id: UInt8) -> String {
        switch id {
        case 1: return "cell array"
        case 2: return "struct"
        case 3: return "object"
        case 4: return "char array"
        case 5: return "sparse array"
        case 16: return "function handle"
        case 17: return "opaque object"
        default: return "array of unknown class \(id)"
        }
    }
}
