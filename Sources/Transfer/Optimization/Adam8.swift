import Foundation
import Tensors

/// Adam with 8-bit block-wise quantised moments: bitsandbytes' `Adam8bit` (Dettmers et al., "8-bit Optimizers
/// via Block-wise Quantization", ICLR 2022).
///
/// Concretely, a tensor of n values is cut into blocks of ``blockSize`` values (2,048 by default; the last may be
/// shorter). Each block keeps, per moment, one float32 scale (its absolute maximum) and one byte per value indexing a
/// 256-entry dynamic quantisation map (``QuantizationMap``: signed for m, unsigned for v). One step at t, per
/// block, with gradient g and parameter p:
///
///     m ← map₁[c₁]·a₁,  v ← map₂[c₂]·a₂                     (dequantise with the block's old scales)
///     m ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g·g       (float32, fused multiply-adds)
///     a₁ ← max |m|,  a₂ ← max v                             (the new scales, over the block)
///     p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
///                                                           (``Adam``'s step, on the unquantised m, v)
///     c₁ ← code of m/a₁ in map₁,  c₂ ← code of v/a₂ in map₂  (``QuantizationMap/code(_:)``)
///
/// that is, Adam's update on the float32 moments of this step, which are then stored in 8 bits. Weight decay λ is
/// decoupled, as bitsandbytes does: p ← p·(1 − lr·λ) before the step. A block whose scale is 0 holds codes 0.
/// Zero state — scales of 0 — is the state before the first step. This is bitsandbytes 0.50's CPU path
/// (`_optimizer_update_8bit_blockwise_cpu`) exactly: codes and scales bit for bit, parameters to PyTorch's
/// `sqrt` (Tests/Fixtures/optim8).
///
/// Differences from bitsandbytes: blocks of 2,048 (the paper's; bitsandbytes ≥ 0.44 hard-codes 256, which costs
/// 8 B per 256 values more); every tensor is quantised (bitsandbytes keeps float32 state for tensors under
/// `min_8bit_size` = 4,096 values, which would leave biases in float32); no percentile clipping or stable
/// embedding (both off by default there).
///
/// Memory: `OptimizerStateSize.blockwise8Bit` — 2 bytes per value plus 8 bytes per block, about 4× less than
/// ``Adam``. In the arena (``step(_:parameters:gradients:state:lr:)``) a tensor's state is laid out as the
/// scales a₁ (B floats), the scales a₂ (B floats), the codes c₁ (n bytes), the codes c₂ (n bytes), padding to
/// a whole word. The update keeps no scratch: it reads a block twice (scales, then update) from the old codes.
public struct Adam8: Optimizer {
    /// State of one tensor: `absmax1`/`absmax2` hold ⌈n/blockSize⌉ scales, `codes1`/`codes2` n codes; all empty
    /// while `step` is 0 (zeros) and while the state lives in a trainer's arena.
    public struct State: Sendable, Equatable {
        public var step: Int
        public var absmax1: [Float], absmax2: [Float]
        public var codes1: [UInt8], codes2: [UInt8]
        public init(step: Int, absmax1: [Float], absmax2: [Float], codes1: [UInt8], codes2: [UInt8]) {
            self.step = step; self.absmax1 = absmax1; self.absmax2 = absmax2
            self.codes1 = codes1; self.codes2 = codes2
        }
    }

    /// Values per quantisation block by default (the paper's 2,048).
    public static let defaultBlockSize = 2_048
    /// Values per quantisation block.
    public let blockSize: Int

    public let beta1: Double, beta2: Double, eps: Double, weightDecay: Double
    public let parameterCounts: [Int]
    /// Per-tensor step counts.
    var steps: [Int]
    /// Per-tensor state words in the arena layout (empty: zeros, or held in an arena).
    var words: [[Float]]

