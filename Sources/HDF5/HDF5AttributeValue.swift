/// The value of an attribute, in the forms h5py writes and reads.
///
/// Written as: ``string(_:)`` a scalar variable-length UTF-8 string (h5py reads `str`), ``int64(_:)``
/// a scalar int64, ``double(_:)`` a scalar float64, ``floats(_:)`` a 1-D float32 array, ``int64s(_:)``
/// and ``doubles(_:)`` 1-D int64/float64 arrays. Literals work: `"café"`, `3`, `0.1`, `[0.5, 0.25]` (floats).
///
/// Read from any integer scalar (``int64(_:)``), float scalar (``double(_:)``), float16/float32 array
/// (``floats(_:)``), float64 array (``doubles(_:)``), integer array (``int64s(_:)``), and fixed- or
/// variable-length scalar strings (``string(_:)``). Arrays of any rank are flattened row-major.
public enum HDF5AttributeValue: Hashable, Sendable {
    case string(String)
    case int64(Int64)
    case double(Double)
    case floats([Float])
    case int64s([Int64])
    case doubles([Double])

    /// Words for error messages: "a string", "an int64 scalar", ...
    var kindDescription: String {
        switch self {
        case .string: return "a string"
        case .int64: return "an int64 scalar"
        case .double: return "a float64 scalar"
        case .floats(let values): return "a float32 array [\(values.count)]"
        case .int64s(let values): return "an int64 array [\(values.count)]"
        case .doubles(let values): return "a float64 array [\(values.count)]"
        }
    }
}

extension HDF5AttributeValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByArrayLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int64(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: Float...) { self = .floats(elements) }
}
