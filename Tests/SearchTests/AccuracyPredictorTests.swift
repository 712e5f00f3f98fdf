import Search
import Supernets
import Testing
import Transfer

/// OFA's accuracy predictor on a fitness it can learn: it ranks unseen architectures, and fitting is reproducible.
struct AccuracyPredictorTests {
    static let space = SearchSpace.effnetLite0Elastic()
    static let resolutions = [128, 160, 192]

    static func samples(_ count: Int, seed: UInt64) -> [ArchConfig] {
        var sampler = ArchitectureSampler(space: space, resolutions: resolutions, methods: [.bias, .liteResidualBias],
                                          seed: seed)
        return (0..<count).map { _ in sampler.random() }
    }

    /// Kendall's tau-a of two equally long lists.
    static func kendall(_ a: [Double], _ b: [Double]) -> Double {
        var concordant = 0.0, pairs = 0.0
        for i in a.indices { for j in a.indices where j > i {
            pairs += 1
            concordant += ((a[i] - a[j]) * (b[i] - b[j]) > 0 ? 1 : -1)
        } }
        return concordant / pairs
    }

    @Test func ranksArchitecturesItHasNotSeen() {
        let fitness = EvolutionFinderTests.fitness
        let train = Self.samples(80, seed: 1), test = Self.samples(40, seed: 2)
        var predictor = AccuracyPredictor(space: Self.space, resolutions: Self.resolutions,
                                          methods: [.bias, .liteResidualBias], seed: 7)
        predictor.fit(train.map { ($0, fitness($0)) })
        let tau = Self.kendall(predictor.predict(test), test.map(fitness))
        #expect(tau > 0.5, "Kendall's tau \(tau)")
        // It fits what it was given: the training error is a small part of the fitness's variance.
        let truth = train.map(fitness), fitted = predictor.predict(train)
        let mean = truth.reduce(0, +) / Double(truth.count)
        let variance = truth.map { ($0 - mean) * ($0 - mean) }.reduce(0, +)
        let error = zip(truth, fitted).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
        #expect(error < 0.2 * variance, "squared error \(error), variance \(variance)")
    }

    @Test func theSameSamplesGiveTheSamePredictor() {
        let train = Self.samples(30, seed: 3), test = Self.samples(10, seed: 4)
        func fitted() -> [Double] {
            var p = AccuracyPredictor(space: Self.space, resolutions: Self.resolutions,
                                      methods: [.bias, .liteResidualBias], seed: 5)
            p.fit(train.map { ($0, EvolutionFinderTests.fitness($0)) })
            return p.predict(test)
        }
        #expect(fitted() == fitted())
    }
}
