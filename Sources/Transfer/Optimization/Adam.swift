import Foundation
import Tensors

/// Adam, exactly as `torch.optim.Adam` with its defaults (no amsgrad, L2 weight decay, not AdamW).
///
/// Concretely, per element at the tensor's step t = 1, 2, … with gradient g and parameter p:
///
///     g ← g + λ·p                               (when λ ≠ 0)
///     m ← m + (1 − β₁)·(g − m)                  (PyTorch's `m.lerp_(g, 1 − β₁)`)
///     v ← β₂·v + (1 − β₂)·g·g
///     p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
///
/// The bias corrections, step size lr/(1 − β₁ᵗ) and √(1 − β₂ᵗ) are computed in Double, as Python does,
/// and used as float32 scalars; everything per element is float32 with the roundings of PyTorch's CPU
/// kernels (fused multiply-adds in `lerp_`, `addcmul_` and `add(alpha:)`, `addcdiv_` as p + (s·m)/d), so
/// results agree to about 1 ulp per step — PyTorch's vectorised `sqrt` is not always correctly rounded.
/// This is PyTorch's single-tensor CPU path (`_single_tensor_adam`) and Algorithm 1 of the paper (ε added
/// to √v̂). It differs from TensorFlow's "ε̂" form (ε added to √v before the correction) and from MLX's
/// `Adam`, which has no bias correction by default.
///
/// Memory: two moment buffers, 8 bytes per trainable element, allocated (as zeros) at a tensor's first step —
/// or none at all when the trainer keeps them in its arena (``step(_:parameters:gradients:state:lr:)``, state
/// layout m (n floats) then v (n floats)).
///
/// ### References
/// Kingma, Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015, <https://arxiv.org/abs/1412.6980>.
public struct Adam: Optimizer {
    /// State of one tensor (PyTorch `state[p]`: `step`, `exp_avg`, `exp_avg_sq`). `m` and `v` are empty while
    /// `step` is 0 (zeros) and while the state lives in a trainer's arena.
    public struct State: Sendable, Equatable {
        public var step: Int
        public var m: [Float]
        public var v: [Float]
        public init(step: Int, m: [Float], v: [Float]) { self.step = step; self.m = m; self.v = v }
    }

    public let beta1: Double, beta2: Double, eps: Double, weightDecay: Double
    public let parameterCounts: [Int]
    /// Per-tensor state, for checkpoints (read it from `Trainer.optimizer`, which copies it out of the arena).
    public private(set) var states: [State]

    /// An optimiser for tensors of `parameterCounts` elements (state zeros, allocated at the first step).
    public init(parameterCounts: [Int], beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
                weightDecay: Double = 0) {
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "betas must lie in [0, 1)")
        precondition(eps >= 0 && weightDecay >= 0, "eps and weight decay must be ≥ 0")
        self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay
        self.parameterCounts = parameterCounts
        states = parameterCounts.map { _ in State(step: 0, m: [], v: []) }
    }

    /// Two float32 moments per value: 8·n bytes.
    public var stateSize: OptimizerStateSize { .floats(perValue: 2) }

    /// Replaces the state with a checkpoint's.
    /// - Throws: ``TransferError`` when the tensor count or a buffer size does not match.
    public mutating func restore(_ saved: [State]) throws(TransferError) {
        try Self.checkRestore(saved.map { $0.m.count == $0.v.count ? $0.m.count : -1 }, parameterCounts,
                              steps: saved.map(\.step))
        states = saved
    }

    public mutating func step(_ tensor: Int, parameters p: UnsafeMutableBufferPointer<Float>,
                              gradients g: UnsafeBufferPointer<Float>, lr: Double) {
        let n = parameterCounts[tensor]
        if states[tensor].m.isEmpty && n > 0 {
            precondition(states[tensor].step == 0, "tensor \(tensor): its state lives elsewhere; step it with step(_:parameters:gradients:state:lr:)")
            states[tensor].m = [Float](repeating: 0, count: n); states[tensor].v = states[tensor].m
        }
        var state = State(step: 0, m: [], v: [])   // moved out and back, so m and v are not copied
        swap(&state, &states[tensor])
        defer { swap(&state, &states[tensor]) }
        state.m.withUnsafeMutableBufferPointer { m in
            state.v.withUnsafeMutableBufferPointer { v in
                update(tensor, p, g, m.baseAddress, v.baseAddress, step: &state.step, lr: lr)
            }
        }
    }

    public mutating func step(_ tensor: Int, parameters p: UnsafeMutableBufferPointer<Float>, gradients g: UnsafeBufferPointer<Float>,
                              state: UnsafeMutableBufferPointer<Float>, lr: Double) {
        let n = parameterCounts[tensor]
        precondition(state.count == 2 * n && states[tensor].m.isEmpty, "tensor \(tensor): state must be 2·\(n) floats held outside")
        update(tensor, p, g, state.baseAddress, state.baseAddress.map { $0 + n }, step: &states[tensor].step, lr: lr)
    }

    public mutating func moveState(_ tensor: Int, into state: UnsafeMutableBufferPointer<Float>) {
        let n = parameterCounts[tensor]
        precondition(state.count == 2 * n, "tensor \(tensor): state must be 2·\(n) floats")
        guard let base = state.baseAddress else { return }
        if states[tensor].m.isEmpty {
            base.update(repeating: 0, count: 2 * n)
        } else {
            states[tensor].m.withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: n) }
            states[tensor].v.withUnsafeBufferPointer { (base + n).update(from: $0.baseAddress!, count: n) }
        }
        states[tensor].m = []; states[tensor].v = []
    }

    public mutating func copyState(_ tensor: Int, from state: UnsafeBufferPointer<Float>) {
        let n = parameterCounts[tensor]
        precondition(state.count == 2 * n, "tensor \(tensor): state must be 2·\(n) floats")
        states[tensor].m = Array(state[0..<n]); states[tensor].v = Array(state[n...])
    }

    /// The per-element update of the type's doc on n = `parameterCounts[tensor]` elements; advances `step`.
    /// Eight elements at a time, split across `Parallelism.threads` (elementwise, so the result is the same for
    /// any split and bit-identical to ``AdamUpdate/applyReference(_:_:_:_:count:)``).
    private func update(_ tensor: Int, _ p: UnsafeMutableBufferPointer<Float>, _ g: UnsafeBufferPointer<Float>,
                        _ m: UnsafeMutablePointer<Float>?, _ v: UnsafeMutablePointer<Float>?, step: inout Int, lr: Double) {
        let n = parameterCounts[tensor]
        precondition(p.count == n && g.count == n, "tensor \(tensor): expected \(n) parameters and gradients")
        step += 1
        guard n > 0, let m, let v, let pp = p.baseAddress, let gp = g.baseAddress else { return }
        let u = AdamUpdate(lr: lr, step: step, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay)
        Parallelism.forEachChunk(n, minChunk: optimizerMinChunk) { r in
            u.apply(pp + r.lowerBound, gp + r.lowerBound, m + r.lowerBound, v + r.lowerBound, count: r.count)
        }
    }
}

