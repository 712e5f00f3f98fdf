import Foundation
import History
import Memory
import Supernets
import Transfer

/// The winner after its training, and what it was chosen from.
struct FinalOutcome {
    var winner: Member
    var training: CertifiedTraining
    /// The search's plan of the winner (the same function the training process's budget check uses).
    var memory: MemoryEstimate
    var finalists: [SearchSummary.Finalist]
    var baselines: [SearchSummary.Baseline]
    var selection: SearchSummary.Selection?
    var seeds: [SearchSummary.SeedRepeat]
}

extension SearchRun {
    /// The candidates trained for real: the best of each of the best `settings.finalists` methods by shared-weight
    /// validation, then the obvious choices (`obviousChoices()`) not among them — each once, best shared-weight
    /// validation first.
    func finalistMembers(_ search: SearchOutcome) throws -> [Member] {
        var bestOfMethod: [TransferMethod: Member] = [:]
        for m in search.members where m.fitness > bestOfMethod[factory.method(m.config)]?.fitness ?? -1 {
            bestOfMethod[factory.method(m.config)] = m
        }
        let ranked = { (a: Member, b: Member) in (a.fitness, -a.record.id) > (b.fitness, -b.record.id) }
        var picked = Array(bestOfMethod.values.sorted(by: ranked).prefix(settings.finalists))
        for config in try obviousChoices() where !picked.contains(where: { $0.config == config }) {
            guard let m = search.members.first(where: { $0.config == config }) else {
                throw SearchError.invalid("the obvious choice \(config.json) was not evaluated in generation 0 — "
                                          + "please report this run")
            }
            picked.append(m)
        }
        return picked.sorted(by: ranked)
    }

    /// Phase 3: the winner chosen by real training rather than by shared weights, certified.
    ///
    /// Shared-weight validation ranks candidates of one method against each other, but ranks methods unevenly (each
    /// method's shared trainables see only its turns of the adaptation) and can rank a shrunk subnet above the max
    /// subnet by noise. So every finalist (`finalistMembers(_:)`, which always holds the obvious choices) is trained
    /// exactly as the winner must be: in a fresh `ofa-search train --budget --holdout` process (`trainCertified`),
    /// `finalEpochs` on search-train, then scored on validation and on test. Test never decides. The best on
    /// validation (ties keep the better shared-weight rank) wins if it is an obvious choice or beats the best
    /// obvious choice image by image with a McNemar p-value below `settings.significance`
    /// (`select(_:significance:)`); otherwise that obvious choice wins. The winner's file becomes `best.h5`. The
    /// obvious choices' results are the baselines, trained exactly like the winner. Each finished training is kept
    /// in `finalist-<id>.json`, so a resumed run trains only the rest (an interrupted one continues from its
    /// checkpoint).
    func trainFinalists(_ search: SearchOutcome) throws -> FinalOutcome {
        let members = try finalistMembers(search), obvious = try obviousChoices()
        report("finalists: \(members.count) candidates, \(settings.finalEpochs) epochs each on "
               + "\(data.searchTrain.count) search-train images, chosen on \(data.validation.count) validation images")
        var trained: [(member: Member, training: CertifiedTraining, memory: MemoryEstimate)] = []
        for m in members {
            let memory = try estimate(m.config)
            let t = try trainFinalist(m, memory: memory)
            trained.append((m, t, memory))
        }
        let (winner, selection) = Self.select(trained.map { t in
            Score(candidate: t.member.record.id, obvious: obvious.contains(t.member.config),
                  validationTop1: t.training.validationTop1, hits: t.training.validationHits)
        }, significance: settings.significance)
        let best = trained.first { $0.member.record.id == winner }!
        if let s = selection, s.leader != s.reference {
            report(String(format: "#%d leads on validation; against the best obvious choice #%d it is right on %d "
                          + "images the other misses and wrong on %d (McNemar one-sided p %.3f, significance %.3f): "
                          + "#%d wins",
                          s.leader, s.reference, s.wins, s.losses, s.pValue, s.significance, winner))
        }
        if !FileManager.default.fileExists(atPath: finalistFile(best.member, "h5").path)
            && !FileManager.default.fileExists(atPath: directory.best.path) {
            // A continued search's new winner trained as a finalist before, when another won and its weights were
            // not kept: the same training again (same seed, same process) gives them back.
            try? FileManager.default.removeItem(at: finalistFile(best.member, "json"))
            _ = try trainFinalist(best.member, memory: best.memory)
        }
        // Moved already when a past session stopped after this.
        if FileManager.default.fileExists(atPath: finalistFile(best.member, "h5").path) {
            try? FileManager.default.removeItem(at: directory.best)
            try FileManager.default.moveItem(at: finalistFile(best.member, "h5"), to: directory.best)
        }
        for t in trained where t.member.record.id != best.member.record.id {
            try? FileManager.default.removeItem(at: finalistFile(t.member, "h5"))
        }
        report(String(format: "winner #%d (%@, %dpx): validation %.2f%%; test top-1 %.2f%%, top-5 %.2f%% on %d images",
                      best.member.record.id, adaptationLabel(best.member.config), best.member.config.r,
                      100 * best.training.validationTop1, 100 * best.training.testTop1, 100 * best.training.testTop5,
                      best.training.testImages))
        let finalists = trained.map { t in
            SearchSummary.Finalist(candidate: t.member.record.id, method: factory.method(t.member.config).name,
                                   arch: Architecture(t.member.config), sharedValidationTop1: t.member.fitness,
                                   trainedValidationTop1: t.training.validationTop1, epochs: settings.finalEpochs,
                                   testTop1: t.training.testTop1)
        }
        let baselines = trained.filter { obvious.contains($0.member.config) }.map { t in
            let method = factory.method(t.member.config)
            return SearchSummary.Baseline(
                name: "max subnet, \(method.name)", method: method.name, arch: Architecture(t.member.config),
                resolution: t.member.config.r, plannedBytes: t.training.plannedBytes,
                measuredBytes: t.training.measuredBytes, testTop1: t.training.testTop1, testTop5: t.training.testTop5)
        }
        let repeated = trained.filter { $0.member.record.id == winner || obvious.contains($0.member.config) }
        let seeds = try repeatWithSeeds(repeated.map { ($0.member, $0.training) })
        return FinalOutcome(winner: best.member, training: best.training, memory: best.memory, finalists: finalists,
                            baselines: baselines, selection: selection, seeds: seeds)
    }

