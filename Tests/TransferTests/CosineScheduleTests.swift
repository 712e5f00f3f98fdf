import Foundation
import Testing
import Transfer

/// TinyTL's cosine schedule (spec §5.8, §7 item 20) and our warm-up.
struct CosineScheduleTests {
    @Test func endpointsAndMiddle() {
        let s = CosineSchedule(initialLR: 2e-4, totalSteps: 50 * 255)
        #expect(s.learningRate(at: 0) == 2e-4)
        #expect(abs(s.learningRate(at: 25 * 255) - 1e-4) <= 1e-12 * 1e-4)
        #expect(s.learningRate(at: 50 * 255) == 0)
        #expect(s.learningRate(at: 50 * 255 + 7) == 0)
    }

    /// The TinyTL expression, evaluated the same way as Python's `calc_learning_rate`.
    @Test func isTinyTLsFormula() {
        let lr0 = 0.05, T = 50 * 128, s = CosineSchedule(initialLR: lr0, totalSteps: T)
        for t in stride(from: 0, through: T, by: 97) {
            #expect(s.learningRate(at: t) == 0.5 * lr0 * (1 + cos(Double.pi * Double(t) / Double(T))))
        }
    }

    @Test func linearWarmupThenCosine() {
        let s = CosineSchedule(initialLR: 1, totalSteps: 110, warmupSteps: 10)
        #expect(s.learningRate(at: 0) == 0.1)
        #expect(s.learningRate(at: 4) == 0.5)
        #expect(s.learningRate(at: 9) == 1)
        #expect(s.learningRate(at: 10) == 1)
        #expect(abs(s.learningRate(at: 60) - 0.5) < 1e-15)
        #expect(s.learningRate(at: 110) == 0)
        let tail = (10...110).map { s.learningRate(at: $0) }
        #expect(zip(tail, tail.dropFirst()).allSatisfy { $0 >= $1 })
    }
}