    public init(parameterCounts: [Int], beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
                weightDecay: Double = 0, blockSize: Int = defaultBlockSize) {
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "betas must lie in [0, 1)")
        precondition(eps >= 0 && weightDecay >= 0 && blockSize >= 1, "eps and weight decay must be ≥ 0, blocks ≥ 1")
        self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay
        self.blockSize = blockSize
        self.parameterCounts = parameterCounts
        steps = parameterCounts.map { _ in 0 }
        words = parameterCounts.map { _ in [] }
    }

    public var stateSize: OptimizerStateSize { .blockwise8Bit(blockSize: blockSize) }

    /// Per-tensor state, for checkpoints (read it from `Trainer.optimizer`, which copies it out of the arena).
    public var states: [State] {
        parameterCounts.indices.map { t in
            guard !words[t].isEmpty else {
                return State(step: steps[t], absmax1: [], absmax2: [], codes1: [], codes2: [])
            }
            let n = parameterCounts[t], b = OptimizerStateSize.blocks(n, blockSize)
            return words[t].withUnsafeBytes { raw in
                let bytes = raw.bindMemory(to: UInt8.self)
                return State(step: steps[t], absmax1: Array(words[t][0..<b]), absmax2: Array(words[t][b..<2 * b]),
                             codes1: Array(bytes[8 * b..<8 * b + n]), codes2: Array(bytes[8 * b + n..<8 * b + 2 * n]))
            }
        }
    }

    /// Replaces the state with a checkpoint's.
    /// - Throws: ``TransferError`` when the tensor count or a buffer size does not match.
    public mutating func restore(_ saved: [State]) throws(TransferError) {
        let sizes = saved.indices.map { t -> Int in
            let s = saved[t], n = s.codes1.count, b = OptimizerStateSize.blocks(n, blockSize)
            return s.codes2.count == n && s.absmax1.count == b && s.absmax2.count == b ? n : -1
        }
        try Self.checkRestore(sizes, parameterCounts, steps: saved.map(\.step))
        for (t, s) in saved.enumerated() {
            steps[t] = s.step
            guard !s.codes1.isEmpty else { words[t] = []; continue }
            let n = s.codes1.count, b = s.absmax1.count
            words[t] = [Float](repeating: 0, count: stateSize.words(count: n))
            words[t].withUnsafeMutableBytes { raw in
                s.absmax1.withUnsafeBytes { raw.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: 4 * b) }
                s.absmax2.withUnsafeBytes {
                    (raw.baseAddress! + 4 * b).copyMemory(from: $0.baseAddress!, byteCount: 4 * b)
                }
                s.codes1.withUnsafeBytes { (raw.baseAddress! + 8 * b).copyMemory(from: $0.baseAddress!, byteCount: n) }
                s.codes2.withUnsafeBytes {
                    (raw.baseAddress! + 8 * b + n).copyMemory(from: $0.baseAddress!, byteCount: n)
                }
            }
        }
    }

    public mutating func step(_ tensor: Int, parameters p: UnsafeMutableBufferPointer<Float>,
                              gradients g: UnsafeBufferPointer<Float>, lr: Double) {
        let n = parameterCounts[tensor]
        if words[tensor].isEmpty && n > 0 {
            precondition(steps[tensor] == 0, "tensor \(tensor): its state lives elsewhere; "
                         + "step it with step(_:parameters:gradients:state:lr:)")
            words[tensor] = [Float](repeating: 0, count: stateSize.words(count: n))
        }
        var buffer: [Float] = []   // moved out and back, so the state is not copied
        swap(&buffer, &words[tensor])
        defer { swap(&buffer, &words[tensor]) }
        buffer.withUnsafeMutableBufferPointer { update(tensor, p, g, UnsafeMutableRawPointer($0.baseAddress), lr: lr) }
    }

    public mutating func step(_ tensor: Int, parameters p: UnsafeMutableBufferPointer<Float>,
                              gradients g: UnsafeBufferPointer<Float>,
                              state: UnsafeMutableBufferPointer<Float>, lr: Double) {
        let n = parameterCounts[tensor]
        precondition(state.count == stateSize.words(count: n) && words[tensor].isEmpty,
                     "tensor \(tensor): state must be \(stateSize.words(count: n)) words held outside")
        update(tensor, p, g, UnsafeMutableRawPointer(state.baseAddress), lr: lr)
    }

    public mutating func moveState(_ tensor: Int, into state: UnsafeMutableBufferPointer<Float>) {
        precondition(state.count == stateSize.words(count: parameterCounts[tensor]),
                     "tensor \(tensor): wrong state size")
        guard let base = state.baseAddress else { return }
        if words[tensor].isEmpty {
            base.update(repeating: 0, count: state.count)
        } else {
            words[tensor].withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: state.count) }
        }
        words[tensor] = []
    }

    public mutating func copyState(_ tensor: Int, from state: UnsafeBufferPointer<Float>) {
        precondition(state.count == stateSize.words(count: parameterCounts[tensor]),
                     "tensor \(tensor): wrong state size")
        words[tensor] = Array(state)
    }

    /// One step of the type's doc on tensor `tensor`, its state at `state` in the arena layout; blocks are
    /// independent, so they are split across `Parallelism.threads` with the same result for any split.
    private mutating func update(_ tensor: Int, _ p: UnsafeMutableBufferPointer<Float>, _ g: UnsafeBufferPointer<Float>,
                                 _ state: UnsafeMutableRawPointer?, lr: Double) {
        let n = parameterCounts[tensor]
        precondition(p.count == n && g.count == n, "tensor \(tensor): expected \(n) parameters and gradients")
        steps[tensor] += 1
        guard n > 0, let state, let pp = p.baseAddress, let gp = g.baseAddress else { return }
        let u = Adam8Update(lr: lr, step: steps[tensor], beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay)
        let b = OptimizerStateSize.blocks(n, blockSize)
        let absmax = state.bindMemory(to: Float.self, capacity: 2 * b)
        let codes = (state + 8 * b).bindMemory(to: UInt8.self, capacity: 2 * n)
        Parallelism.forEachChunk(b, minChunk: max(1, optimizerMinChunk / blockSize)) { blocks in
            for k in blocks {
                let start = k * blockSize, count = min(blockSize, n - start)
                u.apply(pp + start, gp + start, codes + start, codes + n + start, &absmax[k], &absmax[b + k],
                        count: count)
            }
        }
    }
}

