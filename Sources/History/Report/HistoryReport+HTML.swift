import Foundation

extension HistoryReport {
    /// The whole report page.
    static func html(_ run: RunSnapshot) -> String {
        let summary = RunSummary(run)
        let importance = GeneImportance(run)
        let e = HTMLText.escape
        let title = "\(run.run.dataset) under \(HistoryFormat.megabytes(run.run.budgetBytes))"
        var parts: [String] = []
        parts.append("""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>ofa-search run: \(e(title))</title>
            <style>
            \(HTMLText.style)
            </style>
            </head>
            <body>
            <h1>ofa-search run: \(e(title)) <span class="status \(e(run.run.status))">\(e(run.run.status))</span></h1>
            <p class="sub">\(e(run.directory.path)) · started \(e(run.run.createdAt)) · \(e(run.run.method)) on \
            \(e(run.run.family)) · \(e(run.run.toolVersion)) · report read \(e(timestamp(run.readAt)))</p>
            """)
        parts.append(outcome(run))
        parts.append(overview(summary))
        parts.append("<h2>Charts</h2>")
        parts.append(figure(HistoryPlots.accuracy(run, versus: .memory, standalone: false),
                            "Validation top-1 of each evaluated candidate with the shared adapted weights (the search's fitness, "
                                + "before any candidate's own training) against its \(run.budgetedQuantity), coloured by "
                                + "generation; dashed: the Pareto front and the budget; hollow grey circles: candidates rejected "
                                + "as over budget (not scored)."))
        parts.append(figure(HistoryPlots.accuracy(run, versus: .mflops, standalone: false),
                            "The same candidates against forward MFLOPs (OFA's count)."))
        parts.append(figure(HistoryPlots.optimisationHistory(run, standalone: false),
                            "Shared-weight validation top-1 in ask order; red: the best so far; dotted: generation boundaries."))
        if let result = run.result {
            parts.append(figure(HistoryPlots.ledger(result, standalone: false),
                                "The planner's ledger at the peak of the winner's final training, by category, against the "
                                    + "process's measured peak growth during that training."))
        }
        parts.append(figure(HistoryPlots.importance(importance, standalone: false), importanceCaption(importance)))
        parts.append(traceTable(summary))
        parts.append(paretoTable(run))
        parts.append(importanceTable(importance))
        parts.append(settingsTable(run))
        parts.append("</body>\n</html>\n")
        return parts.joined(separator: "\n")
    }

    private static func figure(_ svg: String, _ caption: String) -> String {
        "<figure>\n\(svg)<figcaption>\(HTMLText.escape(caption))</figcaption>\n</figure>"
    }

