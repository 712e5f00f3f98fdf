/// The element types a checkpoint tensor may have, named as in PyTorch (`torch.float32`, ...).
///
/// Each corresponds to one legacy storage class in the pickle (`torch.FloatStorage`, ...); any other
/// storage class (double, bfloat16, bool, int32, ...) is refused with ``CheckpointError/refusedGlobal(file:name:)``.
public enum TorchDType: String, Sendable, CaseIterable {
    case float32, float16, int64, uint8

    /// Bytes per element.
    public var elementSize: Int {
        switch self {
        case .float32: 4
        case .float16: 2
        case .int64: 8
        case .uint8: 1
        }
    }

    /// Whether the type is a floating-point type.
    public var isFloatingPoint: Bool { self == .float32 || self == .float16 }

    /// The storage class name that stands for this type in a pickle, in module `torch`.
    var storageClassName: String {
        switch self {
        case .float32: "FloatStorage"
        case .float16: "HalfStorage"
        case .int64: "LongStorage"
        case .uint8: "ByteStorage"
        }
    }

    /// The type whose storage class is `torch.<name>`, or nil.
    init?(storageClassName name: String) {
        guard let match = Self.allCases.first(where: { $0.storageClassName == name }) else { return nil }
        self = match
    }
}