/// One Adam8 step's float32 constants and its update of one block (the formula of ``Adam8``'s doc), with the
/// roundings of bitsandbytes' CPU kernel: fused multiply-adds in the moment updates, then Adam's step as ``Adam``.
struct Adam8Update {
    let b1: Float, w1: Float, b2: Float, w2: Float
    /// −lr/(1 − β₁ᵗ) and √(1 − β₂ᵗ) (both from Double), ε and 1 − lr·λ as float32.
    let stepSize: Float, correction2: Float, e: Float, decay: Float

    init(lr: Double, step: Int, beta1: Double, beta2: Double, eps: Double, weightDecay: Double) {
        let t = Double(step)
        b1 = Float(beta1); w1 = Float(1 - beta1); b2 = Float(beta2); w2 = Float(1 - beta2)
        stepSize = Float(-(lr / (1 - pow(beta1, t)))); correction2 = Float((1 - pow(beta2, t)).squareRoot())
        e = Float(eps); decay = Float(1 - lr * weightDecay)
    }

    /// The new m and v of one value from its old codes and its block's old scales.
    @inline(__always)
    func moments(_ g: Float, _ c1: UInt8, _ c2: UInt8, _ a1: Float, _ a2: Float) -> (m: Float, v: Float) {
        let m = QuantizationMap.signed.values[Int(c1)] * a1, v = QuantizationMap.unsigned.values[Int(c2)] * a2
        return ((m * b1).addingProduct(g, w1), (v * b2).addingProduct(w2 * g, g))
    }

    /// Updates one block of `count` values: parameters p, codes c1 (m) and c2 (v), scales a1 and a2. Two passes
    /// over the old codes — the new scales, then the update and the new codes — so nothing is held between them.
    func apply(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ c1: UnsafeMutablePointer<UInt8>,
               _ c2: UnsafeMutablePointer<UInt8>, _ a1: inout Float, _ a2: inout Float, count: Int) {
        var new1: Float = 0, new2: Float = 0
        for i in 0..<count {
            let (m, v) = moments(g[i], c1[i], c2[i], a1, a2)
            new1 = max(new1, abs(m)); new2 = max(new2, abs(v))
        }
        let inverse1 = 1 / new1, inverse2 = 1 / new2
        for i in 0..<count {
            let (m, v) = moments(g[i], c1[i], c2[i], a1, a2)
            if decay != 1 { p[i] *= decay }
            p[i] += stepSize * m / (v.squareRoot() / correction2 + e)
            c1[i] = new1 == 0 ? 0 : QuantizationMap.signed.code(m * inverse1)
            c2[i] = new2 == 0 ? 0 : QuantizationMap.unsigned.code(v * inverse2)
        }
        a1 = new1; a2 = new2
    }
}
