import CSQLite
import Foundation

/// A value bound to, or read from, an SQLite statement (SQLite's storage classes, without BLOB).
enum SQLiteValue: Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}

/// One SQLite connection: owns the `sqlite3*` handle (closed in `deinit`) and serialises every call
/// through one lock, so a store may be used from several threads.
///
/// Statements are prepared per call and finalised before the call returns; no statement outlives the lock.
final class SQLiteDatabase: @unchecked Sendable {
    /// The database file, for error messages.
    let path: String
    private let handle: OpaquePointer
    private let lock = NSRecursiveLock()

    /// Opens `path` read-only, or read-write (creating it when `create`), with a busy timeout.
    ///
    /// - Parameters:
    ///   - immutable: read-only, and the file cannot change while open: SQLite takes no locks and writes no
    ///     `-shm`/`-wal` files beside it (the `immutable=1` URI parameter).
    ///   - busyTimeoutMilliseconds: how long a call waits for another connection's lock before failing.
    init(path: String, readOnly: Bool, immutable: Bool = false, create: Bool = false,
         busyTimeoutMilliseconds: Int32 = 10_000) throws {
        self.path = path
        var flags = SQLITE_OPEN_NOMUTEX | (readOnly || immutable ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE)
        if create { flags |= SQLITE_OPEN_CREATE }
        var name = path
        if immutable {
            flags |= SQLITE_OPEN_URI
            name = URL(fileURLWithPath: path).absoluteString + "?immutable=1"   // percent-encoded file: URI
        }
        var opened: OpaquePointer?
        let code = sqlite3_open_v2(name, &opened, flags, nil)
        guard code == SQLITE_OK, let opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(opened)
            throw HistoryError.sqlite(path: path, operation: "open", code: code, message: message)
        }
        handle = opened
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that take no parameters and return no rows (schema, pragmas).
    func execute(_ sql: String) throws {
        try locked {
            let code = sqlite3_exec(handle, sql, nil, nil, nil)
            guard code == SQLITE_OK else { throw failure(code, Self.operation(sql)) }
        }
    }

    /// Runs one statement with `values` bound to its `?` parameters; returns the rows changed.
    @discardableResult
    func run(_ sql: String, _ values: [SQLiteValue] = []) throws -> Int {
        try locked {
            try withStatement(sql, values) { statement in
                let code = sqlite3_step(statement)
                guard code == SQLITE_DONE || code == SQLITE_ROW else { throw failure(code, Self.operation(sql)) }
            }
            return Int(sqlite3_changes(handle))
        }
    }

    /// Runs an `INSERT` and returns the new row's rowid.
    func insert(_ sql: String, _ values: [SQLiteValue]) throws -> Int64 {
        try locked {
            try run(sql, values)
            return sqlite3_last_insert_rowid(handle)
        }
    }

    /// Runs a query and returns every row, columns in the statement's order (one implicit read transaction).
    func query(_ sql: String, _ values: [SQLiteValue] = []) throws -> [[SQLiteValue]] {
        try locked {
            try withStatement(sql, values) { statement in
                var rows: [[SQLiteValue]] = []
                while true {
                    let code = sqlite3_step(statement)
                    if code == SQLITE_DONE { break }
                    guard code == SQLITE_ROW else { throw failure(code, Self.operation(sql)) }
                    rows.append((0..<sqlite3_column_count(statement)).map { column(statement, $0) })
                }
                return rows
            }
        }
    }

    /// Runs `body` in one write transaction (`BEGIN IMMEDIATE`), committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try locked {
            try execute("BEGIN IMMEDIATE")
            do {
                let result = try body()
                try execute("COMMIT")
                return result
            } catch {
                try? execute("ROLLBACK")  // the body's error is the one to report
                throw error
            }
        }
    }

    /// Runs `body` in one read transaction (`BEGIN DEFERRED`): every query inside sees the same committed state.
    func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try locked {
            try execute("BEGIN DEFERRED")
            defer { try? execute("COMMIT") }  // ending a read transaction releases only a read mark; nothing to report
            return try body()
        }
    }

    // MARK: - Statements

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    private func withStatement<T>(_ sql: String, _ values: [SQLiteValue], _ body: (OpaquePointer) throws -> T) throws -> T {
        var prepared: OpaquePointer?
        let code = sqlite3_prepare_v2(handle, sql, -1, &prepared, nil)
        guard code == SQLITE_OK, let statement = prepared else { throw failure(code, Self.operation(sql)) }
        defer { sqlite3_finalize(statement) }
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            let bound: Int32
            switch value {
            case .null: bound = sqlite3_bind_null(statement, index)
            case .integer(let v): bound = sqlite3_bind_int64(statement, index, v)
            case .real(let v): bound = sqlite3_bind_double(statement, index, v)
            case .text(let v): bound = sqlite3_bind_text(statement, index, v, -1, csqlite_transient())
            }
            guard bound == SQLITE_OK else { throw failure(bound, "bind parameter \(index)") }
        }
        return try body(statement)
    }

    private func column(_ statement: OpaquePointer, _ index: Int32) -> SQLiteValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, index))
        case SQLITE_NULL: return .null
        default:  // text (a blob is read as its text); borrowed pointer, copied at once
            return .text(sqlite3_column_text(statement, index).map { String(cString: $0) } ?? "")
        }
    }

    /// A short name of what `sql` does, for error messages: "read candidates", "INSERT INTO phases", "UPDATE run".
    private static func operation(_ sql: String) -> String {
        let words = sql.split(whereSeparator: { $0.isWhitespace || $0 == "(" || $0 == "," })
        if words.first?.uppercased() == "SELECT", let from = words.firstIndex(where: { $0.uppercased() == "FROM" }),
           from + 1 < words.count {
            return "read \(words[from + 1])"
        }
        return words.prefix(words.first?.uppercased() == "INSERT" ? 3 : 2).joined(separator: " ")
    }

    /// The error for result `code` of `operation`, with `sqlite3_errmsg`.
    private func failure(_ code: Int32, _ operation: String) -> HistoryError {
        .sqlite(path: path, operation: operation, code: code, message: String(cString: sqlite3_errmsg(handle)))
    }
}
