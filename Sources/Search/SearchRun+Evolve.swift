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
    /// Every evaluated candidate, in evaluation order.
    var members: [Member] = []
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
        let e = try factory.memory(config, batch: settings.batch)
        estimates[key] = e
        return e
    }

    /// The obvious choices a careful user would try, placed in generation 0 so that no method's best can end below
    /// them on validation: the max subnet with each searched method (lite residuals in every block) at the largest searched
    /// resolution whose plan fits the budget.
    func obviousChoices() throws -> [ArchConfig] {
        let space = factory.space
        var out: [ArchConfig] = []
        for method in settings.methods {
            for r in settings.resolutions.sorted(by: >) {
                var config = ArchConfig.max(space, resolution: r)
                config.method = method
                config = config.canonical(in: space)
                if try estimate(config).bytes(in: settings.memScope) <= settings.budgetBytes {
                    out.append(config)
                    break
                }
            }
        }
        return out
    }

    /// Phase 2: OFA's evolutionary search (`EvolutionFinder.run_evolution_search`) with real validation fitness,
    /// over the architecture and the adaptation (method, lite residual placement).
    ///
    /// Generation 0 holds the obvious choices (`obviousChoices()`, origin `anchor`), then random subnets that fit
    /// the budget up to `population`. Each later generation keeps the best `parentRatio` of the population as
    /// parents (the best of each method: `parents(of:count:method:)`) and adds `population` children: `mutationRatio` of them mutants
    /// of random parents, the rest crossovers of two random parents. A draw over the budget is recorded as
    /// rejected and redrawn (up to `maxTries` per child); a draw equal to an architecture already evaluated is
    /// redrawn without a record, so every architecture is evaluated once.
    func evolve() throws -> SearchOutcome {
        let space = factory.space, evo = settings.evolution
        var sampler = ArchitectureSampler(space: space, resolutions: settings.resolutions, methods: settings.methods,
                                          seed: settings.seed &+ 0xE70)
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
                outcome.members.append(member)
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
        for config in try obviousChoices() where population.count < evo.population {
            if let m = try child(generation: 0, { _ in (config, .anchor, []) }) { population.append(m) }
        }
        for _ in population.count..<max(evo.population, population.count) {
            if deadlinePassed() { outcome.stoppedEarly = true; break }
            if let m = try child(generation: 0, { s in (s.random(), .random, []) }) { population.append(m) }
        }
        for generation in 1...max(evo.generations, 1) where evo.generations >= 1 && !outcome.stoppedEarly {
            guard !population.isEmpty else { break }
            let parents = Self.parents(of: population, count: evo.parentCount) { factory.method($0.config) }
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

    /// The parents of the next generation: the best `count` of `population` — per method when it holds several.
    ///
    /// Shared-weight validation compares candidates of one method fairly, methods against each other not (each
    /// method's shared trainables get only its turns of the adaptation; `chooseFinalist(_:)` settles that by
    /// training), so each method present keeps its own best: an equal share of `count` (at least one), the
    /// remainder going to the best of the rest. With one method this is OFA's rule.
    static func parents(of population: [Member], count: Int, method: (Member) -> TransferMethod) -> [Member] {
        let ranked = population.sorted { ($0.fitness, -$0.record.id) > ($1.fitness, -$1.record.id) }
        let groups = Dictionary(grouping: ranked, by: method)
        let share = max(1, count / max(groups.count, 1))
        var chosen = Set(groups.values.flatMap { $0.prefix(share) }.map(\.record.id))
        for m in ranked where chosen.count < count { chosen.insert(m.record.id) }
        return ranked.filter { chosen.contains($0.record.id) }
    }

    /// Fails early, naming the smallest achievable memory, when even the smallest subnet at the smallest
    /// resolution is over the budget.
    func checkBudgetIsReachable() throws {
        try Self.checkBudgetIsReachable(settings, factory: factory)
    }

    /// `checkBudgetIsReachable()` before any run exists (so an impossible budget leaves no run directory behind).
    static func checkBudgetIsReachable(_ settings: SearchSettings, factory: SubnetFactory) throws {
        let space = factory.space, min = ArchConfig.min(space, resolution: settings.resolutions.min()!)
        let bytes = try settings.methods.map { method in
            var config = min
            config.method = method
            return try factory.memory(config.canonical(in: space), batch: settings.batch).bytes(in: settings.memScope)
        }.min()!
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
        report(String(format: "[search] generation %d/%d · %d evaluated, %d over budget · #%d %.1f%% %@ %dpx %@ · best #%d %.1f%% %@ %@ · ETA %@",
                      generation, evo.generations, outcome.evaluated, outcome.rejected, m.record.id, 100 * m.fitness,
                      ByteCount.format(m.record.plannedBytes), m.config.r, adaptationLabel(m.config), best.record.id,
                      100 * best.fitness, ByteCount.format(best.record.plannedBytes), adaptationLabel(best.config),
                      SearchRun.duration(remaining)))
    }

    /// "bias", "lite-residual+bias (5/13 blocks)": the method, and how many active blocks have a lite residual.
    func adaptationLabel(_ c: ArchConfig) -> String {
        let method = factory.method(c)
        guard method.insertsLiteResidual else { return method.name }
        let blocks = c.liteResidualBlocks(in: factory.space, method: method).count
        return "\(method.name) (\(blocks)/\(c.activeSlots(in: factory.space).count) blocks)"
    }
}
