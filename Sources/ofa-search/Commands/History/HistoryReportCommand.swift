import ArgumentParser
import Foundation
import History

/// `ofa-search history report <run>`: (re)write the run's report.html and plots.
struct HistoryReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write report.html (charts inlined as SVG, no scripts) and plots/*.svg into the run directory.",
        discussion: "The search writes the report when it ends; this regenerates it, also for a running or failed search.")

    @Argument(help: ArgumentHelp("The run directory a search wrote (holding history.sqlite).", valueName: "run-dir"), completion: .directory)
    var runDirectory: String

    func run() throws {
        try reportingErrors {
            let url = try HistoryReport.write(runDirectory: URL(fileURLWithPath: runDirectory))
            print("wrote \(url.path)")
        }
    }
}
