import Foundation

/// The HTML report of a search run: `report.html` in the run directory, with every chart inlined as SVG
/// (no scripts, no network), plus each chart as its own file under `plots/`.
///
/// The search writes it at its end; `ofa-search history report` regenerates it, also for a run that is still
/// going or that failed (then without the outcome and the ledger).
public enum HistoryReport {
    /// The charts written to `plots/`, by file name.
    public static let plotFiles = [
        "accuracy-vs-memory.svg", "accuracy-vs-mflops.svg", "optimisation-history.svg", "importance.svg", "ledger.svg",
    ]

    /// Reads the run in `runDirectory` and writes `report.html` and `plots/*.svg` there, each to a temporary
    /// file renamed into place.
    ///
    /// - Returns: the URL of `report.html`.
    /// - Throws: ``HistoryError`` when the directory is not a readable run, has no candidates, or cannot be written.
    @discardableResult
    public static func write(runDirectory: URL) throws -> URL {
        let run = try RunSnapshot.load(runDirectory)
        let plots = charts(run)
        let plotsDirectory = run.directory.appendingPathComponent("plots")
        do {
            try FileManager.default.createDirectory(at: plotsDirectory, withIntermediateDirectories: true)
        } catch {
            throw HistoryError.cannotWrite(path: plotsDirectory.path, reason: error.localizedDescription)
        }
        for (name, svg) in plots {
            try writeAtomically(svg, to: plotsDirectory.appendingPathComponent(name))
        }
        let url = run.directory.appendingPathComponent("report.html")
        try writeAtomically(html(run), to: url)
        return url
    }

    /// The standalone SVG of each chart the run has data for, by file name.
    static func charts(_ run: RunSnapshot) -> [(String, String)] {
        var charts = [
            ("accuracy-vs-memory.svg", HistoryPlots.accuracy(run, versus: .memory)),
            ("accuracy-vs-mflops.svg", HistoryPlots.accuracy(run, versus: .mflops)),
            ("optimisation-history.svg", HistoryPlots.optimisationHistory(run)),
            ("importance.svg", HistoryPlots.importance(GeneImportance(run))),
        ]
        if let result = run.result { charts.append(("ledger.svg", HistoryPlots.ledger(result))) }
        return charts
    }

    /// Writes `text` to a temporary file beside `url`, then renames it over `url`.
    static func writeAtomically(_ text: String, to url: URL) throws {
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw HistoryError.cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }
}
