import Foundation
import History
import Memory
import Supernets
import Transfer

/// A candidate the evolution holds: its record (id, memory, fitness) and architecture.
struct Member: Evolvable {
    var record: CandidateRecord
    var config: ArchConfig
    var fitness: Double { record.valTop1 ?? -1 }
    var order: Int { record.id }
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

    /// Phase 2: OFA's evolutionary search (`EvolutionFinder`) with real validation fitness, over the architecture
    /// and the adaptation (method, lite residual placement). Generation 0 starts with the obvious choices
    /// (`obviousChoices()`) and the user's `--enqueue` architectures, all of origin `anchor`. Every proposal is
    /// journalled before it is evaluated (a draw over the budget as rejected), so a resumed search replays the stored
    /// answers and continues where it stopped.
    func evolve() throws -> SearchOutcome {
        let space = factory.space
        var finder = EvolutionFinder<Member>(
            settings: settings.evolution,
            sampler: ArchitectureSampler(space: space, resolutions: settings.resolutions, methods: settings.methods,
                                         seed: settings.seed &+ 0xE70),
            group: { [factory] in factory.method($0) })
        var journal = try CandidateJournal(store: store, runName: directory.name)
        if journal.isReplaying {
            report("search: replaying \(journal.stored.count) stored candidates "
                   + "(finished ones are not evaluated again)")
        }
        var tally = SearchOutcome(best: nil, evaluated: 0, rejected: 0, generations: 0, stoppedEarly: false)
        var evalSeconds: [Double] = []
        let evaluator = CandidateEvaluator(factory: factory, data: data, batch: settings.batch)

        let enqueued = try settings.enqueued.map { try ArchConfig.parse(json: $0, space: space).canonical(in: space) }
        let screening = settings.predictor == "mlp" ? EvolutionFinder<Member>.Screening(pool: settings.screeningPool) {
            [settings, space] evaluated in
            var predictor = AccuracyPredictor(space: space, resolutions: settings.resolutions,
                                              methods: settings.methods, seed: settings.seed &+ 0xACC)
            predictor.fit(evaluated.map { ($0.config, $0.fitness) })
            self.report("search: accuracy predictor fitted to \(evaluated.count) candidates; each child is the "
                        + "best predicted of \(settings.screeningPool) proposals")
            return { predictor.predict($0) }
        } : nil
        let found = try finder.run(seeds: try obviousChoices() + enqueued, screening: screening, evaluate: { p in
            if interrupted() { throw SearchError.interrupted }
            var record: CandidateRecord
            if journal.isReplaying {
                record = try journal.replay(archHash: p.key, generation: p.generation)
            } else {
                let memory = try estimate(p.config)
                let fits = memory.bytes(in: settings.memScope) <= settings.budgetBytes
                let structure = space.subnetStructure(p.config)
                let now = Date().timeIntervalSince1970
                record = try journal.record(CandidateRecord(
                    archJSON: p.config.json, archHash: p.key, generation: p.generation, origin: p.origin,
                    parents: p.parents.map(\.record.id), resolution: p.config.r, plannedBytes: memory.plannedBytes,
                    plannedActivationBytes: memory.activationBytes, ledgerJSON: memory.ledgerJSON,
                    formulaBytes: memory.formulaBytes, mflops: structure.mflops(resolution: p.config.r),
                    parameters: structure.parameterCount, status: fits ? .evaluating : .rejected, startedAt: now,
                    finishedAt: fits ? nil : now))
            }
            guard record.status != .rejected else { tally.rejected += 1; return nil }
            if record.status != .evaluated {
                let start = Date()
                let result = try evaluator.evaluate(p.config, shared: shared)
                let seconds = Date().timeIntervalSince(start)
                evalSeconds.append(seconds)
                try store.tell(record.id, status: .evaluated, valTop1: result.top1, valLoss: result.loss,
                               evalSeconds: seconds)
                record.status = .evaluated; record.valTop1 = result.top1; record.valLoss = result.loss
                record.evalSeconds = seconds
            }
            let member = Member(record: record, config: p.config)
            tally.evaluated += 1
            if member.fitness > tally.best?.fitness ?? -1 { tally.best = member }
            progress(member, generation: p.generation, outcome: tally, evalSeconds: evalSeconds)
            return member
        }, stop: {
            // Past `--time-limit`, never while replaying.
            guard let searchDeadline, !journal.isReplaying else { return false }
            return Date() >= searchDeadline
        })
        if found.stoppedEarly {
            report("search: time limit reached after \(found.evaluated.count) candidates; training the best so far")
        }
        return SearchOutcome(best: found.best, members: found.evaluated, evaluated: found.evaluated.count,
                             rejected: found.refused, generations: found.generations, stoppedEarly: found.stoppedEarly)
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
        // One evaluation's time (the first builds caches) says little: the ETA waits for three.
        let eta = evalSeconds.count >= 3 ? " · ETA " + SearchRun.duration(remaining) : ""
        report(String(format: "[search] generation %d/%d · %d evaluated, %d draws over budget refused · "
                          + "#%d %.1f%% %@ %dpx %@ · best #%d %.1f%% %@ %@%@",
                      generation, evo.generations, outcome.evaluated, outcome.rejected, m.record.id, 100 * m.fitness,
                      ByteCount.format(m.record.plannedBytes), m.config.r, adaptationLabel(m.config), best.record.id,
                      100 * best.fitness, ByteCount.format(best.record.plannedBytes), adaptationLabel(best.config), eta),
               kind: .candidate,
               fields: ["candidate": .int(m.record.id), "generation": .int(generation),
                        "generations": .int(evo.generations),
                        "evaluated": .int(outcome.evaluated), "refused": .int(outcome.rejected),
                        "val_top1": .double(m.fitness), "planned_bytes": .int(m.record.plannedBytes),
                        "resolution": .int(m.config.r), "method": .string(factory.method(m.config).name),
                        "best_candidate": .int(best.record.id), "best_val_top1": .double(best.fitness),
                        "eta_seconds": evalSeconds.count >= 3 ? .double(remaining) : .null])
    }

    /// "bias", "lite-residual+bias (5/13 blocks)": the method, and how many active blocks have a lite residual.
    func adaptationLabel(_ c: ArchConfig) -> String {
        let method = factory.method(c)
        guard method.insertsLiteResidual else { return method.name }
        let blocks = c.liteResidualBlocks(in: factory.space, method: method).count
        return "\(method.name) (\(blocks)/\(c.activeSlots(in: factory.space).count) blocks)"
    }
}
