import ArgumentParser
import History

/// `ofa-search history summary <run>` (also plain `ofa-search history <run>`): settings, candidates, budget fit,
/// best per generation, wall time per phase, and the outcome.
struct HistorySummary: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Summarise a run: settings, candidates evaluated, fraction within budget, best per generation, time per phase.")

    @OptionGroup var arguments: RunDirectoryArguments

    func run() throws {
        try reportingErrors {
            let summary = RunSummary(try arguments.load())
            if arguments.json { try FileHandleOutput.json(summary); return }
            let scope = summary.memScope == "activations" ? "activation memory" : "total training memory"
            print("\(summary.directory): \(summary.dataset) under \(HistoryFormat.megabytes(summary.budgetBytes)) (\(scope)), "
                + "\(summary.method) on \(summary.family) — \(summary.status)")
            print("  started \(summary.createdAt), seed \(summary.seed), \(summary.toolVersion)")
            print("  supernet \(summary.supernetPath) (sha256 \(summary.supernetSHA256.prefix(12))…)")
            let statuses = CandidateStatus.allCases.compactMap { s in summary.byStatus[s.rawValue].map { "\($0) \(s.rawValue)" } }
            print("  candidates     \(summary.candidates): \(statuses.joined(separator: ", ")); "
                + "\(summary.distinctArchitectures) distinct architectures")
            print("  within budget  \(summary.withinBudget) of \(summary.candidates) (\(HistoryFormat.percent(summary.withinBudgetFraction)))")
            print("  best so far    " + (summary.bestCandidate.map {
                "#\($0), validation top-1 \(HistoryFormat.percent(summary.bestValTop1)) (shared weights)"
            } ?? "none evaluated yet"))
            if let r = summary.result {
                let measured = r.measuredBytes.map { "measured \(HistoryFormat.megabytes($0))" } ?? "not measured"
                let interval = r.testImages.map { " (\(WilsonInterval(accuracy: r.testTop1, count: $0).description))" } ?? ""
                print("  result         winner #\(r.winner), test top-1 \(HistoryFormat.percent(r.testTop1))\(interval), "
                    + "top-5 \(HistoryFormat.percent(r.testTop5)); planned \(HistoryFormat.megabytes(r.plannedBytes)), \(measured); "
                    + "\(r.finalEpochs) final epoch\(r.finalEpochs == 1 ? "" : "s")")
                for s in r.seeds {
                    print("  seeds          #\(s.candidate)\(s.candidate == r.winner ? " (winner)" : ""): test top-1 "
                        + String(format: "%.2f%% ± %.2f", 100 * s.meanTestTop1, 100 * s.stdTestTop1)
                        + " over seeds \(s.seeds.map(String.init).joined(separator: ", "))")
                }
            }
            print("best per generation:")
            var generations = TextTable(["generation", "candidates", "evaluated", "rejected", "best", "candidate", "median"],
                                        rightAligned: Set(0...6))
            for g in summary.generations {
                generations.add(["\(g.generation)", "\(g.candidates)", "\(g.evaluated)", "\(g.rejected)", HistoryFormat.percent(g.best),
                                 g.bestCandidate.map { "#\($0)" } ?? "–", HistoryFormat.percent(g.median)])
            }
            generations.print()
            print("wall time per phase:")
            var phases = TextTable(["phase", "runs", "time", ""], rightAligned: [1, 2])
            for p in summary.phases {
                phases.add([p.name, "\(p.runs)", HistoryFormat.duration(p.seconds),
                            p.running ? "running" : p.interrupted > 0 ? "\(p.interrupted) interrupted, not counted" : ""])
            }
            phases.print()
            print("settings: " + summary.settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.text)" }.joined(separator: " "))
        }
    }
}
