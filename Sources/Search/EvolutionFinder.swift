import History
import Supernets
import Transfer

/// OFA's `EvolutionFinder.run_evolution_search` as a pure, seeded procedure over architectures: no files, no
/// clock, no network. The caller's `evaluate` closure decides whether a proposal fits (and records it) and gives
/// its fitness; `stop` ends the search early (a time limit). Same seed and same answers → same sequence.
///
/// Generation 0 holds the `seeds` (the obvious choices), then random draws up to `population`. Each later
/// generation keeps the best `parentRatio` of the population as parents (per group: `parents(of:count:group:)`)
/// and adds `population` children: `mutationRatio` of them mutants of random parents, the rest crossovers of two
/// random parents. A proposal that does not fit is redrawn (up to `maxTries` per child); a proposal equal to an
/// architecture already evaluated or refused is redrawn without asking, so every architecture is evaluated once.
/// With `Screening` (`--predictor mlp`), each child is the best-predicted of `pool` fresh proposals.
public struct EvolutionFinder<Individual: Evolvable> {
    public let settings: EvolutionSettings
    public var sampler: ArchitectureSampler
    /// Parents are chosen per group (the TinyTL method): see `parents(of:count:group:)`.
    public let group: (ArchConfig) -> TransferMethod?

    /// An architecture to evaluate: how it was made, and from which parents.
    public struct Proposal {
        public var config: ArchConfig
        public var key: String
        public var generation: Int
        public var origin: CandidateOrigin
        public var parents: [Individual]
    }

    /// Pre-screening of children by a predictor fitted to what was evaluated (OFA's accuracy predictor).
    public struct Screening {
        /// Fresh proposals made per child; the one predicted best is evaluated.
        public var pool: Int
        /// Given every individual evaluated so far (at the start of each generation), a function predicting the
        /// fitness of architectures.
        public var fit: ([Individual]) -> ([ArchConfig]) -> [Double]

        public init(pool: Int, fit: @escaping ([Individual]) -> ([ArchConfig]) -> [Double]) {
            self.pool = pool; self.fit = fit
        }
    }

    /// What a search ends with.
    public struct Outcome {
        /// Every evaluated individual, in evaluation order.
        public var evaluated: [Individual] = []
        /// Proposals refused as not fitting.
        public var refused = 0
        /// Generations completed (the initial population is generation 0).
        public var generations = 0
        public var stoppedEarly = false

        /// The fittest, the earliest of equals.
        public var best: Individual? { evaluated.max { ($0.fitness, -$0.order) < ($1.fitness, -$1.order) } }
    }

    public init(settings: EvolutionSettings, sampler: ArchitectureSampler,
                group: @escaping (ArchConfig) -> TransferMethod?) {
        self.settings = settings; self.sampler = sampler; self.group = group
    }

    /// Runs the search. `evaluate` returns nil for a proposal that does not fit; `stop` is asked before each
    /// random draw and child, never before the first evaluation.
    public mutating func run(seeds: [ArchConfig], screening: Screening? = nil,
                             evaluate: (Proposal) throws -> Individual?, stop: () -> Bool) rethrows -> Outcome {
        let space = sampler.space, evo = settings
        var outcome = Outcome(), seen = Set<String>()

        /// Draws with `make` until a new architecture fits; returns it evaluated.
        typealias Make = (inout ArchitectureSampler) -> (ArchConfig, CandidateOrigin, [Individual])
        var predict: (([ArchConfig]) -> [Double])?
        /// `make`'s next proposal not seen yet; with a predictor, the best-predicted of `pool` such proposals.
        func propose(_ generation: Int, _ make: Make) -> Proposal? {
            var drawn: [Proposal] = []
            for _ in 0..<evo.maxTries where drawn.count < (predict == nil ? 1 : screening!.pool) {
                let (config, origin, parents) = make(&sampler)
                let key = config.hash(in: space)
                if !seen.contains(key) && !drawn.contains(where: { $0.key == key }) {
                    drawn.append(Proposal(config: config, key: key, generation: generation, origin: origin,
                                          parents: parents))
                }
            }
            guard let predict, drawn.count > 1 else { return drawn.first }
            let scores = predict(drawn.map(\.config))
            return drawn[scores.indices.max { (scores[$0], -$0) < (scores[$1], -$1) }!]
        }
        func child(_ generation: Int, _ make: Make) throws -> Individual? {
            for _ in 0..<evo.maxTries {
                guard let proposal = propose(generation, make) else { return nil }
                seen.insert(proposal.key)
                guard let individual = try evaluate(proposal) else { outcome.refused += 1; continue }
                outcome.evaluated.append(individual)
                return individual
            }
            return nil
        }
        func stopping() -> Bool {
            guard !outcome.evaluated.isEmpty, stop() else { return false }
            outcome.stoppedEarly = true
            return true
        }

        var population: [Individual] = []
        for config in seeds where population.count < evo.population {
            if let m = try child(0, { _ in (config, .anchor, []) }) { population.append(m) }
        }
        for _ in population.count..<max(evo.population, population.count) {
            if stopping() { break }
            if let m = try child(0, { s in (s.random(), .random, []) }) { population.append(m) }
        }
        for generation in 1...max(evo.generations, 1) where evo.generations >= 1 && !outcome.stoppedEarly {
            guard !population.isEmpty else { break }
            let parents = Self.parents(of: population, count: evo.parentCount) { group($0.config) }
            predict = screening.map { $0.fit(outcome.evaluated) }
            population = parents
            for k in 0..<evo.population {
                if stopping() { break }
                let made = try child(generation) { s in
                    if k < evo.mutationCount {
                        let p = parents[s.index(below: parents.count)]
                        return (s.mutate(p.config, probability: evo.mutationProbability), .mutation, [p])
                    }
                    let a = parents[s.index(below: parents.count)], b = parents[s.index(below: parents.count)]
                    return (s.crossover(a.config, b.config), .crossover, [a, b])
                }
                if let made { population.append(made) }
            }
            if !outcome.stoppedEarly { outcome.generations = generation }
        }
        return outcome
    }

    /// The parents of the next generation: the best `count` of `population` — per group when it holds several.
    ///
    /// Shared-weight validation compares candidates of one method fairly, methods against each other not (each
    /// method's shared trainables get only its turns of the adaptation; the finalists' training settles that), so
    /// each group present keeps its own best: an equal share of `count` (at least one), the remainder going to the
    /// best of the rest. With one group this is OFA's rule.
    public static func parents(of population: [Individual], count: Int,
                               group: (Individual) -> TransferMethod?) -> [Individual] {
        let ranked = population.sorted { ($0.fitness, -$0.order) > ($1.fitness, -$1.order) }
        let groups = Dictionary(grouping: ranked, by: group)
        let share = max(1, count / max(groups.count, 1))
        var chosen = Set(groups.values.flatMap { $0.prefix(share) }.map(\.order))
        for m in ranked where chosen.count < count { chosen.insert(m.order) }
        return ranked.filter { chosen.contains($0.order) }
    }
}

/// What the evolution needs of an evaluated candidate.
public protocol Evolvable {
    var config: ArchConfig { get }
    /// Higher is fitter.
    var fitness: Double { get }
    /// Unique, increasing with the time of evaluation: the earlier of equally fit candidates ranks first.
    var order: Int { get }
}
