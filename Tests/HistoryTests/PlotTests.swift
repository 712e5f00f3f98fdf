import Foundation
@testable import History
import Testing

@Suite("History plots")
struct PlotTests {
    @Test("accuracy vs memory: one point per evaluated candidate, rejected along the bottom, budget, front, winner")
    func accuracyVersusMemory() throws {
        let (_, run) = try AnalysisTests.load()
        let svg = try SVGInspection(HistoryPlots.accuracy(run, versus: .memory))
        #expect(svg.root == "svg")
        #expect(svg.count("point") == SyntheticRun.evaluatedIDs.count)
        #expect(svg.count("rejected") == (1...24).filter { SyntheticRun.status($0) == .rejected }.count)
        #expect(svg.count("front-point") == ParetoFront(run, cost: .memory).points.count)
        #expect(svg.count("front") == 1 && svg.count("budget") == 1 && svg.count("winner") == 1)
        #expect(svg.count("legend-item") == 3)  // generations 0, 1, 2
        #expect(svg.texts.contains("budget 21.00 MB") && svg.texts.contains("Accuracy vs memory"))
        #expect(svg.texts.contains("planned training memory (MB)") && svg.texts.contains("shared-weight validation top-1 (%)"))
        #expect(svg.count("tick") >= 6)
    }

    @Test("accuracy vs MFLOPs has no budget line; a running search has no winner")
    func accuracyVersusMFLOPs() throws {
        let (_, run) = try AnalysisTests.load(.init(finished: false, lastEvaluating: true))
        let svg = try SVGInspection(HistoryPlots.accuracy(run, versus: .mflops))
        #expect(svg.count("point") == SyntheticRun.evaluatedIDs.filter { $0 != 24 }.count)
        #expect(svg.count("budget") == 0 && svg.count("winner") == 0)
        #expect(svg.texts.contains("forward MFLOPs"))
    }

    @Test("optimisation history: points, the best-so-far line and generation boundaries")
    func optimisationHistory() throws {
        let (_, run) = try AnalysisTests.load()
        let svg = try SVGInspection(HistoryPlots.optimisationHistory(run))
        #expect(svg.count("point") == SyntheticRun.evaluatedIDs.count)
        #expect(svg.count("best-so-far") == 1 && svg.count("generation-boundary") == 2)
        #expect(svg.texts.contains("candidate (ask order)"))
    }

    @Test("ledger: one segment per category, the measured bar and the budget")
    func ledger() throws {
        let (_, run) = try AnalysisTests.load()
        let result = try #require(run.result)
        let svg = try SVGInspection(HistoryPlots.ledger(result))
        #expect(svg.count("segment") == 4 && svg.count("legend-item") == 4 && svg.count("measured") == 1 && svg.count("budget") == 1)
        let planned = HistoryFormat.megabytes(result.plannedBytes), measured = HistoryFormat.megabytes(result.measuredBytes!)
        #expect(svg.texts.contains(planned) && svg.texts.contains(measured))
        #expect(svg.texts.contains("frozen weights: \(HistoryFormat.megabytes(result.plannedBytes / 2))"))
        #expect(svg.texts.contains("planned") && svg.texts.contains("measured"))
    }

    @Test("importance: two bars and a label per gene shown")
    func importance() throws {
        let (_, run) = try AnalysisTests.load()
        let svg = try SVGInspection(HistoryPlots.importance(GeneImportance(run), limit: 10))
        #expect(svg.count("bar-accuracy") == 10 && svg.count("bar-memory") == 10 && svg.count("gene-label") == 10)
        #expect(svg.texts.contains("stage 4 depth"))
    }

    @Test("comparison: a test point per finished run, a validation point per run, ticks at the budgets")
    func comparison() throws {
        let dirs = try (0..<3).map { _ in try TemporaryDirectory() }
        var runs: [RunSnapshot] = []
        for (i, dir) in dirs.enumerated() {
            try SyntheticRun.write(to: dir.url, .init(finished: i != 2))
            runs.append(try RunSnapshot.load(dir.url))
        }
        let svg = try SVGInspection(HistoryPlots.comparison(RunComparison(runs)))
        #expect(svg.count("point") == 2 && svg.count("point-val") == 3)
        #expect(svg.texts.contains("21"))
    }

    @Test("text with markup characters is escaped")
    func escaping() throws {
        var doc = SVGDocument(width: 10, height: 10, title: "a < b & \"c\"")
        doc.text("x > y & 'z'", x: 1, y: 1)
        let svg = try SVGInspection(doc.rendered())
        #expect(svg.texts == ["x > y & 'z'"])
    }
}