    private static func timestamp(_ unixSeconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: unixSeconds))
    }

    private static func outcome(_ run: RunSnapshot) -> String {
        let e = HTMLText.escape
        guard let r = run.result else {
            let why = run.run.status == "failed"
                ? "The search failed before it wrote a result; below is what it evaluated."
                : "The search has not finished: no winner yet. Below is what it has evaluated so far."
            return "<h2>Outcome</h2>\n<p class=\"note\">\(e(why))</p>"
        }
        let measured = r.measuredBytes.map { HistoryFormat.megabytes($0) } ?? "not measured"
        var html = "<h2>Outcome</h2>\n" + HTMLText.facts([
            ("winner", "candidate #\(r.winner)"),
            ("test top-1 / top-5", "\(HistoryFormat.percent(r.testTop1)) / \(HistoryFormat.percent(r.testTop5))"
                + (r.testImages.map { " (top-1 \(WilsonInterval(accuracy: r.testTop1, count: $0).description))" } ?? "")
                + " — the winner after its own training; the test split chose nothing"),
            ("validation top-1", HistoryFormat.percent(r.valTop1)
                + " — after its own training, on the validation images held out of the training split; it chose the winner"),
            ("training memory", "planned \(HistoryFormat.megabytes(r.plannedBytes)), measured \(e(measured)), "
                + "budget \(HistoryFormat.megabytes(r.budgetBytes))"),
            ("final training", "\(r.finalEpochs) epochs"),
            ("architecture", "<code>\(e(r.arch.jsonText))</code>"),
        ])
        if !r.baselines.isEmpty {
            html += "\n<p>Baselines, retrained the same way:</p>\n" + HTMLText.table(
                ["name", "test top-1", "planned memory", "resolution", "architecture"],
                r.baselines.map { b in
                    [e(b.name), HistoryFormat.percent(b.testTop1)
                        + (r.testImages.map { " (\(WilsonInterval(accuracy: b.testTop1, count: $0).description))" } ?? ""),
                     HistoryFormat.megabytes(b.plannedBytes), "\(b.resolution)", "<code>\(e(b.arch.jsonText))</code>"]
                }, numeric: [1, 2, 3])
        }
        if !r.seeds.isEmpty {
            html += "\n<p>Trained again with other seeds (new weights, shuffles and augmentation; the same validation "
                + "hold-out), test top-1:</p>\n" + HTMLText.table(
                ["candidate", "seeds", "test top-1 per seed", "mean ± sample std"],
                r.seeds.map { s in
                    ["#\(s.candidate)" + (s.candidate == r.winner ? " (winner)" : ""),
                     s.seeds.map(String.init).joined(separator: ", "),
                     s.testTop1.map { HistoryFormat.percent($0) }.joined(separator: ", "),
                     String(format: "%.2f %% ± %.2f", 100 * s.meanTestTop1, 100 * s.stdTestTop1)]
                }, numeric: [3])
        }
        return html
    }

    private static func overview(_ s: RunSummary) -> String {
        let statuses = CandidateStatus.allCases.compactMap { status in s.byStatus[status.rawValue].map { "\($0) \(status.rawValue)" } }
        var html = "<h2>Search</h2>\n" + HTMLText.facts([
            ("dataset", HTMLText.escape(s.dataset)),
            ("budget", "\(HistoryFormat.megabytes(s.budgetBytes)) of \(s.memScope == "activations" ? "activation" : "total training") memory"),
            ("candidates", "\(s.candidates) (\(statuses.joined(separator: ", "))); \(s.distinctArchitectures) distinct architectures"),
            ("within budget", "\(s.withinBudget) of \(s.candidates) (\(HistoryFormat.percent(s.withinBudgetFraction)))"),
            ("best shared-weight", s.bestCandidate.map { "#\($0), validation top-1 \(HistoryFormat.percent(s.bestValTop1)) with the "
                + "shared adapted weights (the search's fitness)" } ?? "none evaluated"),
            ("supernet", "<code>\(HTMLText.escape(s.supernetPath))</code> (sha256 \(HTMLText.escape(String(s.supernetSHA256.prefix(12))))…)"),
            ("seed", "\(s.seed)"),
        ])
        html += "\n" + HTMLText.table(
            ["phase", "runs", "wall time", ""],
            s.phases.map { p in
                ["\(HTMLText.escape(p.name))", "\(p.runs)", HistoryFormat.duration(p.seconds),
                 p.running ? "running" : p.interrupted > 0 ? "\(p.interrupted) interrupted (time not counted)" : ""]
            }, numeric: [1, 2])
        return html
    }

    private static func importanceCaption(_ importance: GeneImportance) -> String {
        "Share of the variance of validation top-1 (blue) and of memory (orange) explained by each gene alone, bias-adjusted "
            + "(ε², one-way ANOVA over the observed candidates; evolution's sampling and correlated genes bias it — a ranking "
            + "hint, not a causal effect). Choices on fewer than \(importance.minimumGroup) candidates are left out of the shares."
            + (importance.stageSlotsInferred ? " Stage layout guessed: the run's settings have no stage_slot_counts." : "")
    }

    private static func traceTable(_ s: RunSummary) -> String {
        "<h2>Generations</h2>\n" + HTMLText.table(
            ["generation", "candidates", "evaluated", "rejected", "failed", "best", "median", "best so far", "best candidate"],
            s.generations.map { g in
                ["\(g.generation)", "\(g.candidates)", "\(g.evaluated)", "\(g.rejected)", "\(g.failed)", HistoryFormat.percent(g.best),
                 HistoryFormat.percent(g.median), HistoryFormat.percent(g.bestSoFar), g.bestCandidate.map { "#\($0)" } ?? "–"]
            }, numeric: Set(0...8))
    }

    private static func paretoTable(_ run: RunSnapshot) -> String {
        let front = ParetoFront(run, cost: .memory)
        return "<h2>Pareto front (accuracy vs memory)</h2>\n" + HTMLText.table(
            ["candidate", "generation", "validation top-1", run.budgetedQuantity, "MFLOPs", "architecture"],
            front.points.map { p in
                ["#\(p.id)", "\(p.generation)", HistoryFormat.percent(p.valTop1),
                 HistoryFormat.megabytes(p.budgetedBytes) + (p.withinBudget ? "" : " (over budget)"), HistoryFormat.mflops(p.mflops),
                 "<code>\(HTMLText.escape(p.arch.jsonText))</code>"]
            }, numeric: [1, 2, 3, 4])
    }

    private static func importanceTable(_ importance: GeneImportance) -> String {
        func share(_ v: Double?) -> String { v.map { String(format: "%.1f%%", $0 * 100) } ?? "–" }
        return "<h2>Genes</h2>\n<p class=\"note\">Per choice: mean validation top-1 ± standard deviation (n evaluated "
            + "candidates), and mean memory of all its candidates (refused draws included); * marks a choice on fewer than "
            + "\(importance.minimumGroup) candidates, left out of the share.</p>\n" + HTMLText.table(
                ["gene", "accuracy share", "memory share", "choices"],
                importance.entries.map { entry in
                    [HTMLText.escape(entry.name), share(entry.accuracyShare), share(entry.memoryShare),
                     entry.choices.map { c in
                         let accuracy = c.meanTop1.map { m in
                             "\(HistoryFormat.percent(m)) ± \(String(format: "%.1f", (c.stdTop1 ?? 0) * 100))"
                         } ?? "–"
                         return "<b>\(Gene.format(c.value, kind: entry.gene.kind))</b>: \(accuracy) "
                             + "(n=\(c.evaluated)\(c.inAccuracyShare ? "" : "*")), "
                             + "\(HistoryFormat.megabytes(Int(c.meanBytes)))\(c.inMemoryShare ? "" : "*")"
                     }.joined(separator: "<br>")]
                }, numeric: [1, 2])
    }

    private static func settingsTable(_ run: RunSnapshot) -> String {
        "<h2>Settings</h2>\n" + HTMLText.facts(run.settings.sorted { $0.key < $1.key }.map { key, value in
            (key, "<code>\(HTMLText.escape(value.text))</code>")
        })
    }
}
