/// The result of `TinyTLMemoryProfiler.profile`: bytes as the reference computes them (MB = bytes / 10^6).
public struct TinyTLMemoryCost: Equatable, Sendable {
    /// P: the batch-1 activation peak, bytes.
    public var peakActivationBytes: Double = 0
    /// G: batch-1 activations saved for backward, bytes (reported only; not part of `memoryBytes`).
    public var gradActivationBytes: Double = 0
    public var trainableParameterCount = 0, frozenParameterCount = 0
    /// Trainable parameters at 4 bytes, frozen at 1 byte (8 bits) by default.
    public var trainableParameterBytes: Double = 0, frozenParameterBytes: Double = 0

    public init() {}

    /// `count_model_size`: trainable + frozen parameter bytes.
    public var parameterBytes: Double { trainableParameterBytes + frozenParameterBytes }

    /// `profile_memory_cost`: P · batchSize + parameter bytes (only the peak scales with the batch).
    public func memoryBytes(batchSize: Int) -> Double { peakActivationBytes * Double(batchSize) + parameterBytes }
}

/// One line of the profiler's ledger (bytes, float32 as the reference keeps them).
public struct TinyTLLedgerRow: Equatable, Sendable {
    /// The leaf's module path, or "enter residual" / "exit residual".
    public var label: String
    public var kind: ProfiledLeafKind? = nil
    public var inputElements = 0, outputElements = 0
    /// The leaf's working set and saved activation; `check` = tmp + G + Rs before the leaf.
    public var tmp: Float = 0, grad: Float = 0, check: Float = 0
    /// Rs, G and P after the step.
    public var residual: Float = 0, savedTotal: Float = 0, peak: Float = 0
}

extension TinyTLLedgerRow: CustomStringConvertible {
    /// "path  x→y  tmp  grad  check  G  P".
    public var description: String {
        guard kind != nil else { return "\(label)  Rs \(residual)" }
        return "\(label)  \(inputElements)→\(outputElements)  tmp \(tmp)  grad \(grad)  check \(check)  G \(savedTotal)  P \(peak)"
    }
}
