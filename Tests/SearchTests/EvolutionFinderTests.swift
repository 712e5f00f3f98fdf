import History
import Search
import Supernets
import Testing
import Transfer

/// The evolution alone, against a toy fitness (no network, no files): seeded, within the constraint, each
/// architecture asked about once, and better than its random start on a fitness it can climb.
struct EvolutionFinderTests {
    struct Toy: Evolvable {
        var config: ArchConfig
        var fitness: Double
        var order: Int
    }

    static let space = SearchSpace.effnetLite0Elastic()

    /// Larger kernels and expands score higher; `bias` gets a bonus so the groups differ.
    static func fitness(_ c: ArchConfig) -> Double {
        let active = c.activeSlots(in: space)
        return Double(active.map { c.ks[$0] * c.e[$0] }.reduce(0, +)) / Double(active.count * 5 * 6)
            + (c.method == .bias ? 0.1 : 0)
    }

    /// Runs a search of `generations` over the toy; `fits` is the constraint, `stopAfter` a time limit in
    /// evaluations. Returns the outcome and every proposal asked about, in order.
    static func search(seed: UInt64, generations: Int = 4, seeds: [ArchConfig] = [], stopAfter: Int = .max,
                       screening: EvolutionFinder<Toy>.Screening? = nil, fits: (ArchConfig) -> Bool = { _ in true })
        -> (EvolutionFinder<Toy>.Outcome, [EvolutionFinder<Toy>.Proposal]) {
        var finder = EvolutionFinder<Toy>(
            settings: EvolutionSettings(population: 12, generations: generations),
            sampler: ArchitectureSampler(space: space, resolutions: [128, 160, 192], methods: [.last, .bias],
                                         seed: seed),
            group: { $0.method })
        var asked: [EvolutionFinder<Toy>.Proposal] = [], order = 0
        let outcome = finder.run(seeds: seeds, screening: screening, evaluate: { p in
            asked.append(p)
            order += 1
            return fits(p.config) ? Toy(config: p.config, fitness: fitness(p.config), order: order) : nil
        }, stop: { order >= stopAfter })
        return (outcome, asked)
    }

    @Test func theSameSeedGivesTheSameSequence() {
        let (a, askedA) = Self.search(seed: 5), (b, askedB) = Self.search(seed: 5), (_, askedC) = Self.search(seed: 6)
        #expect(askedA.map(\.key) == askedB.map(\.key) && a.evaluated.map(\.order) == b.evaluated.map(\.order))
        #expect(askedA.map(\.key) != askedC.map(\.key))
        #expect(a.generations == 4 && !a.stoppedEarly && a.evaluated.count == 12 * 5)
    }

    /// A search continued for more generations (`search --resume --generations`) replays the shorter one first.
    @Test func moreGenerationsBeginWithTheShorterSearch() {
        let (short, askedShort) = Self.search(seed: 5, generations: 2), (long, askedLong) = Self.search(seed: 5)
        #expect(askedLong.prefix(askedShort.count).map(\.key) == askedShort.map(\.key))
        #expect(short.generations == 2 && long.generations == 4 && askedLong.count > askedShort.count)
    }

    /// With screening, each child is the best-scored of its pool: with the true fitness as the predictor, the
    /// children are fitter than without; the predictor is refitted each generation on everything evaluated.
    @Test func screeningPicksTheBestPredictedChild() {
        var fittedOn: [Int] = []
        let oracle = EvolutionFinder<Toy>.Screening(pool: 4) { evaluated in
            fittedOn.append(evaluated.count)
            return { $0.map(Self.fitness) }
        }
        let (screened, askedScreened) = Self.search(seed: 5, screening: oracle)
        let (plain, askedPlain) = Self.search(seed: 5)
        func childMean(_ o: EvolutionFinder<Toy>.Outcome) -> Double {
            let children = o.evaluated.dropFirst(12).map(\.fitness)
            return children.reduce(0, +) / Double(children.count)
        }
        #expect(childMean(screened) > childMean(plain) + 0.02, "\(childMean(screened)) vs \(childMean(plain))")
        #expect(fittedOn == [12, 24, 36, 48], "\(fittedOn)")
        #expect(askedScreened.prefix(12).map(\.key) == askedPlain.prefix(12).map(\.key), "generation 0 is unscreened")
        #expect(Set(askedScreened.map(\.key)).count == askedScreened.count)
    }

    @Test func everyArchitectureIsAskedAboutOnce() {
        let (_, asked) = Self.search(seed: 2, fits: { $0.r < 192 })
        #expect(Set(asked.map(\.key)).count == asked.count)
        #expect(asked.allSatisfy { $0.key == $0.config.hash(in: Self.space) })
    }

    @Test func theConstraintHoldsAndRefusalsAreCounted() {
        let fits = { (c: ArchConfig) in c.r == 128 && c.d.reduce(0, +) <= 9 }
        let (outcome, asked) = Self.search(seed: 3, fits: fits)
        #expect(outcome.evaluated.allSatisfy { fits($0.config) })
        #expect(outcome.refused == asked.count - outcome.evaluated.count && outcome.refused > 0)
        #expect(asked.filter { $0.origin != .random && $0.origin != .anchor }.allSatisfy {
            $0.parents.allSatisfy { fits($0.config) }
        })
    }

    @Test func seedsComeFirstAndTheSearchClimbs() {
        let seed = ArchConfig.min(Self.space, resolution: 128)
        var last = seed
        last.method = .last
        let (outcome, asked) = Self.search(seed: 9, generations: 6, seeds: [last.canonical(in: Self.space)])
        #expect(asked.first?.origin == .anchor
                && asked.first?.key == last.canonical(in: Self.space).hash(in: Self.space))
        let initial = outcome.evaluated.prefix(12).map(\.fitness).max()!
        #expect(outcome.best!.fitness > initial, "\(initial) → \(outcome.best!.fitness)")
        // Children name their parents: one for a mutation, two for a crossover.
        #expect(asked.allSatisfy { p in
            switch p.origin {
            case .mutation: p.parents.count == 1
            case .crossover: p.parents.count == 2
            default: p.parents.isEmpty && p.generation == 0
            }
        })
    }

    @Test func stopEndsTheSearchEarly() {
        let (outcome, _) = Self.search(seed: 4, stopAfter: 20)
        #expect(outcome.stoppedEarly && outcome.evaluated.count == 20 && outcome.generations == 0)
    }
}
