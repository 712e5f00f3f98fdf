import Foundation
import History
import Testing

/// `ofa-search history ...` as a user runs them, on small runs written through the store API.
struct HistoryCommandTests {
    /// Writes a run of 2 generations × 4 candidates (over 2 stages of 2 slots) into a fresh folder:
    /// #3 is rejected, #6 mutates #2, #7 crosses #1 and #4; budget 20 MB.
    static func withRun<T>(budgetMB: Int = 20, finished: Bool = true, _ body: (URL) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ofa-e2e-history-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteSearchStore(creatingAt: dir, toolVersion: "e2e")
        try store.begin(RunRecord(
            createdAt: "2025-11-26T05:00:00Z", dataset: "flowers5", budgetBytes: budgetMB * 1_000_000, memScope: "total",
            method: "bias", seed: 1, supernetPath: "s.h5", supernetSHA256: "00", family: "effnet-lite0-elastic",
            settingsJSON: #"{"population": 4, "stage_slot_counts": [2, 2]}"#, toolVersion: "e2e"))
        try store.startPhase("search")
        for i in 1...8 {
            let parents = i == 6 ? [2] : i == 7 ? [1, 4] : i > 4 ? [i - 4] : []
            let arch = #"{"d": [\#(1 + i % 2), 2], "e": [3, \#([3, 4, 6][i % 3]), 6, 6], "ks": [3, 5, 3, \#(i % 2 == 0 ? 5 : 3)], "r": [\#(128 + 16 * (i % 3))]}"#
            let bytes = (10 + i + (i == 3 ? 20 : 0)) * 1_000_000
            let id = try store.ask(CandidateRecord(
                archJSON: arch, archHash: "h\(i)", generation: (i - 1) / 4, origin: i == 1 ? .anchor : i <= 4 ? .random : i == 7 ? .crossover : .mutation,
                parents: parents, resolution: 128 + 16 * (i % 3), plannedBytes: bytes, plannedActivationBytes: bytes / 2,
                ledgerJSON: "{}", formulaBytes: bytes, mflops: Double(100 * i), parameters: 1000, status: .evaluating, startedAt: 0))
            let rejected = bytes > budgetMB * 1_000_000
            try store.tell(id, status: rejected ? .rejected : .evaluated, valTop1: rejected ? nil : 0.5 + 0.05 * Double(i), valLoss: nil,
                           evalSeconds: nil)
        }
        if finished {
            try store.endPhase("search")
            try store.finish(status: "finished", resultJSON: #"""
                {"winner": 8, "arch": {"d": [1, 2], "e": [3, 3, 6, 6], "ks": [3, 5, 3, 5], "r": [160]}, "val_top1": 0.9,
                 "test_top1": 0.88, "test_top5": 0.99, "planned_bytes": 18000000, "measured_bytes": 18500000,
                 "ledger": {"frozen weights": 10000000, "activations": 8000000}, "budget_bytes": \#(budgetMB * 1_000_000),
                 "final_epochs": 5, "baselines": []}
                """#)
        }
        return try body(dir)
    }

    static func succeed(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let r = try OFASearchCommand.run(arguments)
        try #require(r.status == 0, "ofa-search \(arguments.joined(separator: " ")): \(r.stderr)", sourceLocation: sourceLocation)
        return r.stdout
    }

    static func failOneLine(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let r = try OFASearchCommand.run(arguments)
        #expect(r.status == 1 && r.stderr.split(separator: "\n").count == 1 && r.stdout.isEmpty, "\(r.stderr)",
                sourceLocation: sourceLocation)
        return r.stderr.trimmingCharacters(in: .newlines)
    }

    @Test func summaryIsTheDefault() throws {
        try Self.withRun { dir in
            let text = try Self.succeed(["history", dir.path])
            #expect(text == (try Self.succeed(["history", "summary", dir.path])))
            #expect(text.hasPrefix("\(dir.path): flowers5 under 20.00 MB (total training memory), bias on effnet-lite0-elastic — finished\n"))
            #expect(text.contains("  candidates     8: 7 evaluated, 1 rejected; 8 distinct architectures\n"))
            #expect(text.contains("  within budget  7 of 8 (87.5%)\n"))
            #expect(text.contains("  result         winner #8, test top-1 88.0%, top-5 99.0%; planned 18.00 MB, measured 18.50 MB; 5 final epochs\n"))
            #expect(text.contains("           1           4          4         0  90.0%         #8   82.5%\n"))
            let json = try JSONSerialization.jsonObject(with: Data(try Self.succeed(["history", dir.path, "--json"]).utf8)) as? [String: Any]
            #expect(json?["within_budget"] as? Int == 7 && json?["best_candidate"] as? Int == 8)
        }
    }

    @Test func paretoTraceLineageImportance() throws {
        try Self.withRun { dir in
            let pareto = try Self.succeed(["history", "pareto", dir.path, "--by", "memory"])
            // Accuracy rises with id and so does memory: every evaluated candidate is on the front.
            #expect(pareto.hasPrefix("Pareto front, validation top-1 vs planned training memory: 7 of 7 evaluated candidates\n"))
            #expect(pareto.contains("  winner #8 ") && !pareto.contains("off this front"), "\(pareto)")
            let fronts = try JSONSerialization.jsonObject(with: Data(try Self.succeed(["history", "pareto", dir.path, "--json"]).utf8))
                as? [String: [[String: Any]]]
            #expect(fronts?["memory"]?.count == 7 && fronts?["mflops"]?.count == 7)
            let trace = try Self.succeed(["history", "trace", dir.path])
            #expect(trace.split(separator: "\n").count == 3)
            let lineage = try Self.succeed(["history", "lineage", dir.path, "#7"])
            #expect(lineage.split(separator: "\n").map { String($0.prefix(28)) } == ["#7  gen 1  crossover of #1 ×", "├─ #1  gen 0  anchor  val 55", "└─ #4  gen 0  random  val 70"])
            let importance = try Self.succeed(["history", "importance", dir.path, "--top", "3"])
            #expect(importance.split(separator: "\n").count == 1 + 1 + 3)
        }
    }

    @Test func exportReportCompare() throws {
        try Self.withRun { dir in
            let csv = try Self.succeed(["history", "export", dir.path, "--format", "csv"])
            #expect(csv.split(separator: "\n").count == 9 && csv.hasPrefix("id,generation,origin,"))
            let file = dir.appendingPathComponent("candidates.json").path
            _ = try Self.succeed(["history", "export", dir.path, "--format", "json", "-o", file])
            #expect(FileManager.default.fileExists(atPath: file))
            #expect(try Self.succeed(["history", "report", dir.path]) == "wrote \(dir.path)/report.html\n")
            try Self.withRun(budgetMB: 40, finished: false) { other in
                let svg = dir.appendingPathComponent("sweep.svg").path
                let table = try Self.succeed(["history", "compare", other.path, dir.path, "--plot", svg])
                let rows = table.split(separator: "\n")
                #expect(rows.count == 3 && rows[1].hasPrefix("  20.00 MB") && rows[2].hasPrefix("  40.00 MB"))
                #expect(try String(contentsOfFile: svg, encoding: .utf8).contains(#"class="point-val""#))
            }
        }
    }

    @Test func badInputGetsOneLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ofa-e2e-history-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try Self.failOneLine(["history", dir.path])
            == "error: \(dir.path) is not a search run (no history.sqlite) — pass the directory a search wrote")
        let store = try SQLiteSearchStore(creatingAt: dir, toolVersion: "e2e")
        #expect(try Self.failOneLine(["history", "pareto", dir.path])
            == "error: \(dir.path) holds a search run with no candidates yet — wait for the search to evaluate some, "
            + "or continue a stopped one with `ofa-search search --resume \(dir.path)`")
        try store.begin(RunRecord(
            createdAt: "2025-11-26T05:00:00Z", dataset: "d", budgetBytes: 1, memScope: "total", method: "bias", seed: 0,
            supernetPath: "s.h5", supernetSHA256: "", family: "ofa-mbv3", settingsJSON: "{}", toolVersion: "e2e"))
        try store.finish(status: "failed", resultJSON: nil)
        #expect(try Self.failOneLine(["history", dir.path])
            == "error: \(dir.path) holds a search that failed before evaluating any candidate — see the search.log in it")
        try Self.withRun { run in
            let line = try Self.failOneLine(["history", "lineage", run.path, "99"])
            #expect(line.hasPrefix("error: \(run.path) has no candidate 99"))
        }
    }
}
