/// One tensor read from a checkpoint: an element type, a shape and contiguous little-endian bytes.
///
/// Layout: PyTorch's own (a conv weight is `(O, I/groups, kh, kw)`), row-major and contiguous. A view
/// that was saved with other strides or a storage offset has been copied into this layout on load, so
/// `bytes.count == count * dtype.elementSize` always holds. A 0-d tensor has `shape == []` and one element.
public struct TorchTensor: Sendable, Equatable {
    /// The element type.
    public let dtype: TorchDType
    /// The sizes, outermost first, as `tensor.shape` in PyTorch.
    public let shape: [Int]
    /// The elements in row-major order, little-endian, `dtype.elementSize` bytes each.
    public let bytes: [UInt8]

    /// Wraps contiguous bytes.
    ///
    /// - Precondition: `bytes.count` is the product of `shape` times `dtype.elementSize`.
    public init(dtype: TorchDType, shape: [Int], bytes: [UInt8]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative size in shape \(shape)")
        precondition(bytes.count == shape.reduce(1, *) * dtype.elementSize,
                     "\(bytes.count) bytes do not fit \(dtype) \(shape)")
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// The number of elements: the product of ``shape`` (1 for a 0-d tensor).
    public var count: Int { shape.reduce(1, *) }

    /// The elements as `Float`: float32 copied, float16 widened exactly, integers converted
    /// (int64 beyond 2^24 rounds).
    ///
    /// - Complexity: O(count), one pass without per-element bounds checks.
    public func floats() -> [Float] {
        let n = count
        return bytes.withUnsafeBytes { raw in
            [Float](unsafeUninitializedCapacity: n) { out, initialized in
                switch dtype {
                case .float32:
                    if n > 0, let source = raw.baseAddress, let target = out.baseAddress {
                        UnsafeMutableRawPointer(target).copyMemory(from: source, byteCount: n * 4)
                    }
                case .float16:
                    for i in 0..<n {
                        let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                        out[i] = Self.float(fromHalfBits: bits)
                    }
                case .int64:
                    for i in 0..<n {
                        out[i] = Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
                    }
                case .uint8:
                    for i in 0..<n { out[i] = Float(raw[i]) }
                }
                initialized = n
            }
        }
    }

    /// The elements as `Int64`: int64 copied, uint8 widened.
    ///
    /// - Precondition: ``dtype`` is `.int64` or `.uint8` (use ``floats()`` for floating-point tensors).
    public func int64s() -> [Int64] {
        precondition(!dtype.isFloatingPoint, "int64s() called on a \(dtype) tensor; use floats()")
        let n = count
        return bytes.withUnsafeBytes { raw in
            [Int64](unsafeUninitializedCapacity: n) { out, initialized in
                if dtype == .uint8 {
                    for i in 0..<n { out[i] = Int64(raw[i]) }
                } else {
                    for i in 0..<n {
                        out[i] = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))
                    }
                }
                initialized = n
            }
        }
    }

    /// The IEEE 754 binary16 value with these bits, widened exactly to `Float` (subnormals, infinities
    /// and NaN included). Written out because `Float16` is unavailable on some platforms.
    static func float(fromHalfBits h: UInt16) -> Float {
        let sign: UInt32 = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1f
        let mantissa = UInt32(h & 0x3ff)
        switch exponent {
        case 0:  // zero or subnormal: mantissa * 2^-24
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1f:  // infinity or NaN
            return Float(bitPattern: sign | 0x7f80_0000 | (mantissa << 13))
        default:  // rebias 15 -> 127
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
        }
    }
}
