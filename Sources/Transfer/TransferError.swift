/// Why stored transfer-learning state (quantised weights, optimiser state) cannot be used; each description
/// is one line for the user and ends with a hint.
public enum TransferError: Error, CustomStringConvertible, Equatable {
    /// A quantised tensor's index count differs from the element count of its shape.
    case quantizedCountMismatch(shape: [Int], indices: Int)
    /// A codebook must hold 1...256 entries for a non-empty tensor (none for an empty one).
    case codebookSize(count: Int, elements: Int)
    /// An index points past the end of the codebook.
    case codebookIndexOutOfRange(position: Int, index: UInt8, codebookCount: Int)
    /// Optimiser state was saved for a different number of trainable tensors.
    case optimizerTensorCount(expected: Int, actual: Int)
    /// Optimiser state for one tensor has the wrong element count (or a negative step).
    case optimizerStateMismatch(tensor: Int, expected: Int, actual: Int)

    public var description: String {
        let hint = " — the checkpoint does not belong to this network and trainable set; re-run training from scratch"
        switch self {
        case let .quantizedCountMismatch(shape, indices):
            return "quantised tensor of shape \(shape) has \(indices) indices, expected \(shape.reduce(1, *))" + hint
        case let .codebookSize(count, elements):
            return "quantised tensor of \(elements) elements has a codebook of \(count) entries, expected 1...256 (0 when empty)" + hint
        case let .codebookIndexOutOfRange(position, index, codebookCount):
            return "quantised index \(index) at element \(position) is past the codebook's \(codebookCount) entries" + hint
        case let .optimizerTensorCount(expected, actual):
            return "optimiser state holds \(actual) tensors, expected \(expected)" + hint
        case let .optimizerStateMismatch(tensor, expected, actual):
            return "optimiser state of tensor \(tensor) holds \(actual) elements, expected \(expected)" + hint
        }
    }
}
