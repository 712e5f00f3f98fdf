import CHDF5

/// The element type of a stored dataset or attribute, named as numpy names it (`float16`, `int64`, ...).
///
/// On disk, numbers are little-endian, as h5py writes them on x86-64 and arm64. `float16` is IEEE 754
/// half precision (1 sign, 5 exponent, 10 mantissa bits, bias 15). HDF5 1.10 has no predefined half
/// type, so we build the same one h5py builds, and h5py reads it back as `numpy.float16`.
public enum HDF5DataType: Hashable, Sendable, CustomStringConvertible {
    case float16, float32, float64
    case int8, int16, int32, int64
    case uint8, uint16, uint32, uint64
    /// A fixed- or variable-length string.
    case string
    /// Anything else (compound, enum, array, a non-IEEE float...), described in words.
    case other(String)

    public var description: String {
        switch self {
        case .float16: return "float16"
        case .float32: return "float32"
        case .float64: return "float64"
        case .int8: return "int8"
        case .int16: return "int16"
        case .int32: return "int32"
        case .int64: return "int64"
        case .uint8: return "uint8"
        case .uint16: return "uint16"
        case .uint32: return "uint32"
        case .uint64: return "uint64"
        case .string: return "string"
        case .other(let text): return text
        }
    }

    /// Whether this is one of the floating-point types.
    public var isFloatingPoint: Bool { [.float16, .float32, .float64].contains(self) }

    /// Whether this is one of the integer types.
    public var isInteger: Bool {
        [.int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64].contains(self)
    }

    /// Bytes per element on disk; nil for strings and other types.
    public var byteCount: Int? {
        switch self {
        case .int8, .uint8: return 1
        case .float16, .int16, .uint16: return 2
        case .float32, .int32, .uint32: return 4
        case .float64, .int64, .uint64: return 8
        case .string, .other: return nil
        }
    }
}

// MARK: - libhdf5 type identifiers (call with the library lock held)

extension HDF5DataType {
    /// Classifies a libhdf5 datatype identifier (borrowed; not closed here).
    static func of(typeID: hid_t) -> HDF5DataType {
        let size = H5Tget_size(typeID)
        switch H5Tget_class(typeID) {
        case H5T_FLOAT:
            var spos = 0, epos = 0, esize = 0, mpos = 0, msize = 0
            _ = H5Tget_fields(typeID, &spos, &epos, &esize, &mpos, &msize)
            switch (size, esize, msize) {
            case (2, 5, 10): return .float16
            case (4, 8, 23): return .float32
            case (8, 11, 52): return .float64
            default: return .other("float\(size * 8) (exponent \(esize) bits, mantissa \(msize) bits)")
            }
        case H5T_INTEGER:
            let unsigned = H5Tget_sign(typeID) == H5T_SGN_NONE
            switch (size, unsigned) {
            case (1, false): return .int8
            case (2, false): return .int16
            case (4, false): return .int32
            case (8, false): return .int64
            case (1, true): return .uint8
            case (2, true): return .uint16
            case (4, true): return .uint32
            case (8, true): return .uint64
            default: return .other("\(unsigned ? "u" : "")int\(size * 8)")
            }
        case H5T_STRING: return .string
        case H5T_COMPOUND: return .other("compound")
        case H5T_ENUM: return .other("enum (e.g. bool)")
        case H5T_ARRAY: return .other("array")
        case H5T_VLEN: return .other("variable-length sequence")
        case H5T_OPAQUE: return .other("opaque")
        case H5T_REFERENCE: return .other("reference")
        case H5T_BITFIELD: return .other("bitfield")
        default: return .other("unknown type")
        }
    }

    /// A new (owned) little-endian file datatype for this type; nil for strings and other types.
    func makeFileType() -> HDF5Handle? {
        let base: hid_t
        switch self {
        case .float16:
            // Exactly h5py's IEEE_F16LE: copy F32LE, then set_fields, set_size, set_ebias (in this order:
            // the fields must fit in the new size before it shrinks).
            let id = H5Tcopy(chdf5_ieee_f32le())
            guard id >= 0 else { return nil }
            let half = HDF5Handle(id, .datatype)
            guard H5Tset_fields(id, 15, 10, 5, 0, 10) >= 0, H5Tset_size(id, 2) >= 0,
                H5Tset_ebias(id, 15) >= 0, H5Tset_precision(id, 16) >= 0
            else { return nil }
            return half
        case .float32: base = chdf5_ieee_f32le()
        case .float64: base = chdf5_ieee_f64le()
        case .int8: base = chdf5_std_i8le()
        case .int16: base = chdf5_std_i16le()
        case .int32: base = chdf5_std_i32le()
        case .int64: base = chdf5_std_i64le()
        case .uint8: base = chdf5_std_u8le()
        case .uint16: base = chdf5_std_u16le()
        case .uint32: base = chdf5_std_u32le()
        case .uint64: base = chdf5_std_u64le()
        case .string, .other: return nil
        }
        let id = H5Tcopy(base)
        return id >= 0 ? HDF5Handle(id, .datatype) : nil
    }
}

/// The kind of object a link in a group points to.
public enum HDF5ObjectKind: String, Hashable, Sendable, CustomStringConvertible {
    case group
    case dataset
    case namedDatatype = "named datatype"
    /// A soft or external link whose target does not resolve.
    case unresolvedLink = "unresolved link"
    case other

    public var description: String { rawValue }
}
