import ArgumentParser
import Foundation
import History

/// `ofa-search history export <run> --format csv|json`: the candidates for pandas, R or a spreadsheet.
struct HistoryExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export every candidate as CSV (one row each) or the whole history as JSON.",
        discussion: "Column names are the database's (Sources/History/SCHEMA.md); CSV adds within_budget (0/1).")

    @Argument(help: ArgumentHelp("The run directory a search wrote (holding history.sqlite), or the history.sqlite file.", valueName: "run-dir"), completion: .directory)
    var runDirectory: String

    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json }

    @Option(help: "csv or json.")
    var format: Format

    @Option(name: .shortAndLong, help: "Write to this file (atomically) instead of stdout.", completion: .file())
    var output: String?

    func run() throws {
        try reportingErrors {
            let snapshot = try RunSnapshot.load(URL(fileURLWithPath: runDirectory))
            let text = format == .csv ? HistoryExport.csv(snapshot) : try HistoryExport.json(snapshot)
            guard let output else {
                FileHandle.standardOutput.write(Data(text.utf8))
                return
            }
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw HistoryError.cannotWrite(path: output, reason: error.localizedDescription)
            }
            printError("wrote \(output): \(snapshot.candidates.count) candidates")
        }
    }
}
