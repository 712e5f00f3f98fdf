extension Trainer {
    /// Parameter `name` as the arena stores it: float32 values, or the 8-bit codebook and indices (engine layout).
    public func storedParameter(_ name: String) -> StoredParameter {
        guard let p = graph.parameterIndex(name) else { preconditionFailure("no parameter \(name)") }
        let parameter = graph.parameters[p]
        guard parameter.storageBits == 8 else { return .float32(parameterValues(name)) }
        let stored = bytes(plan.parameterTensor[p], in: plan, writing: false), k = parameter.codebookCount
        let codebook = Array(UnsafeBufferPointer(start: stored.assumingMemoryBound(to: Float.self), count: k))
        let indices = Array(UnsafeBufferPointer(start: (stored + 4 * k).assumingMemoryBound(to: UInt8.self), count: parameter.count))
        return .quantized(try! QuantizedTensor(codebook: codebook, indices: indices, shape: [parameter.count]))
    }
}

/// A parameter's storage: float32 values or an 8-bit quantised tensor.
public enum StoredParameter: Sendable, Equatable {
    case float32([Float])
    case quantized(QuantizedTensor)

    /// The values computed with (dequantised for 8 bits).
    public var float32Values: [Float] {
        switch self {
        case .float32(let v): return v
        case .quantized(let q): return q.dequantized()
        }
    }
}
