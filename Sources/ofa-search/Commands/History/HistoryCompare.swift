import ArgumentParser
import Foundation
import History

/// `ofa-search history compare <run>...`: several runs, e.g. a budget sweep, as a table and an
/// accuracy-vs-budget chart.
struct HistoryCompare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare runs (e.g. a budget sweep 16/32/64 MB): a table in budget order and an accuracy-vs-budget chart.")

    @Argument(help: ArgumentHelp("Run directories.", valueName: "run-dir"), completion: .directory)
    var runs: [String]

    @Option(help: "Write the accuracy-vs-budget chart as SVG to this file.", completion: .file(extensions: ["svg"]))
    var plot: String?

    @Flag(help: "Print JSON on stdout.")
    var json = false

    func validate() throws {
        guard !runs.isEmpty else { throw ValidationError("give at least one run directory") }
    }

    func run() throws {
        try reportingErrors {
            let comparison = RunComparison(try runs.map { try RunSnapshot.load(URL(fileURLWithPath: $0)) })
            if let plot {
                do {
                    try Data(HistoryPlots.comparison(comparison).utf8).write(to: URL(fileURLWithPath: plot), options: .atomic)
                } catch {
                    throw HistoryError.cannotWrite(path: plot, reason: error.localizedDescription)
                }
            }
            if json { try FileHandleOutput.json(comparison); return }
            var table = TextTable(
                ["budget", "run", "dataset", "status", "candidates", "evaluated", "best val", "test top-1", "planned", "measured"],
                rightAligned: [0, 4, 5, 6, 7, 8, 9])
            for r in comparison.rows {
                table.add([HistoryFormat.megabytes(r.budgetBytes), r.directory, r.dataset, r.status, "\(r.candidates)", "\(r.evaluated)",
                           HistoryFormat.percent(r.bestValTop1), HistoryFormat.percent(r.testTop1),
                           r.plannedBytes.map(HistoryFormat.megabytes) ?? "–", r.measuredBytes.map(HistoryFormat.megabytes) ?? "–"])
            }
            table.print()
            if !comparison.differences.isEmpty {
                print("note: these runs differ in more than the budget (\(comparison.differences.joined(separator: ", "))): "
                      + "their accuracies do not compare like with like")
            }
            if let plot { printError("wrote \(plot)") }
        }
    }
}
