import Foundation
import Testing
import Transfer

/// The range test on gradient descent over f(w) = w² (w ← w − lr·2w, loss w² before the step): it converges for
/// lr < 1 and diverges above, fastest at lr = 0.5.
struct LearningRateFinderTests {
    static func run(_ finder: LearningRateFinder) -> LearningRateFinder.Result {
        var w = 1.0
        return finder.run { lr in
            let loss = Float(w * w)
            w -= lr * 2 * w
            return loss
        }
    }

    @Test func ratesGrowExponentiallyAndTheTestStopsOnDivergence() {
        let finder = LearningRateFinder(lowest: 1e-4, highest: 100, steps: 100)
        #expect(abs(finder.rate(at: 0) - 1e-4) < 1e-12 && abs(finder.rate(at: 99) - 100) < 1e-9)
        #expect(abs(finder.rate(at: 50) / finder.rate(at: 49) - pow(1e6, 1.0 / 99)) < 1e-9)
        let result = Self.run(finder)
        #expect(result.rates.count < 100, "no early stop past lr = 1")
        #expect(result.rates.last! > 1, "stopped before the loss diverged")
    }

    /// The loss reaches 0 from lr ≈ 0.3 and diverges past 1; the smoothed minimum lags a few steps behind (measured
    /// 4.6), the suggestion is a tenth of it, within the range that converges.
    @Test func suggestsATenthOfTheSmoothedMinimum() {
        let result = Self.run(LearningRateFinder(lowest: 1e-4, highest: 100, steps: 100))
        #expect(result.suggestion == result.minimumRate / 10)
        #expect((0.1...10).contains(result.minimumRate) && result.suggestion < 1, "\(result.minimumRate)")
        let i = result.rates.firstIndex(of: result.minimumRate)!
        #expect(result.smoothedLosses[10..<(result.rates.count - 5)].allSatisfy { $0 >= result.smoothedLosses[i] })
    }

    /// A non-finite loss ends the test; the minimum comes from the finite steps before it, skipping the first 10 and
    /// the last 5 (the divergence).
    @Test func aNonFiniteLossStopsTheTest() {
        var calls = 0
        let result = LearningRateFinder(lowest: 1e-3, highest: 1, steps: 40).run { _ -> Float? in
            calls += 1
            return calls == 30 ? .nan : Float(40 - calls)
        }
        #expect(result.rates.count == 30 && calls == 30 && result.minimumRate == result.rates[24])
    }

    /// An early dip (the first few noisy batches) is not taken for the minimum.
    @Test func theFirstStepsAreSkipped() {
        var calls = 0
        let result = LearningRateFinder(lowest: 1e-3, highest: 1, steps: 40).run { _ -> Float? in
            calls += 1
            return calls == 1 ? 2 : Float(calls < 25 ? 5 - Double(calls) / 10 : 100)
        }
        #expect(result.minimumRate > result.rates[9], "\(result.minimumRate)")
    }
}
