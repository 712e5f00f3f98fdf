/// Stochastic gradient descent with momentum, exactly as `torch.optim.SGD` (dampening 0).
///
/// Concretely, per element with gradient g, parameter p, momentum μ, weight decay λ, learning rate lr:
///
///     g ← g + λ·p                       (L2 weight decay, when λ ≠ 0)
///     b ← g             at the tensor's first step,  b ← μ·b + g  after   (when μ ≠ 0)
///     d ← g + μ·b  (nesterov)  or  b                                      (d = g when μ = 0)
///     p ← p − lr·d
///
/// in float32 with the roundings of PyTorch's CPU kernels (`buf.mul_(μ).add_(g)`; `add(alpha:)` as one fused
/// multiply-add, e.g. `p.add_(d, alpha=-lr)` = fma(−lr, d, p)), bit-identical in our tests. PyTorch's
/// `dampening` is fixed at 0 (its default; TinyTL never sets it).
///
/// Memory: one momentum buffer per tensor, 4 bytes per trainable element when μ ≠ 0, else nothing.
public struct SGD: Optimizer {
    /// State of one tensor (PyTorch `state[p]`): `momentumBuffer` is meaningless while `step` is 0 (PyTorch
    /// has no buffer yet) and empty when momentum is 0.
    public struct State: Sendable, Equatable {
        public var step: Int
        public var momentumBuffer: [Float]
        public init(step: Int, momentumBuffer: [Float]) { self.step = step; self.momentumBuffer = momentumBuffer }
    }

    public let momentum: Double, nesterov: Bool, weightDecay: Double
    public let parameterCounts: [Int]
    /// Per-tensor state, for checkpoints.
    public private(set) var states: [State]

    /// An optimiser for tensors of `parameterCounts` elements; buffers are allocated here (zeros).
    public init(parameterCounts: [Int], momentum: Double = 0.9, nesterov: Bool = false, weightDecay: Double = 0) {
        precondition(momentum >= 0 && weightDecay >= 0, "momentum and weight decay must be ≥ 0")
        precondition(!nesterov || momentum > 0, "Nesterov momentum requires a momentum")
        self.momentum = momentum; self.nesterov = nesterov; self.weightDecay = weightDecay
        self.parameterCounts = parameterCounts
        states = parameterCounts.map { State(step: 0, momentumBuffer: [Float](repeating: 0, count: momentum == 0 ? 0 : $0)) }
    }

    public var stateBytes: Int { Self.stateBytes(parameterCount: parameterCounts.reduce(0, +), momentum: momentum) }

    /// State bytes for `n` trainable elements: 4·n with momentum, else 0.
    public static func stateBytes(parameterCount n: Int, momentum: Double = 0.9) -> Int {
        momentum == 0 ? 0 : n * MemoryLayout<Float>.size
    }

    /// Replaces the state with a checkpoint's.
    /// - Throws: ``TransferError`` when the tensor count or a buffer size does not match.
    public mutating func restore(_ saved: [State]) throws(TransferError) {
        try Self.checkRestore(saved.map(\.momentumBuffer.count), parameterCounts.map { momentum == 0 ? 0 : $0 },
                              steps: saved.map(\.step))
        states = saved
    }

    public mutating func step(_ tensor: Int, parameters p: UnsafeMutableBufferPointer<Float>,
                              gradients g: UnsafeBufferPointer<Float>, lr: Double) {
        let n = parameterCounts[tensor]
        precondition(p.count == n && g.count == n, "tensor \(tensor): expected \(n) parameters and gradients")
        let mu = Float(momentum), wd = Float(weightDecay), alpha = Float(-lr)
        let first = states[tensor].step == 0, nesterov = self.nesterov
        states[tensor].step += 1
        if momentum == 0 {
            for i in 0..<n { p[i] = p[i].addingProduct(alpha, wd == 0 ? g[i] : g[i].addingProduct(wd, p[i])) }
            return
        }
        states[tensor].momentumBuffer.withUnsafeMutableBufferPointer { b in
            for i in 0..<n {
                let gi = wd == 0 ? g[i] : g[i].addingProduct(wd, p[i])
                b[i] = first ? gi : b[i] * mu + gi
                let d = nesterov ? gi.addingProduct(mu, b[i]) : b[i]
                p[i] = p[i].addingProduct(alpha, d)
            }
        }
    }
}
