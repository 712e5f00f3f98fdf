import Foundation
import History
import Memory
import Supernets
import Transfer

/// A candidate the evolution holds: its record (id, memory, fitness) and architecture.
struct Member {
    var record: CandidateRecord
    var config: ArchConfig
    var fitness: Double { record.valTop1 ?? -1 }
}

/// What the search phase found.
struct SearchOutcome {
    var best: Member?
    var evaluated: Int, rejected: Int
    /// Generations completed (the initial population is generation 0).
    var generations: Int
    var stoppedEarly: Bool
}

extension SearchRun {
    /// The planned training memory of `config` (cached by architecture).
    func estimate(_ config: ArchConfig) throws -> MemoryEstimate {
        let key = config.hash(in: factory.space)
        if let e = estimates[key] { return e }
        let e = try factory.memory(config, method: factory.method, batch: settings.batch)
        estimates[key] = e
        return e
    }

    /// Phase 2: OFA's evolutionary search (`EvolutionFinder.run_evolution_search`) with real validation fitness.
    ///
    /// Generation 0 draws `population` random subnets that fit the budget. Each later generation keeps the best
    /// `parentRatio` of the population as parents and adds `population` children: `mutationRatio` of them mutants
    /// of random parents, the rest crossovers of two random parents. A draw over the budget is recorded as
    /// rejected and redrawn (up to `maxTries` per child); a draw equal to an architecture already evaluated is
    /// redrawn without a record, so every architecture is evaluated once.
    func evolve() throws -> SearchOutcome {
        let space = factory.space, evo = settings.evolution
        var sampler = ArchitectureSampler(space: space, resolutions: settings.resolutions, seed: settings.seed &+ 0xE70)
        var journal = try CandidateJournal(store: store, runName: runName)
        if journal.isReplaying { report("search: replaying \(journal.stored.count) stored candidates (finished ones are not evaluated again)") }
        var seen: [String: Member] = [:], overBudget = Set<String>()
        var outcome = SearchOutcome(best: nil, evaluated: 0, rejected: 0, generations: 0, stoppedEarly: false)
        var evalSeconds: [Double] = []
        let evaluator = CandidateEvaluator(factory: factory, data: data, batch: settings.batch)

        /// Draws with `make` until a new architecture fits; records and evaluates it.
        func child(generation: Int, _ make: (inout ArchitectureSampler) -> (ArchConfig, CandidateOrigin, [Member])) throws -> Member? {
            for _ in 0..<evo.maxTries {
                if interrupted() { throw SearchError.interrupted }
                let (config, origin, parents) = make(&sampler)
                let hash = config.hash(in: space)
                if seen[hash] != nil || overBudget.contains(hash) { continue }
                var record: CandidateRecord
                if journal.isReplaying {
                    record = try journal.replay(archHash: hash, generation: generation)
                } else {
                    let memory = try estimate(config)
                    let fits = memory.bytes(in: settings.memScope) <= settings.budgetBytes
                    let structure = space.subnetStructure(config)
                    let now = Date().timeIntervalSince1970
                    record = try journal.record(CandidateRecord(
                        archJSON: config.json, archHash: hash, generation: generation, origin: origin, parents: parents.map(\.record.id),
                        resolution: config.r, plannedBytes: memory.plannedBytes, plannedActivationBytes: memory.activationBytes,
                        ledgerJSON: memory.ledgerJSON, formulaBytes: memory.formulaBytes, mflops: structure.mflops(resolution: config.r),
                        parameters: structure.parameterCount, status: fits ? .evaluating : .rejected, startedAt: now,
                        finishedAt: fits ? nil : now))
                }
                let fits = record.status != .rejected
                guard fits else { overBudget.insert(hash); outcome.rejected += 1; continue }
                if record.status != .evaluated {
                    let start = Date()
                    let result = try evaluator.evaluate(config, shared: shared)
                    let seconds = Date().timeIntervalSince(start)
                    evalSeconds.append(seconds)
                    try store.tell(record.id, status: .evaluated, valTop1: result.top1, valLoss: result.loss, evalSeconds: seconds)
                    record.status = .evaluated; record.valTop1 = result.top1; record.valLoss = result.loss; record.evalSeconds = seconds
                }
                let member = Member(record: record, config: config)
                seen[hash] = member
                outcome.evaluated += 1
                if member.fitness > outcome.best?.fitness ?? -1 { outcome.best = member }
                progress(member, generation: generation, outcome: outcome, evalSeconds: evalSeconds)
                return member
            }
            return nil
        }

        /// Past `--time-limit` (never before one candidate is evaluated, nor while replaying).
        func deadlinePassed() -> Bool {
            guard let searchDeadline, Date() >= searchDeadline, !journal.isReplaying, outcome.evaluated > 0 else { return false }
            return true
        }

        var population: [Member] = []
        for _ in 0..<evo.population {
            if deadlinePassed() { outcome.stoppedEarly = true; break }
            if let m = try child(generation: 0, { s in (s.random(), .random, []) }) { population.append(m) }
        }
        for generation in 1...max(evo.generations, 1) where evo.generations >= 1 && !outcome.stoppedEarly {
            guard !population.isEmpty else { break }
            let parents = Array(population.sorted { ($0.fitness, -$0.record.id) > ($1.fitness, -$1.record.id) }.prefix(evo.parentCount))
            population = parents
            for k in 0..<evo.population {
                if deadlinePassed() { outcome.stoppedEarly = true; break }
                let made: Member?
                if k < evo.mutationCount {
                    made = try child(generation: generation) { s in
                        let p = parents[s.index(below: parents.count)]
                        return (s.mutate(p.config, probability: evo.mutationProbability), .mutation, [p])
                    }
                } else {
                    made = try child(generation: generation) { s in
                        let a = parents[s.index(below: parents.count)], b = parents[s.index(below: parents.count)]
                        return (s.crossover(a.config, b.config), .crossover, [a, b])
                    }
                }
                if let made { population.append(made) }
            }
            if !outcome.stoppedEarly { outcome.generations = generation }
        }
        if outcome.stoppedEarly { report("search: time limit reached after \(outcome.evaluated) candidates; training the best so far") }
        return outcome
    }