    /// A trained finalist as the choice of the winner sees it.
    struct Score {
        var candidate: Int, obvious: Bool, validationTop1: Double
        /// Per-image validation hits ("1"/"0"), `CertifiedTraining.validationHits`.
        var hits: String
    }

    /// The winner among trained finalists (given best shared-weight rank first), and how it was chosen.
    ///
    /// Several finalists are scored on a few hundred validation images, so the best of them on validation is
    /// favoured by noise (a lead of one or two images is common between equals). The obvious choice is what a user
    /// would run without a search; the search replaces it only on evidence: the leader on validation (ties keep the
    /// shared-weight rank) must beat the best obvious choice on their discordant validation images with a one-sided
    /// McNemar p below `significance` (`PairedComparison`).
    static func select(_ scores: [Score], significance: Double) -> (winner: Int, selection: SearchSummary.Selection?) {
        let ranked = scores.enumerated().sorted { a, b in
            (a.element.validationTop1, -a.offset) > (b.element.validationTop1, -b.offset)
        }.map(\.element)
        let leader = ranked[0]
        guard let reference = ranked.first(where: \.obvious) else { return (leader.candidate, nil) }
        let paired = PairedComparison(challenger: leader.hits, reference: reference.hits)
        let selection = SearchSummary.Selection(
            leader: leader.candidate, reference: reference.candidate, wins: paired.wins, losses: paired.losses,
            pValue: paired.pValue, significance: significance)
        return ((paired.pValue < significance || leader.obvious ? leader : reference).candidate, selection)
    }

    /// `finalist-<id>.<ext>` in the run directory.
    func finalistFile(_ m: Member, _ ext: String) -> URL { directory.finalist(m.record.id, ext) }

    /// One finalist's certified training, or its stored result when a previous session finished it.
    func trainFinalist(_ m: Member, memory: MemoryEstimate) throws -> CertifiedTraining {
        let resultFile = finalistFile(m, "json")
        if let t = CertifiedTraining.stored(at: resultFile) {
            report(String(format: "finalist #%d: trained in an earlier session, validation %.2f%%", m.record.id,
                          100 * t.validationTop1))
            return t
        }
        report(String(format: "finalist #%d (%@, %dpx, %@ planned, shared-weight validation %.1f%%): %d epochs",
                      m.record.id, adaptationLabel(m.config), m.config.r, ByteCount.format(memory.plannedBytes),
                      100 * m.fitness, settings.finalEpochs))
        let provenance = jsonObject([
            "dataset": data.name, "dataset_fingerprint": data.fingerprint, "run_directory": directory.url.path,
            "candidate": m.record.id, "shared_validation_top1": m.fitness,
            "date": ISO8601DateFormatter().string(from: Date()),
            "tool_version": toolVersion, "seed": Int(truncatingIfNeeded: settings.seed),
        ])
        let t = try trainCertified(m.config, label: "#\(m.record.id)", output: finalistFile(m, "h5"),
                                   provenance: provenance)
        guard t.plannedBytes == memory.plannedBytes, t.validationImages == data.validation.count else {
            throw SearchError.invalid(
                "the training process of #\(m.record.id) planned \(t.plannedBytes) B and held out "
                + "\(t.validationImages) images, the search \(memory.plannedBytes) B and \(data.validation.count) — "
                + "one budget and one split must agree; please report this run")
        }
        report(String(format: "finalist #%d: validation %.2f%% (test %.2f%%); planned %@, measured peak growth %@, "
                      + "process peak %@ (budget %@, %@)", m.record.id, 100 * t.validationTop1, 100 * t.testTop1,
                      ByteCount.format(t.plannedBytes), ByteCount.format(t.measuredBytes),
                      ByteCount.format(t.processPeakBytes), ByteCount.format(settings.budgetBytes),
                      settings.memScope.rawValue),
               kind: .finalist,
               fields: ["candidate": .int(m.record.id), "val_top1": .double(t.validationTop1),
                        "test_top1": .double(t.testTop1), "planned_bytes": .int(t.plannedBytes),
                        "measured_bytes": .int(t.measuredBytes)])
        try t.store(at: resultFile)
        return t
    }
}