/// One Adam step's float32 constants and its per-element update (the formula of ``Adam``'s doc), vectorised.
struct AdamUpdate {
    /// −lr/(1 − β₁ᵗ), √(1 − β₂ᵗ) (both from Double), 1 − β₁, β₂, 1 − β₂, ε and λ as float32.
    let stepSize: Float, correction2: Float, w1: Float, b2: Float, w2: Float, e: Float, wd: Float
    /// PyTorch's `lerp_` weight test: m + w·(g − m) when w < 0.5, else g − (1 − w)·(g − m).
    let lerpLow: Bool

    init(lr: Double, step: Int, beta1: Double, beta2: Double, eps: Double, weightDecay: Double) {
        let t = Double(step)
        stepSize = Float(-(lr / (1 - pow(beta1, t))))
        correction2 = Float((1 - pow(beta2, t)).squareRoot())
        w1 = Float(1 - beta1); lerpLow = w1 < 0.5
        b2 = Float(beta2); w2 = Float(1 - beta2); e = Float(eps); wd = Float(weightDecay)
    }

    /// Updates `count` elements of p, m, v from g. The SIMD8 lanes use the scalar loop's operations in the same
    /// order (`addingProduct` is one fused multiply-add either way, `squareRoot` and `/` are correctly rounded),
    /// so results are bit-identical to ``applyReference(_:_:_:_:count:)``.
    @inline(__always)
    func apply(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
               _ v: UnsafeMutablePointer<Float>, count: Int) {
        let w1 = self.w1, lowerW = -(1 - w1), b2 = self.b2, w2 = self.w2, e = SIMD8(repeating: self.e)
        let stepSize = self.stepSize, correction2 = SIMD8(repeating: self.correction2), wd = self.wd, lerpLow = self.lerpLow
        var i = 0
        while i + 8 <= count {
            let pi = load8(p + i), mi = load8(m + i), vi = load8(v + i)
            let gi = wd == 0 ? load8(g + i) : load8(g + i).addingProduct(wd, pi)
            let mNew = lerpLow ? mi.addingProduct(w1, gi - mi) : gi.addingProduct(lowerW, gi - mi)
            let vNew = (vi * b2).addingProduct(w2 * gi, gi)
            let denom = vNew.squareRoot() / correction2 + e
            store8(mNew, m + i); store8(vNew, v + i)
            store8(pi + stepSize * mNew / denom, p + i)
            i += 8
        }
        applyReference(p + i, g + i, m + i, v + i, count: count - i)
    }

    /// The scalar loop of the formula (the oracle of the tests, and the tail of ``apply(_:_:_:_:count:)``).
    func applyReference(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                        _ v: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let gi = wd == 0 ? g[i] : g[i].addingProduct(wd, p[i])
            m[i] = lerpLow ? m[i].addingProduct(w1, gi - m[i]) : gi.addingProduct(-(1 - w1), gi - m[i])
            v[i] = (v[i] * b2).addingProduct(w2 * gi, gi)
            let denom = v[i].squareRoot() / correction2 + e
            p[i] += stepSize * m[i] / denom
        }
    }
}
