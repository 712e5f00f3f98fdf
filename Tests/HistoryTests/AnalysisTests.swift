import Foundation
@testable import History
import Testing

@Suite("History analysis")
struct AnalysisTests {
    static func load(_ options: SyntheticRun.Options = .init()) throws -> (TemporaryDirectory, RunSnapshot) {
        let dir = try TemporaryDirectory()
        try SyntheticRun.write(to: dir.url, options)
        return (dir, try RunSnapshot.load(dir.url))
    }

    @Test("reading a finished history writes nothing beside it; reading a live one still works")
    func readingWritesNothing() throws {
        let dir = try TemporaryDirectory()
        try SyntheticRun.write(to: dir.url, .init())   // the writer is closed: no write-ahead log is left
        let before = try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted()
        #expect(before == [SQLiteSearchStore.fileName])
        let run = try RunSnapshot.load(dir.url)
        #expect(run.candidates.count == 24)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted() == before)
        // While a writer has it open (a running search), a reader goes through the log and sees its rows.
        let writer = try SQLiteSearchStore(openingAt: dir.url, readOnly: false)
        try writer.startPhase("extra")
        #expect(try RunSnapshot.load(dir.url).phases.contains { $0.name == "extra" })
        withExtendedLifetime(writer) {}
    }

    @Test("compare names the settings runs differ in beyond the budget")
    func comparisonDifferences() {
        let a: [String: JSONValue] = ["budget_bytes": .int(16), "dataset": .string("flowers5"),
                                      "evolution": .object(["population": .int(16), "generations": .int(5)])]
        var b = a, c = a
        b["budget_bytes"] = .int(32)
        #expect(RunComparison.differences([a, b]).isEmpty)
        c["dataset"] = .string("digits"); c["evolution"] = .object(["population": .int(8), "generations": .int(5)])
        c["threads"] = .int(1)
        #expect(RunComparison.differences([a, b, c]) == ["dataset", "evolution.population", "threads"])
    }

    @Test("the summary counts statuses, budget fit, distinct architectures and phase time")
    func summary() throws {
        let (_, run) = try Self.load()
        let s = RunSummary(run)
        let ids = Array(1...24)
        #expect(s.candidates == 24)
        #expect(s.byStatus["rejected"] == ids.filter { SyntheticRun.plannedBytes($0) > SyntheticRun.budget }.count)
        #expect(s.byStatus["failed"] == 1 && s.byStatus["evaluated"] == SyntheticRun.evaluatedIDs.count)
        #expect(s.withinBudget == 24 - (s.byStatus["rejected"] ?? 0))
        #expect(abs(s.withinBudgetFraction - Double(s.withinBudget) / 24) < 1e-12)
        #expect(s.distinctArchitectures == 20)
        #expect(s.bestCandidate == SyntheticRun.best() && s.bestValTop1 == SyntheticRun.valTop1(SyntheticRun.best()))
        #expect(s.phases.map(\.name) == ["adapt", "search", "retrain", "test"])
        #expect(s.phases.allSatisfy { !$0.running && $0.interrupted == 0 && $0.runs == 1 && $0.seconds >= 0 })
        #expect(s.result?.winner == SyntheticRun.best())
        #expect(s.settings["stage_slot_counts"] == .array([2, 2, 3, 4, 4, 1].map { .int($0) }))
    }

    @Test("a running, resumed run: open phase counted to now, stale open rows reported as interrupted")
    func runningResumed() throws {
        let dir = try TemporaryDirectory()
        let store = try SyntheticRun.write(to: dir.url, .init(finished: false, lastEvaluating: true))
        try store.startPhase("search")  // the resume: the killed "search" row stays open, a new one starts
        let run = try RunSnapshot.load(dir.url)
        #expect(run.result == nil && run.run.status == "running")
        let search = try #require(RunSummary(run).phases.first { $0.name == "search" })
        #expect(search.runs == 2 && search.running && search.interrupted == 1)
        #expect(RunSummary(run).byStatus["evaluating"] == 1)
    }

