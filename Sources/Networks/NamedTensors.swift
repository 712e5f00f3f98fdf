import Tensors

/// Tensors by PyTorch `state_dict` name, in PyTorch layouts, as read from a `.pth` or `.h5` file.
public struct NamedTensors: Sendable {
    /// Names in file order.
    public private(set) var names: [String] = []
    private var byName: [String: Tensor] = [:]
    /// Where the tensors came from (for messages).
    public let source: String

    public init(source: String) { self.source = source }

    /// Adds (or replaces) a tensor.
    public mutating func set(_ name: String, _ tensor: Tensor) {
        if byName.updateValue(tensor, forKey: name) == nil { names.append(name) }
    }

    public subscript(name: String) -> Tensor? { byName[name] }
}
