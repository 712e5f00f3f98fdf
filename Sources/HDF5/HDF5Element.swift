import CHDF5

/// A Swift number type that datasets and attributes can be read into and written from.
///
/// Conforming types: `Float`, `Double`, `Int64`, `Int32`, `UInt8`. Do not add conformances outside this
/// module: the memory layout of each is mapped to a libhdf5 native type here.
///
/// Conversions libhdf5 performs on read: `Float`/`Double` accept any stored float (`float16` widens
/// exactly; `float64` into `Float` rounds); `Int64` accepts any integer but `uint64`; `Int32` accepts
/// `int8`/`int16`/`int32`/`uint8`/`uint16`; `UInt8` accepts `uint8` only. On write, float elements may be
/// stored as `float16`, `float32` or `float64` (rounded to nearest, ties to even); integers only as themselves.
public protocol HDF5Element: Sendable, Equatable {
    /// The stored type this element maps to without conversion.
    static var hdf5Type: HDF5DataType { get }
}

extension Float: HDF5Element { public static var hdf5Type: HDF5DataType { .float32 } }
extension Double: HDF5Element { public static var hdf5Type: HDF5DataType { .float64 } }
extension Int64: HDF5Element { public static var hdf5Type: HDF5DataType { .int64 } }
extension Int32: HDF5Element { public static var hdf5Type: HDF5DataType { .int32 } }
extension UInt8: HDF5Element { public static var hdf5Type: HDF5DataType { .uint8 } }

extension HDF5Element {
    /// The libhdf5 native memory type (predefined; never closed). Call with the lock held.
    static var memoryTypeID: hid_t {
        switch hdf5Type {
        case .float32: return chdf5_native_float()
        case .float64: return chdf5_native_double()
        case .int64: return chdf5_native_int64()
        case .int32: return chdf5_native_int32()
        case .uint8: return chdf5_native_uint8()
        default: preconditionFailure("\(Self.self) is not a supported HDF5Element")
        }
    }

    /// Whether values stored as `stored` can be read into this type without overflow.
    static func canRead(from stored: HDF5DataType) -> Bool {
        switch hdf5Type {
        case .float32, .float64: return stored.isFloatingPoint
        case .int64: return stored.isInteger && stored != .uint64
        case .int32: return [.int8, .int16, .int32, .uint8, .uint16].contains(stored)
        case .uint8: return stored == .uint8
        default: return false
        }
    }

    /// Whether this type may be written to a dataset stored as `stored`.
    static func canWrite(to stored: HDF5DataType) -> Bool {
        hdf5Type.isFloatingPoint ? stored.isFloatingPoint : stored == hdf5Type
    }

    /// Words for error messages: "Float (needs float16/float32/float64)".
    static var readableDescription: String {
        switch hdf5Type {
        case .float32, .float64: return "\(Self.self) (needs float16, float32 or float64)"
        case .int64: return "Int64 (needs an integer type other than uint64)"
        case .int32: return "Int32 (needs int8, int16, int32, uint8 or uint16)"
        default: return "\(Self.self) (needs \(hdf5Type))"
        }
    }
}