    @Test("best and median per generation; the best so far never falls")
    func trace() throws {
        let (_, run) = try Self.load()
        let trace = GenerationTrace(run).generations
        #expect(trace.map(\.generation) == [0, 1, 2])
        for g in trace {
            let members = SyntheticRun.evaluatedIDs.filter { ($0 - 1) / 8 == g.generation }
            let values = members.map(SyntheticRun.valTop1).sorted()
            #expect(g.evaluated == members.count && g.candidates == 8)
            #expect(g.best == values.last)
            let mid = values.count / 2
            #expect(g.median == (values.count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2))
        }
        #expect(zip(trace, trace.dropFirst()).allSatisfy { ($0.bestSoFar ?? 0) <= ($1.bestSoFar ?? 0) })
    }

    @Test("the Pareto front is exactly the non-dominated evaluated candidates", arguments: ParetoFront.Cost.allCases)
    func pareto(cost: ParetoFront.Cost) throws {
        let (_, run) = try Self.load()
        let front = ParetoFront(run, cost: cost)
        func costOf(_ c: CandidateRecord) -> Double { cost == .memory ? Double(c.plannedBytes) : c.mflops }
        let evaluated = run.evaluated
        let nonDominated = evaluated.filter { c in
            !evaluated.contains { o in
                (costOf(o) <= costOf(c) && o.valTop1! > c.valTop1!) || (costOf(o) < costOf(c) && o.valTop1! >= c.valTop1!)
            }
        }
        // Equal cost and accuracy: the front keeps one (the lowest id).
        #expect(Set(front.points.map(\.id)).isSubset(of: Set(nonDominated.map(\.id))))
        #expect(Set(front.points.map { "\(costOf(run.candidate($0.id)!)),\($0.valTop1)" })
            == Set(nonDominated.map { "\(costOf($0)),\($0.valTop1!)" }))
        #expect(zip(front.points, front.points.dropFirst()).allSatisfy { $0.valTop1 < $1.valTop1 })
    }

    @Test("gene importance: inactive slots are left out, memory follows depth and resolution")
    func importance() throws {
        let (_, run) = try Self.load()
        let importance = GeneImportance(run)
        let byName = Dictionary(uniqueKeysWithValues: importance.entries.map { ($0.name, $0) })
        // Stage 4 has 4 slots; its block 3 is active only where d[3] >= 3.
        let block3 = try #require(byName["stage 4 block 3 kernel"])
        #expect(block3.choices.reduce(0) { $0 + $1.candidates } == (1...24).filter { SyntheticRun.depths($0)[3] >= 3 }.count)
        #expect(byName["stage 6 block 2 kernel"] == nil)  // stage 6 has one slot
        #expect(byName.count == 1 + 6 + 2 * 16)  // resolution, 6 depths, kernel and expand of the 16 slots (each is active somewhere)
        #expect((byName["stage 6 depth"]?.accuracyShare) == nil)  // one value only
        let resolution = try #require(byName["resolution"])
        #expect(resolution.choices.map(\.value) == [128, 144, 160])
        #expect(resolution.choices.map(\.candidates) == [8, 8, 8])
        #expect((resolution.memoryShare ?? 0) > 0.05)
        #expect(importance.entries.first.map { $0.accuracyShare ?? 0 } ?? 0 >= importance.entries.last.map { $0.accuracyShare ?? 0 } ?? 0)
        #expect(!importance.stageSlotsInferred && importance.evaluatedCandidates == SyntheticRun.evaluatedIDs.count)
    }

    @Test("gene importance: a choice on fewer than minimumGroup candidates is left out of the share")
    func smallGroupsAreLeftOut() throws {
        let (_, run) = try Self.load()
        let importance = GeneImportance(run, minimumGroup: 5)
        for entry in importance.entries {
            #expect(entry.choices.allSatisfy { $0.inAccuracyShare == ($0.evaluated >= 5) && $0.inMemoryShare == ($0.candidates >= 5) })
            // With fewer than two choices that count, there is no share.
            if entry.choices.filter(\.inAccuracyShare).count < 2 { #expect(entry.accuracyShare == nil, "\(entry.name)") }
            if entry.choices.filter(\.inMemoryShare).count < 2 { #expect(entry.memoryShare == nil, "\(entry.name)") }
        }
        // Some gene of the synthetic run has a rare choice, and leaving it out changes its share.
        let all = Dictionary(uniqueKeysWithValues: GeneImportance(run, minimumGroup: 1).entries.map { ($0.name, $0) })
        let changed = importance.entries.filter { e in
            e.choices.contains { !$0.inAccuracyShare && $0.evaluated > 0 } && all[e.name]?.accuracyShare != e.accuracyShare
        }
        #expect(!changed.isEmpty)
    }

    @Test("ε² is 0 without an effect, near 1 for a perfect split, nil without groups")
    func epsilonSquared() {
        #expect(GeneImportance.epsilonSquared([(1, 5), (1, 5), (2, 5), (2, 5)]) == nil)  // no variance
        let perfect = GeneImportance.epsilonSquared([(1, 0), (1, 0.01), (2, 1), (2, 1.01), (3, 2), (3, 2.01)])!
        #expect(perfect > 0.99)
        #expect(GeneImportance.epsilonSquared([(1, 0), (1, 1), (2, 0), (2, 1)]) == 0)
        #expect(GeneImportance.epsilonSquared([(1, 0), (1, 1)]) == nil)  // one group
    }

    @Test("lineage walks parents depth first, lists a shared ancestor once and names changed genes")
    func lineage() throws {
        let (_, run) = try Self.load()
        // #23 (crossover of #15 and #16); #15 = crossover of #7 and #8; #16 = mutation of #8.
        let lineage = try #require(Lineage(of: 23, in: run))
        #expect(lineage.nodes.map(\.id) == [23, 15, 7, 8, 16, 8])
        #expect(lineage.nodes.map(\.depth) == [0, 1, 2, 2, 1, 2])
        #expect(lineage.nodes.map(\.repeated) == [false, false, false, false, false, true])
        let mutation = try #require(lineage.nodes.first { $0.id == 16 })
        let child = run.architectures[16]!.genes(stageSlotCounts: SyntheticRun.stageSlots)
        let parent = run.architectures[8]!.genes(stageSlotCounts: SyntheticRun.stageSlots)
        #expect(mutation.changes.map(\.gene) == child.filter { parent[$0.key] != $0.value }.keys.sorted().map(\.name))
        #expect(mutation.inherited.isEmpty && lineage.nodes[0].inherited.count == 2)
        #expect(Lineage(of: 99, in: run) == nil)
        #expect(Lineage(of: 23, in: run, maxDepth: 1)?.nodes.map(\.id) == [23, 15, 16])
    }

    @Test("CSV and JSON export hold every candidate")
    func export() throws {
        let (_, run) = try Self.load()
        let lines = HistoryExport.csv(run).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 24 + 2)  // header, 24 rows, final empty
        #expect(lines[0] == Substring(HistoryExport.csvColumns.joined(separator: ",")))
        #expect(lines[1].hasPrefix("1,0,anchor,,,evaluated,"))
        #expect(lines[1].contains(#""{""d"": [2, 1, 1, 1, 2, 1]"#))
        let json = try JSONSerialization.jsonObject(with: Data(try HistoryExport.json(run).utf8)) as? [String: Any]
        let candidates = json?["candidates"] as? [[String: Any]]
        #expect(candidates?.count == 24)
        #expect((candidates?[22]["parents"] as? [Int]) == [15, 16])
        #expect(((json?["result"] as? [String: Any])?["winner"] as? Int) == SyntheticRun.best())
        #expect(((json?["run"] as? [String: Any])?["seed"] as? String) == "7")
    }

    @Test("comparison rows come in increasing budget")
    func comparison() throws {
        let (a, first) = try Self.load()
        let (b, second) = try Self.load(.init(finished: false))
        _ = (a, b)
        let rows = RunComparison([first, second]).rows
        #expect(rows.count == 2 && rows.allSatisfy { $0.budgetBytes == SyntheticRun.budget })
        #expect(rows.filter { $0.testTop1 != nil }.count == 1)
        #expect(rows.allSatisfy { $0.bestCandidate == SyntheticRun.best() })
    }

    @Test("an empty run, a run without stage_slot_counts and a broken arch_json")
    func badRuns() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteSearchStore(creatingAt: dir.url, toolVersion: "test")
        #expect(throws: HistoryError.emptyRun(directory: dir.url.path, status: nil)) { try RunSnapshot.load(dir.url) }
        try store.begin(RunRecord(
            createdAt: "2025-11-26T05:00:00Z", dataset: "d", budgetBytes: 1, memScope: "total", method: "bias", seed: 0,
            supernetPath: "s.h5", supernetSHA256: "", family: "ofa-mbv3", settingsJSON: "{}", toolVersion: "t"))
        #expect(throws: HistoryError.emptyRun(directory: dir.url.path, status: "running")) { try RunSnapshot.load(dir.url) }
        var candidate = CandidateRecord(
            archJSON: #"{"ks": [3, 5, 3, 5], "e": [3, 4, 6, 3], "d": [2, 1], "r": [128]}"#, archHash: "a", generation: 0,
            origin: .random, parents: [], resolution: 128, plannedBytes: 1, plannedActivationBytes: 1, ledgerJSON: "{}",
            formulaBytes: 1, mflops: 1, parameters: 1, status: .evaluated, valTop1: 0.5, startedAt: 0)
        _ = try store.ask(candidate)
        let inferred = try RunSnapshot.load(dir.url)
        #expect(inferred.stageSlotsInferred && inferred.stageSlotCounts == [2, 2])
        candidate.archJSON = #"{"ks": [3], "e": [3], "d": [1]}"#
        _ = try store.ask(candidate)
        #expect(throws: HistoryError.invalidJSON(path: store.fileURL.path, column: "candidates.arch_json of candidate 2",
                                                 reason: "no key 'r'")) { try RunSnapshot.load(dir.url) }
    }

    @Test("the adaptation genes: method by name, a lite residual per active block")
    func adaptationGenes() throws {
        let arch = try JSONDecoder().decode(Architecture.self, from: Data(
            #"{"d": [1, 2], "e": [3, 4, 6, 3], "ks": [3, 5, 3, 5], "lr": [1, 0, 0, 1], "method": "lite-residual+bias", "r": [128]}"#.utf8))
        let genes = arch.genes(stageSlotCounts: [2, 2])
        let method = try #require(genes[Gene(kind: .method)])
        #expect(Gene.format(method, kind: .method) == "lite-residual+bias")
        #expect(genes[Gene(kind: .liteResidual, stage: 1, block: 1)] == 1)
        #expect(genes[Gene(kind: .liteResidual, stage: 1, block: 2)] == nil, "beyond the stage's depth")
        #expect(genes[Gene(kind: .liteResidual, stage: 2, block: 1)] == 0 && genes[Gene(kind: .liteResidual, stage: 2, block: 2)] == 1)
        #expect(Gene(kind: .liteResidual, stage: 2, block: 1).name == "stage 2 block 1 lite residual")
        #expect(Gene.format(0, kind: .liteResidual) == "off" && Gene.format(4.5, kind: .expand) == "4.5")
        let plain = try JSONDecoder().decode(Architecture.self, from: Data(#"{"d": [1, 2], "e": [3, 4, 6, 3], "ks": [3, 5, 3, 5], "r": [128]}"#.utf8))
        #expect(!plain.genes(stageSlotCounts: [2, 2]).keys.contains { $0.kind == .method || $0.kind == .liteResidual })
    }
}
