import Foundation

/// TinyTL's per-iteration cosine learning-rate schedule, with an optional linear warm-up.
///
/// Concretely, for iteration t = 0, 1, … (t = epoch·nBatch + batch, set before each optimiser step), total
/// T = ``totalSteps`` (TinyTL: epochs·nBatch) and warm-up W = ``warmupSteps``:
///
///     W = 0:   lr(t) = 0.5·lr₀·(1 + cos(π·t/T))                     (TinyTL `calc_learning_rate`, exactly)
///     t < W:   lr(t) = lr₀·(t + 1)/W                                 (linear ramp, never 0, reaching lr₀ at t = W − 1)
///     t ≥ W:   lr(t) = 0.5·lr₀·(1 + cos(π·(t − W)/(T − W)))          (the cosine over the remaining steps)
///
/// The ramp is OFA's `warmup_adjust_learning_rate` with `warmup_lr = 0` ((t + 1)/W, so the first step
/// already moves); unlike OFA, the warm-up is counted inside T rather than added to it. TinyTL uses no
/// warm-up. t ≥ T gives 0. Computed in Double, as Python does.
public struct CosineSchedule: Sendable, Equatable {
    public let initialLR: Double
    public let totalSteps: Int
    public let warmupSteps: Int

    public init(initialLR: Double, totalSteps: Int, warmupSteps: Int = 0) {
        precondition(initialLR >= 0, "learning rate must be ≥ 0")
        precondition(totalSteps >= 1 && warmupSteps >= 0 && warmupSteps < totalSteps,
                     "need totalSteps ≥ 1 and 0 ≤ warmupSteps < totalSteps")
        self.initialLR = initialLR; self.totalSteps = totalSteps; self.warmupSteps = warmupSteps
    }

    /// The learning rate for iteration `t` (t ≥ 0).
    public func learningRate(at t: Int) -> Double {
        precondition(t >= 0, "iteration must be ≥ 0")
        if t < warmupSteps { return initialLR * Double(t + 1) / Double(warmupSteps) }
        if t >= totalSteps { return 0 }
        let tc = Double(t - warmupSteps), tt = Double(totalSteps - warmupSteps)
        return 0.5 * initialLR * (1 + cos(Double.pi * tc / tt))
    }
}
