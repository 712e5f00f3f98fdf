import Foundation

/// The search history in one SQLite file, `history.sqlite` in the run directory (schema: SCHEMA.md).
///
/// Opened in WAL mode with a busy timeout, so `ofa-search history` can read a running search: readers see
/// the last committed state and never block the writer. Each write is its own transaction with
/// `synchronous=FULL`, so a candidate survives `kill -9` (and power loss) once `ask`/`tell` returned.
/// All calls are serialised by one lock: a store may be shared between threads.
public final class SQLiteSearchStore: SearchStorage, @unchecked Sendable {
    public static let fileName = "history.sqlite"
    public static let schemaVersion = 1
    /// The `meta` row `format` that marks an ofa-search history.
    public static let format = "ofa-search/history"

    /// The history file.
    public let fileURL: URL
    public let isReadOnly: Bool
    let database: SQLiteDatabase

    /// Creates a new history holding only the `meta` rows (creating missing folders).
    ///
    /// - Parameters:
    ///   - url: the run directory (`history.sqlite` is created inside), or a file path ending in `.sqlite`.
    ///   - toolVersion: stored as `meta.created_by`.
    /// - Throws: ``HistoryError/fileExists(path:)`` if the file exists (checked atomically), or an SQLite error.
    public init(creatingAt url: URL, toolVersion: String) throws {
        fileURL = Self.resolve(url)
        isReadOnly = false
        let path = fileURL.path
        do {
            try FileManager.default.createDirectory(at: fileURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw HistoryError.cannotWrite(path: path, reason: error.localizedDescription)
        }
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0o644)
        guard fd >= 0 else {
            if errno == EEXIST { throw HistoryError.fileExists(path: path) }
            throw HistoryError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        close(fd)
        do {
            database = try SQLiteDatabase(path: path, readOnly: false)
            try Self.configureWriter(database)
            try database.transaction {
                try database.execute(Self.schema)
                for (key, value) in [("format", Self.format), ("schema_version", "\(Self.schemaVersion)"), ("created_by", toolVersion)] {
                    try database.run("INSERT INTO meta (key, value) VALUES (?, ?)", [.text(key), .text(value)])
                }
            }
        } catch {
            try? FileManager.default.removeItem(at: fileURL)  // a half-made file would block the retry; report the cause
            throw error
        }
    }

    /// Opens an existing history after checking its `meta` format and schema version.
    ///
    /// - Parameters:
    ///   - url: the run directory, or the history file itself.
    ///   - readOnly: true for analysis (safe on a running search); false to resume writing. A read-only open of a
    ///     history with no write-ahead log beside it (no search has it open, none crashed mid-write) is immutable
    ///     and leaves nothing on disk; with one, it reads through the log as SQLite must (creating `-shm`).
    /// - Throws: ``HistoryError/notARun(directory:)`` when there is no file, ``HistoryError/notAHistory(path:reason:)``
    ///   for another file, ``HistoryError/newerSchema(path:found:supported:)`` for a newer schema.
    public init(openingAt url: URL, readOnly: Bool) throws {
        fileURL = Self.resolve(url)
        isReadOnly = readOnly
        guard FileManager.default.fileExists(atPath: fileURL.path) else {
            throw HistoryError.notARun(directory: fileURL.deletingLastPathComponent().path)
        }
        let log = FileManager.default.fileExists(atPath: fileURL.path + "-wal")
        database = try SQLiteDatabase(path: fileURL.path, readOnly: readOnly, immutable: readOnly && !log)
        try validate()
        if !readOnly { try Self.configureWriter(database) }
    }

    /// The history file for `url`: `url` itself when it is an existing file or ends in `.sqlite`, else `url/history.sqlite`.
    static func resolve(_ url: URL) -> URL {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        if exists ? !isDirectory.boolValue : url.pathExtension == "sqlite" { return url }
        return url.appendingPathComponent(fileName)
    }

    private static func configureWriter(_ database: SQLiteDatabase) throws {
        _ = try database.query("PRAGMA journal_mode = WAL")  // returns the new mode as a row
        try database.execute("PRAGMA synchronous = FULL")
    }

    /// Checks the `meta` table's format and schema version.
    private func validate() throws {
        let path = fileURL.path
        let tables: [[SQLiteValue]]
        do {
            tables = try database.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'")
        } catch HistoryError.sqlite(_, _, let code, _) where code & 0xFF == 26 {  // SQLITE_NOTADB
            throw HistoryError.notAHistory(path: path, reason: "not an SQLite database")
        }
        guard !tables.isEmpty else {
            throw HistoryError.notAHistory(path: path, reason: "an SQLite database without ofa-search's meta table")
        }
        func meta(_ key: String) throws -> String? {
            guard case .text(let value)? = try database.query("SELECT value FROM meta WHERE key = ?", [.text(key)]).first?.first
            else { return nil }
            return value
        }
        let format = try meta("format")
        guard format == Self.format else {
            throw HistoryError.notAHistory(path: path, reason: "format is \(format.map { "'\($0)'" } ?? "missing"), expected '\(Self.format)'")
        }
        let text = try meta("schema_version")
        guard let version = text.flatMap({ Int($0) }), version >= 1 else {
            throw HistoryError.notAHistory(path: path, reason: "schema_version is \(text.map { "'\($0)'" } ?? "missing")")
        }
        guard version <= Self.schemaVersion else {
            throw HistoryError.newerSchema(path: path, found: version, supported: Self.schemaVersion)
        }
    }

    /// Throws ``HistoryError/readOnly(path:)`` on a read-only store.
    func requireWritable() throws {
        if isReadOnly { throw HistoryError.readOnly(path: fileURL.path) }
    }

    /// Unix time now, seconds.
    static func now() -> Double { Date().timeIntervalSince1970 }
}

extension SQLiteSearchStore {
    /// Runs `body`'s reads in one read transaction, so they see one committed state of a running search.
    public func readSnapshot<T>(_ body: () throws -> T) throws -> T {
        try database.readTransaction(body)
    }
}
