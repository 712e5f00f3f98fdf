import ArgumentParser
import Foundation
import History

/// `ofa-search history`: look at a search run — the study, not just its best trial.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Analyse a search run's history: summary, Pareto fronts, trace, lineage, gene importance, export, report.",
        discussion: """
            A run directory is the folder a search wrote (it holds history.sqlite). Every command opens it \
            read-only and reads one snapshot, so it works on a search that is still running. Sizes are MB \
            (10^6 bytes), accuracies are validation top-1 unless marked test.
            """,
        subcommands: [
            HistorySummary.self, HistoryPareto.self, HistoryTrace.self, HistoryLineage.self, HistoryImportance.self,
            HistoryExportCommand.self, HistoryReportCommand.self, HistoryCompare.self,
        ],
        defaultSubcommand: HistorySummary.self)
}

/// The run directory a `history` subcommand reads, and `--json`.
struct RunDirectoryArguments: ParsableArguments {
    @Argument(help: ArgumentHelp("The run directory a search wrote (holding history.sqlite), or the history.sqlite file.",
                                 valueName: "run-dir"),
              completion: .directory)
    var run: String

    @Flag(help: "Print JSON on stdout.")
    var json = false

    /// Reads the run (read-only, one snapshot).
    func load() throws -> RunSnapshot {
        try RunSnapshot.load(URL(fileURLWithPath: run))
    }
}