    /// Fails early, naming the smallest achievable memory, when even the smallest subnet at the smallest
    /// resolution is over the budget.
    func checkBudgetIsReachable() throws {
        try Self.checkBudgetIsReachable(settings, factory: factory)
    }

    /// `checkBudgetIsReachable()` before any run exists (so an impossible budget leaves no run directory behind).
    static func checkBudgetIsReachable(_ settings: SearchSettings, factory: SubnetFactory) throws {
        let smallest = try factory.memory(ArchConfig.min(factory.space, resolution: settings.resolutions.min()!).canonical(in: factory.space),
                                          method: factory.method, batch: settings.batch)
        let bytes = smallest.bytes(in: settings.memScope)
        guard bytes <= settings.budgetBytes else {
            throw SearchError.budgetTooSmall(budget: ByteCount.format(settings.budgetBytes), smallest: ByteCount.format(bytes),
                                             scope: settings.memScope.rawValue)
        }
    }

    /// One progress line per candidate: phase, generation, counts, this candidate, the best so far, ETA.
    func progress(_ m: Member, generation: Int, outcome: SearchOutcome, evalSeconds: [Double]) {
        let evo = settings.evolution
        let total = evo.population * (evo.generations + 1)
        let mean = evalSeconds.isEmpty ? 0 : evalSeconds.reduce(0, +) / Double(evalSeconds.count)
        let remaining = Double(max(total - outcome.evaluated, 0)) * mean
        let best = outcome.best!
        report(String(format: "[search] generation %d/%d · %d evaluated, %d over budget · #%d %.1f%% %@ %dpx · best #%d %.1f%% %@ · ETA %@",
                      generation, evo.generations, outcome.evaluated, outcome.rejected, m.record.id, 100 * m.fitness,
                      ByteCount.format(m.record.plannedBytes), m.config.r, best.record.id, 100 * best.fitness,
                      ByteCount.format(best.record.plannedBytes), SearchRun.duration(remaining)))
    }
}
