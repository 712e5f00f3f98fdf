import Foundation
@testable import History
import Testing

@Suite("SQLite search store")
struct SQLiteSearchStoreTests {
    static let run = RunRecord(
        createdAt: "2025-11-26T04:50:00Z", dataset: "flowers", budgetBytes: 32_000_000, memScope: "activations",
        method: "lite-residual+bias", seed: .max, supernetPath: "Supernets/effnet-lite0-elastic.h5",
        supernetSHA256: String(repeating: "ab", count: 32), family: "effnet-lite0-elastic",
        settingsJSON: #"{"population":8,"stage_slot_counts":[1,2,2,3,3,4,1]}"#, toolVersion: "0.1.0 (test)")

    static func candidate(_ generation: Int, parents: [Int] = [], origin: CandidateOrigin = .random) -> CandidateRecord {
        CandidateRecord(
            archJSON: #"{"d":[2,2,3],"e":[6,4,3],"ks":[3,5,3],"r":[160]}"#, archHash: "h\(generation)-\(parents)",
            generation: generation, origin: origin, parents: parents, resolution: 160, plannedBytes: 30_123_456,
            plannedActivationBytes: 12_345_678, ledgerJSON: #"{"frozen weights": 123, "activations": 456}"#,
            formulaBytes: 29_000_001, mflops: 301.25, parameters: 3_456_789, status: .evaluating, startedAt: 1_764_132_600.5)
    }

    @Test("every field of the run and of a candidate round-trips")
    func roundTrip() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteSearchStore(creatingAt: dir.url, toolVersion: "0.1.0 (test)")
        #expect(store.fileURL == dir.appending("history.sqlite"))
        #expect(try store.run() == nil)
        try store.begin(Self.run)
        #expect(try store.run() == Self.run)
        var full = Self.candidate(2, parents: [1, 2], origin: .crossover)
        full.status = .evaluated
        full.valTop1 = 0.875
        full.valLoss = 0.4321
        full.evalSeconds = 12.5
        full.finishedAt = 1_764_132_700.25
        #expect(try store.ask(Self.candidate(0, origin: .anchor)) == 1)
        #expect(try store.ask(Self.candidate(0)) == 2)
        #expect(try store.ask(full) == 3)
        full.id = 3
        var mutation = Self.candidate(1, parents: [1], origin: .mutation)
        mutation.id = try store.ask(mutation)
        let stored = try store.candidates()
        #expect(stored.map(\.id) == [1, 2, 3, 4])
        #expect(stored[2] == full)
        #expect(stored[3] == mutation)
        #expect(stored[0].parents.isEmpty && stored[0].origin == .anchor && stored[0].valTop1 == nil && stored[0].finishedAt == nil)
        try store.finish(status: "finished", resultJSON: #"{"winner": 3}"#)
        var finished = Self.run
        finished.status = "finished"
        finished.resultJSON = #"{"winner": 3}"#
        #expect(try store.run() == finished)
    }

    @Test("ask and tell persist across closing and reopening")
    func persistence() throws {
        let dir = try TemporaryDirectory()
        let before = Date().timeIntervalSince1970
        do {
            let store = try SQLiteSearchStore(creatingAt: dir.url, toolVersion: "test")
            try store.begin(Self.run)
            for _ in 0..<3 { _ = try store.ask(Self.candidate(0)) }
            try store.tell(1, status: .evaluated, valTop1: 0.5, valLoss: 1.25, evalSeconds: 3)
            try store.tell(2, status: .rejected, valTop1: nil, valLoss: nil, evalSeconds: nil)
            try store.startPhase("adapt")
            try store.endPhase("adapt")
            try store.startPhase("search")
        }
        let after = Date().timeIntervalSince1970
        #expect(try SQLiteSearchStore(openingAt: dir.url, readOnly: true).candidates().count == 3)
        let reopened = try SQLiteSearchStore(openingAt: dir.url, readOnly: false)
        let candidates = try reopened.candidates()
        #expect(candidates.map(\.status) == [.evaluated, .rejected, .evaluating])
        #expect(candidates[0].valTop1 == 0.5 && candidates[0].valLoss == 1.25 && candidates[0].evalSeconds == 3)
        #expect(candidates[1].valTop1 == nil)
        #expect(candidates.prefix(2).allSatisfy { ($0.finishedAt ?? 0) >= before && ($0.finishedAt ?? .infinity) <= after })
        #expect(candidates[2].finishedAt == nil)
        // A resumed search starts the open phase again: a second row, and ending closes the latest one.
        try reopened.startPhase("search")
        try reopened.endPhase("search")
        let phases = try reopened.phases()
        #expect(phases.map(\.name) == ["adapt", "search", "search"])
        #expect(phases[0].endedAt != nil && phases[1].endedAt == nil && phases[2].endedAt != nil)
        #expect(phases.allSatisfy { $0.startedAt >= before })
        #expect(try reopened.ask(Self.candidate(1, parents: [1], origin: .mutation)) == 4)
    }

    @Test("a read-only store reads what a writer commits while the writer keeps it open")
    func readerBesideWriter() throws {
        let dir = try TemporaryDirectory()
        let writer = try SQLiteSearchStore(creatingAt: dir.url, toolVersion: "test")
        try writer.begin(Self.run)
        _ = try writer.ask(Self.candidate(0))
        let reader = try SQLiteSearchStore(openingAt: dir.url, readOnly: true)
        #expect(try reader.candidates().count == 1)
        for i in 0..<5 {
            _ = try writer.ask(Self.candidate(0))
            try writer.tell(i + 1, status: .evaluated, valTop1: 0.5, valLoss: 1, evalSeconds: 1)
            #expect(try reader.candidates().count == i + 2)
        }
        #expect(try reader.candidates().filter { $0.status == .evaluated }.count == 5)
        #expect(try reader.run() == Self.run)
        #expect(throws: HistoryError.readOnly(path: writer.fileURL.path)) { try reader.startPhase("search") }
    }

    @Test("misuse of the ask-and-tell calls throws with one line")
    func misuse() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteSearchStore(creatingAt: dir.url, toolVersion: "test")
        let path = store.fileURL.path
        #expect(throws: HistoryError.noRun(path: path)) { try store.finish(status: "failed", resultJSON: nil) }
        try store.begin(Self.run)
        #expect(throws: HistoryError.runExists(path: path)) { try store.begin(Self.run) }
        #expect(throws: HistoryError.unknownCandidate(path: path, id: 7)) {
            try store.tell(7, status: .failed, valTop1: nil, valLoss: nil, evalSeconds: nil)
        }
        #expect(throws: HistoryError.noOpenPhase(path: path, name: "retrain")) { try store.endPhase("retrain") }
        #expect(throws: HistoryError.fileExists(path: path)) { try SQLiteSearchStore(creatingAt: dir.url, toolVersion: "test") }
    }

    @Test("a missing, foreign or newer history is refused with one clear line")
    func refusals() throws {
        let dir = try TemporaryDirectory()
        func message(_ url: URL) -> String {
            do {
                _ = try SQLiteSearchStore(openingAt: url, readOnly: true)
                return "opened"
            } catch {
                return "\(error)"
            }
        }
        #expect(message(dir.url) == "\(dir.url.path) is not a search run (no history.sqlite) — pass the directory a search wrote")

        let foreign = dir.appending("foreign.sqlite")
        try SQLiteDatabase(path: foreign.path, readOnly: false, create: true).execute("CREATE TABLE trials (id INTEGER)")
        #expect(message(foreign) == "\(foreign.path) is not an ofa-search history (an SQLite database without "
            + "ofa-search's meta table) — pass the directory a search wrote")

        let text = dir.appending("notes")
        try FileManager.default.createDirectory(at: text, withIntermediateDirectories: true)
        try Data("not a database, just some text that is long enough to hold a header".utf8)
            .write(to: text.appendingPathComponent("history.sqlite"))
        #expect(message(text) == "\(text.path)/history.sqlite is not an ofa-search history (not an SQLite database) "
            + "— pass the directory a search wrote")

        let newer = dir.appending("newer")
        _ = try SQLiteSearchStore(creatingAt: newer, toolVersion: "test")
        try SQLiteDatabase(path: newer.appendingPathComponent("history.sqlite").path, readOnly: false)
            .execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
        #expect(message(newer) == "\(newer.path)/history.sqlite has schema version 3, newer than this ofa-search reads (1) "
            + "— update ofa-search")

        let optuna = dir.appending("optuna.sqlite")
        let database = try SQLiteDatabase(path: optuna.path, readOnly: false, create: true)
        try database.execute("CREATE TABLE meta (key TEXT, value TEXT); INSERT INTO meta VALUES ('format', 'optuna')")
        #expect(message(optuna) == "\(optuna.path) is not an ofa-search history (format is 'optuna', expected "
            + "'ofa-search/history') — pass the directory a search wrote")
    }

    @Test("a stored value outside the schema's choices names its table, row and column")
    func invalidValue() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteSearchStore(creatingAt: dir.url, toolVersion: "test")
        _ = try store.ask(Self.candidate(0))
        try store.database.execute("PRAGMA ignore_check_constraints = ON; UPDATE candidates SET status = 'paused'")
        #expect(throws: HistoryError.invalidValue(
            path: store.fileURL.path, table: "candidates", row: 1,
            detail: "column status is 'paused', not one of evaluating, evaluated, rejected, failed")) { try store.candidates() }
    }
}
