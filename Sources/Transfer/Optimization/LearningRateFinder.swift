import Foundation

/// The learning-rate range test (Smith, "Cyclical Learning Rates for Training Neural Networks", 2017), as fast.ai's
/// `lr_find` runs it: train from the starting weights for a few steps while the learning rate grows exponentially,
/// watch the smoothed loss, and take a rate well below where the loss stops falling.
///
/// Concretely, step i = 0…n−1 trains one batch at lrᵢ = lo·(hi/lo)^(i/(n−1)); the loss is smoothed by an
/// exponential moving average with bias correction (s ← β·s + (1 − β)·ℓ, ŝᵢ = s/(1 − β^(i+1)),
/// β = 0.98 as fast.ai); the test stops early once ŝ exceeds 4× its minimum (divergence). The suggestion is the rate
/// at the smoothed minimum divided by 10 (fast.ai v1's `lr_min / 10`): the minimum is where the loss already diverges
/// batch to batch, a tenth of it still descends fast. As fast.ai, the minimum is looked for after the first
/// ``skipStart`` steps (where the average still follows a few batches) and before the last ``skipEnd`` (the
/// divergence). The trainer's weights are changed; train the real run from fresh ones.
public struct LearningRateFinder: Sendable, Equatable {
    public var lowest: Double = 1e-6, highest: Double = 1
    public var steps: Int = 60
    public var smoothing: Double = 0.98
    public var skipStart = 10, skipEnd = 5

    public init(lowest: Double = 1e-6, highest: Double = 1, steps: Int = 60) {
        precondition(lowest > 0 && highest > lowest && steps >= 2, "need 0 < lowest < highest and at least 2 steps")
        self.lowest = lowest; self.highest = highest; self.steps = steps
    }

    /// What a range test saw.
    public struct Result: Sendable, Equatable, Codable {
        /// The rates tried and the smoothed losses after each.
        public var rates: [Double], smoothedLosses: [Double]
        /// The rate at the smoothed minimum, and the suggestion (a tenth of it).
        public var minimumRate: Double, suggestion: Double
    }

    /// The rate of step `i`.
    public func rate(at i: Int) -> Double { lowest * pow(highest / lowest, Double(i) / Double(steps - 1)) }

    /// Runs the test: `step(lr)` trains one batch at `lr` and returns its loss (nil: no more data).
    public func run(_ step: (Double) throws -> Float?) rethrows -> Result {
        var rates: [Double] = [], smoothed: [Double] = []
        var average = 0.0, best = Double.infinity
        for i in 0..<steps {
            let lr = rate(at: i)
            guard let loss = try step(lr) else { break }
            average = smoothing * average + (1 - smoothing) * (loss.isFinite ? Double(loss) : .infinity)
            let s = average / (1 - pow(smoothing, Double(i + 1)))
            rates.append(lr); smoothed.append(s)
            best = min(best, s)
            if !s.isFinite || s > 4 * best { break }
        }
        precondition(!rates.isEmpty, "the range test needs at least one batch")
        let usable = smoothed.count > skipStart + skipEnd ? skipStart..<(smoothed.count - skipEnd) : smoothed.indices
        let minimum = rates[usable.min { smoothed[$0] < smoothed[$1] }!]
        return Result(rates: rates, smoothedLosses: smoothed, minimumRate: minimum, suggestion: minimum / 10)
    }
}
