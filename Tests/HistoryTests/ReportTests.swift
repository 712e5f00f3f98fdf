import Foundation
@testable import History
import Testing

@Suite("HTML report")
struct ReportTests {
    @Test("a finished run: report.html inlines five charts, no script, and the plots folder holds them")
    func finished() throws {
        let dir = try TemporaryDirectory()
        try SyntheticRun.write(to: dir.url)
        let url = try HistoryReport.write(runDirectory: dir.url)
        #expect(url == dir.appending("report.html"))
        let html = try String(contentsOf: url, encoding: .utf8)
        #expect(html.components(separatedBy: "<svg ").count - 1 == 5)
        #expect(!html.lowercased().contains("<script") && !html.contains("http://") == false)  // only the SVG namespace
        #expect(html.components(separatedBy: "http").count - 1 == 5)  // xmlns of each SVG, nothing fetched
        #expect(html.contains("test top-1 / top-5") && html.contains("max subnet"))
        for name in HistoryReport.plotFiles {
            let svg = try String(contentsOf: dir.appending("plots/\(name)"), encoding: .utf8)
            _ = try SVGInspection(svg)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).filter { $0.contains("tmp") }.isEmpty)
    }

    @Test("a running search, read while its writer holds the file: no outcome, no ledger")
    func running() throws {
        let dir = try TemporaryDirectory()
        let writer = try SyntheticRun.write(to: dir.url, .init(finished: false, lastEvaluating: true))
        let html = try String(contentsOf: try HistoryReport.write(runDirectory: dir.url), encoding: .utf8)
        #expect(html.components(separatedBy: "<svg ").count - 1 == 4)
        #expect(html.contains("has not finished"))
        try writer.tell(24, status: .evaluated, valTop1: 0.5, valLoss: 1, evalSeconds: 1)  // the writer is not blocked
        #expect(!FileManager.default.fileExists(atPath: dir.appending("plots/ledger.svg").path))
    }

    @Test("bad input: not a run, a newer schema, an empty run")
    func badInput() throws {
        let dir = try TemporaryDirectory()
        #expect(throws: HistoryError.notARun(directory: dir.url.path)) { try HistoryReport.write(runDirectory: dir.url) }
        _ = try SQLiteSearchStore(creatingAt: dir.url, toolVersion: "t")
        #expect(throws: HistoryError.emptyRun(directory: dir.url.path, status: nil)) { try HistoryReport.write(runDirectory: dir.url) }
        try SQLiteDatabase(path: dir.appending("history.sqlite").path, readOnly: false)
            .execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
        #expect(throws: HistoryError.newerSchema(path: dir.appending("history.sqlite").path, found: 2, supported: 1)) {
            try HistoryReport.write(runDirectory: dir.url)
        }
    }
}
