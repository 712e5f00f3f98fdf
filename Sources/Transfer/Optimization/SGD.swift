import Tensors

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
/// Memory: one momentum buffer per tensor, 4 bytes per trainable element when μ ≠ 0 (allocated at the tensor's
/// first step, or kept in the trainer's arena: ``step(_:parameters:gradients:state:lr:)``), else nothing.
public struct SGD: Optimizer {
    /// State of one tensor (PyTorch `state[p]`): `momentumBuffer` is empty while `step` is 0 (PyTorch has no
    /// buffer yet), when momentum is 0, and while the state lives in a trainer's arena.
    public struct State: Sendable, Equatable {
        public var step: Int
        public var momentumBuffer: [Float]
        public init(step: Int, momentumBuffer: [Float]) { self.step = step; self.momentumBuffer = momentumBuffer }
    }

    public let momentum: Double, nesterov: Bool, weightDecay: Double
    public let parameterCounts: [Int]
    /// Per-tensor state, for checkpoints (read it from `Trainer.optimizer`, which copies it out of the arena).
    public private(set) var states: [State]

    /// An optimiser for tensors of `parameterCounts` elements (buffers allocated at the first step).
    public init(parameterCounts: [Int], momentum: Double = 0.9, nesterov: Bool = false, weightDecay: Double = 0) {
        precondition(momentum >= 0 && weightDecay >= 0, "momentum and weight decay must be ≥ 0")
        precondition(!nesterov || momentum > 0, "Nesterov momentum requires a momentum")
        self.momentum = momentum; self.nesterov = nesterov; self.weightDecay = weightDecay
        self.parameterCounts = parameterCounts
        states = parameterCounts.map { _ in State(step: 0, momentumBuffer: []) }
    }

    /// One float32 momentum per value (4·n bytes), none without momentum.
    public var stateSize: OptimizerStateSize { .floats(perValue: momentum == 0 ? 0 : 1) }

    var stateFloatsPerValue: Int { momentum == 0 ? 0 : 1 }

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
        guard momentum != 0 else { return update(tensor, p, g, nil, step: &states[tensor].step, lr: lr) }
        if states[tensor].momentumBuffer.isEmpty && n > 0 {
            precondition(states[tensor].step == 0, "tensor \(tensor): its state lives elsewhere; step it with step(_:parameters:gradients:state:lr:)")
            states[tensor].momentumBuffer = [Float](repeating: 0, count: n)
        }
        var state = State(step: 0, momentumBuffer: [])   // moved out and back, so the buffer is not copied
        swap(&state, &states[tensor])
        defer { swap(&state, &states[tensor]) }
        state.momentumBuffer.withUnsafeMutableBufferPointer { b in update(tensor, p, g, b.baseAddress, step: &state.step, lr: lr) }
    }

    public mutating func step(_ tensor: Int, parameters p: UnsafeMutableBufferPointer<Float>, gradients g: UnsafeBufferPointer<Float>,
                              state: UnsafeMutableBufferPointer<Float>, lr: Double) {
        let n = parameterCounts[tensor]
        precondition(state.count == stateFloatsPerValue * n && states[tensor].momentumBuffer.isEmpty,
                     "tensor \(tensor): state must be \(stateFloatsPerValue)·\(n) floats held outside")
        update(tensor, p, g, momentum == 0 ? nil : state.baseAddress, step: &states[tensor].step, lr: lr)
    }

    public mutating func moveState(_ tensor: Int, into state: UnsafeMutableBufferPointer<Float>) {
        let n = parameterCounts[tensor]
        precondition(state.count == stateFloatsPerValue * n, "tensor \(tensor): state must be \(stateFloatsPerValue)·\(n) floats")
        guard let base = state.baseAddress else { return }
        if states[tensor].momentumBuffer.isEmpty {
            base.update(repeating: 0, count: state.count)
        } else {
            states[tensor].momentumBuffer.withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: n) }
        }
        states[tensor].momentumBuffer = []
    }

    public mutating func copyState(_ tensor: Int, from state: UnsafeBufferPointer<Float>) {
        precondition(state.count == stateFloatsPerValue * parameterCounts[tensor], "tensor \(tensor): wrong state size")
        states[tensor].momentumBuffer = Array(state)
    }

    /// The update of the type's doc on n = `parameterCounts[tensor]` elements (`b` nil when momentum is 0);
    /// advances `step`. Eight elements at a time, split across `Parallelism.threads` (elementwise, so the same
    /// for any split and bit-identical to ``SGDUpdate/applyReference(_:_:_:count:)``).
    private func update(_ tensor: Int, _ p: UnsafeMutableBufferPointer<Float>, _ g: UnsafeBufferPointer<Float>,
                        _ b: UnsafeMutablePointer<Float>?, step: inout Int, lr: Double) {
        let n = parameterCounts[tensor]
        precondition(p.count == n && g.count == n, "tensor \(tensor): expected \(n) parameters and gradients")
        let u = SGDUpdate(lr: lr, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay, first: step == 0)
        step += 1
        guard n > 0, let pp = p.baseAddress, let gp = g.baseAddress else { return }
        Parallelism.forEachChunk(n, minChunk: optimizerMinChunk) { r in
            u.apply(pp + r.lowerBound, gp + r.lowerBound, b.map { $0 + r.lowerBound }, count: r.count)
        }
    }
}

/// One SGD step's float32 constants and its per-element update (the formula of ``SGD``'s doc), vectorised.
struct SGDUpdate {
    /// μ, λ and −lr as float32.
    let mu: Float, wd: Float, alpha: Float
    /// Nesterov momentum; the tensor's first step (the buffer starts as g).
    let nesterov: Bool, first: Bool

    init(lr: Double, momentum: Double, nesterov: Bool, weightDecay: Double, first: Bool) {
        mu = Float(momentum); wd = Float(weightDecay); alpha = Float(-lr)
        self.nesterov = nesterov; self.first = first
    }

    /// Updates `count` elements of p (and the momentum buffer b, nil when μ = 0) from g, with the scalar loop's
    /// operations in the same order in every lane: bit-identical to ``applyReference(_:_:_:count:)``.
    @inline(__always)
    func apply(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ b: UnsafeMutablePointer<Float>?, count: Int) {
        let (mu, wd, alpha, nesterov, first) = (mu, wd, alpha, nesterov, first)
        var i = 0
        while i + 8 <= count {
            let pi = load8(p + i)
            let gi = wd == 0 ? load8(g + i) : load8(g + i).addingProduct(wd, pi)
            var d = gi
            if let b {
                let bi = first ? gi : load8(b + i) * mu + gi
                store8(bi, b + i)
                d = nesterov ? gi.addingProduct(mu, bi) : bi
            }
            store8(pi.addingProduct(alpha, d), p + i)
            i += 8
        }
        applyReference(p + i, g + i, b.map { $0 + i }, count: count - i)
    }

    /// The scalar loop of the formula (the oracle of the tests, and the tail of ``apply(_:_:_:count:)``).
    func applyReference(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ b: UnsafeMutablePointer<Float>?, count: Int) {
        guard let b else {
            for i in 0..<count { p[i] = p[i].addingProduct(alpha, wd == 0 ? g[i] : g[i].addingProduct(wd, p[i])) }
            return
        }
        for i in 0..<count {
            let gi = wd == 0 ? g[i] : g[i].addingProduct(wd, p[i])
            b[i] = first ? gi : b[i] * mu + gi
            let d = nesterov ? gi.addingProduct(mu, b[i]) : b[i]
            p[i] = p[i].addingProduct(alpha, d)
        }
    }
}
