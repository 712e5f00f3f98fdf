/// A first-order optimiser over a fixed list of trainable tensors, each a flat Float32 buffer with a gradient
/// buffer of the same size.
///
/// Concretely: tensor `t` of ``parameterCounts`` is updated in place by ``step(_:parameters:gradients:lr:)``
/// with the learning rate of the current iteration (from ``CosineSchedule``). As in PyTorch, each tensor has
/// its own step count, so a tensor that gets no gradient in an iteration is simply not stepped.
///
/// State can live in the optimiser (its own buffers, allocated at a tensor's first step) or in memory the
/// caller owns — the trainer's arena — through ``step(_:parameters:gradients:state:lr:)``, with
/// ``moveState(_:into:)`` and ``copyState(_:from:)`` to hand it over and read it back. Both paths run the same
/// update.
///
/// Memory: ``stateBytes`` is what the optimiser keeps beyond parameters and gradients (its state buffers; the
/// per-tensor step counters are not counted).
public protocol Optimizer: Sendable {
    /// Element counts of the trainable tensors, in the order `step` indexes them.
    var parameterCounts: [Int] { get }
    /// The state bytes per tensor (momentum / moment buffers), for the memory planner.
    var stateSize: OptimizerStateSize { get }
    /// Updates tensor `tensor` in place from its gradient (precondition: both buffers hold
    /// `parameterCounts[tensor]` elements; `lr` ≥ 0).
    mutating func step(_ tensor: Int, parameters: UnsafeMutableBufferPointer<Float>,
                       gradients: UnsafeBufferPointer<Float>, lr: Double)
    /// The same update with the tensor's state in `state` (`stateSize.words(count: n)` float32 words, laid out
    /// as the optimiser documents); the optimiser keeps only the step count.
    mutating func step(_ tensor: Int, parameters: UnsafeMutableBufferPointer<Float>,
                       gradients: UnsafeBufferPointer<Float>, state: UnsafeMutableBufferPointer<Float>, lr: Double)
    /// Writes tensor `tensor`'s float state into `state` (zeros before its first step) and frees the
    /// optimiser's own buffers for it; from then on it is stepped with `step(_:parameters:gradients:state:lr:)`.
    mutating func moveState(_ tensor: Int, into state: UnsafeMutableBufferPointer<Float>)
    /// Copies tensor `tensor`'s float state from `state` into the optimiser's own buffers (reading it back for a
    /// checkpoint).
    mutating func copyState(_ tensor: Int, from state: UnsafeBufferPointer<Float>)
}

extension Optimizer {
    /// Bytes of optimiser state over all tensors (``OptimizerStateSize/bytes(count:)`` summed).
    public var stateBytes: Int { parameterCounts.reduce(0) { $0 + stateSize.bytes(count: $1) } }

    /// Steps every tensor once with the same learning rate (tensor t = `parameters[t]`, gradient `gradients[t]`).
    public mutating func step(parameters: inout [[Float]], gradients: [[Float]], lr: Double) {
        precondition(parameters.count == parameterCounts.count && gradients.count == parameterCounts.count,
                     "expected \(parameterCounts.count) parameter and gradient tensors")
        for t in parameters.indices {
            gradients[t].withUnsafeBufferPointer { g in
                parameters[t].withUnsafeMutableBufferPointer { p in step(t, parameters: p, gradients: g, lr: lr) }
            }
        }
    }
}

/// Gradient accumulation over micro-batches (a batch too big for memory, run in parts).
///
/// Concretely, for one optimiser step over a batch split into n micro-batches:
/// 1. zero the gradient buffers once (backward kernels accumulate with `+=`, Tensors/Kernels/README.md);
/// 2. for each micro-batch run forward and backward of its **mean** loss, which adds its gradient;
/// 3. ``average(_:microBatches:)``: g ← g / n;
/// 4. step the optimiser once, and advance the schedule by one iteration (t counts optimiser steps).
///
/// With equal micro-batches this is exactly the gradient of the mean loss over the whole batch; with a
/// smaller last micro-batch it weights that micro-batch's samples more (the trainer may instead scale each
/// micro-batch's loss by its share of the batch and skip step 3).
public enum GradientAccumulation {
    /// Divides accumulated gradients by the number of micro-batches: g ← g / n (n ≥ 1; n = 1 is a no-op).
    public static func average(_ gradients: UnsafeMutableBufferPointer<Float>, microBatches n: Int) {
        precondition(n >= 1, "at least one micro-batch")
        guard n > 1 else { return }
        let d = Float(n)
        for i in gradients.indices { gradients[i] /= d }
    }
}

extension Optimizer {
    /// Checks that saved per-tensor state sizes match ``parameterCounts`` (for `restore`); a tensor that was never
    /// stepped may have empty buffers (its state is zeros).
    static func checkRestore(_ counts: [Int], _ expected: [Int], steps: [Int]) throws(TransferError) {
        guard counts.count == expected.count else {
            throw .optimizerTensorCount(expected: expected.count, actual: counts.count)
        }
        for t in expected.indices where (counts[t] != expected[t] && !(counts[t] == 0 && steps[t] == 0)) || steps[t] < 0 {
            throw .optimizerStateMismatch(tensor: t, expected: expected[t], actual: counts[t])
        }
    }
}

/// Elements below which an optimiser updates a tensor on one thread (a handoff costs about as much as 8 K elements).
let optimizerMinChunk = 1 << 14
