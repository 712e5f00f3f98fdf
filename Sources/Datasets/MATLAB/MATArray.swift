/// One numeric variable of a MATLAB v5 file: its name, dimensions and real values in column-major order.
///
/// Concretely: element (i, j) of an m×n matrix is `values[i + j·m]`, as MATLAB stores it. Values keep
/// the storage type's precision: integer storage (MATLAB often stores a `double` matrix of small whole
/// numbers as miUINT8 or miUINT16, as the Oxford Flowers files do) gives exact `Int`s, floating-point
/// storage gives `Double`s (and so does uint64 data beyond `Int.max`, approximately).
public struct MATArray: Sendable, Equatable {
    /// MATLAB's array classes that hold real numbers (mxDOUBLE_CLASS … mxUINT64_CLASS).
    public enum NumericClass: UInt8, Sendable, CaseIterable {
        case double = 6, single, int8, uint8, int16, uint16, int32, uint32, int64, uint64
    }

    /// The decoded values, in the precision of their storage type.
    public enum Values: Sendable, Equatable {
        case integers([Int])
        case doubles([Double])
    }

    /// The variable's name in the file.
    public var name: String
    /// Dimensions, at least two (a row vector is 1×n).
    public var dimensions: [Int]
    /// The array's class (what MATLAB shows), which may differ from the storage type.
    public var numericClass: NumericClass
    /// True for MATLAB `logical` arrays (stored as uint8 0/1).
    public var isLogical: Bool
    /// The values in column-major order.
    public var values: Values

    public init(name: String, dimensions: [Int], numericClass: NumericClass, isLogical: Bool = false, values: Values) {
        self.name = name
        self.dimensions = dimensions
        self.numericClass = numericClass
        self.isLogical = isLogical
        self.values = values
    }

    /// Number of elements (the product of the dimensions).
    public var count: Int {
        switch values {
        case .integers(let v): return v.count
        case .doubles(let v): return v.count
        }
    }

    /// The values as `Double`s (exact for integers up to 2^53).
    public var doubles: [Double] {
        switch values {
        case .integers(let v): return v.map(Double.init)
        case .doubles(let v): return v
        }
    }

    /// The values as `Int`s, or nil when one of them is not a whole number (or is out of `Int`'s range).
    public var integers: [Int]? {
        switch values {
        case .integers(let v): return v
        case .doubles(let v):
            var out = [Int]()
            out.reserveCapacity(v.count)
            for x in v {
                guard let i = Int(exactly: x) else { return nil }
                out.append(i)
            }
            return out
        }
    }
}
