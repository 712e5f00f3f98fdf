/// The optimisers a user can train with, by name: what `--optimizer` takes and the history records.
///
/// - `adam`: ``Adam`` (float32 moments, 8 bytes of state per trainable value);
/// - `adam8`: ``Adam8`` (8-bit block-wise moments, about 2 bytes per value);
/// - `sgd`: ``SGD`` with momentum 0.9 (4 bytes per value).
public enum OptimizerChoice: String, CaseIterable, Sendable, Codable {
    case adam, adam8, sgd

    /// The state the planner reserves per trainable tensor.
    public var stateSize: OptimizerStateSize {
        switch self {
        case .adam: return .floats(perValue: 2)
        case .adam8: return .blockwise8Bit(blockSize: Adam8.defaultBlockSize)
        case .sgd: return .floats(perValue: 1)
        }
    }

    /// A fresh optimiser over tensors of `parameterCounts` values.
    public func make(parameterCounts: [Int]) -> any Optimizer {
        switch self {
        case .adam: return Adam(parameterCounts: parameterCounts)
        case .adam8: return Adam8(parameterCounts: parameterCounts)
        case .sgd: return SGD(parameterCounts: parameterCounts, momentum: 0.9)
        }
    }

    /// The allowed names, for error messages: "adam, adam8, sgd".
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
