import Foundation

/// Everything that can go wrong storing or reading a search history, with the file or run directory involved.
///
/// Each case renders as one user-facing line (``description``): what is wrong, where, and (after " — ")
/// what to do. SQLite failures carry the file name and `sqlite3_errmsg`.
public enum HistoryError: Error, Equatable, Sendable {
    /// The directory holds no `history.sqlite` (or does not exist).
    case notARun(directory: String)
    /// ``SQLiteSearchStore/init(creatingAt:toolVersion:)`` found an existing history file.
    case fileExists(path: String)
    /// The file is not an SQLite database, or one without our `meta` format marker; `reason` says which.
    case notAHistory(path: String, reason: String)
    /// The history was written by a newer ofa-search (schema `found` > `supported`).
    case newerSchema(path: String, found: Int, supported: Int)
    /// ``SearchStorage/begin(_:)`` on a history whose run row is already written.
    case runExists(path: String)
    /// ``SearchStorage/finish(status:resultJSON:)`` before ``SearchStorage/begin(_:)``.
    case noRun(path: String)
    /// ``SearchStorage/tell(_:status:valTop1:valLoss:evalSeconds:)`` for an id that `ask` never returned.
    case unknownCandidate(path: String, id: Int)
    /// ``SearchStorage/endPhase(_:)`` for a phase with no open row.
    case noOpenPhase(path: String, name: String)
    /// A write through a store opened read-only.
    case readOnly(path: String)
    /// A stored value this version cannot interpret (an unknown status or origin, a missing column value).
    case invalidValue(path: String, table: String, row: Int, detail: String)
    /// The run has no candidates, so there is nothing to analyse; `status` is the run row's (nil before the
    /// search began the run).
    case emptyRun(directory: String, status: String?)
    /// A JSON column did not decode; `column` names it, `reason` is the decoder's message.
    case invalidJSON(path: String, column: String, reason: String)
    /// Writing a report or export file failed.
    case cannotWrite(path: String, reason: String)
    /// Any other SQLite failure: `operation` is what we asked, `message` is `sqlite3_errmsg`.
    case sqlite(path: String, operation: String, code: Int32, message: String)
}

extension HistoryError: CustomStringConvertible, LocalizedError {
    /// One line: what is wrong, where, and (after " — ") what to do.
    public var description: String {
        switch self {
        case .notARun(let directory):
            return "\(directory) is not a search run (no \(SQLiteSearchStore.fileName)) — pass the directory a search wrote"
        case .fileExists(let path):
            return "\(path) already exists — choose a new run directory, or resume the search that wrote it"
        case .notAHistory(let path, let reason):
            return "\(path) is not an ofa-search history (\(reason)) — pass the directory a search wrote"
        case .newerSchema(let path, let found, let supported):
            return "\(path) has schema version \(found), newer than this ofa-search reads (\(supported)) — update ofa-search"
        case .runExists(let path):
            return "\(path) already holds a run — a history stores one search; use a new run directory"
        case .noRun(let path):
            return "\(path) holds no run yet — the search must begin the run before finishing it"
        case .unknownCandidate(let path, let id):
            return "\(path) has no candidate \(id) — candidate ids run from 1 to the number of candidates"
        case .noOpenPhase(let path, let name):
            return "\(path) has no open phase '\(name)' — a phase must be started before it is ended"
        case .readOnly(let path):
            return "\(path) is opened read-only — open it with readOnly: false to write"
        case .invalidValue(let path, let table, let row, let detail):
            return "\(path): \(table) row \(row) \(detail) — the file was written by another tool or is damaged"
        case .emptyRun(let directory, let status):
            if status == "failed" {
                return "\(directory) holds a search that failed before evaluating any candidate — see the search.log in it"
            }
            return "\(directory) holds a search run with no candidates yet — wait for the search to evaluate some, "
                + "or continue a stopped one with `ofa-search search --resume \(directory)`"
        case .invalidJSON(let path, let column, let reason):
            return "\(path): \(column) is not the JSON expected (\(reason)) — the file was written by another tool or is damaged"
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason) — check the folder exists and is writable"
        case .sqlite(let path, let operation, let code, let message):
            return "\(path): \(operation) failed: \(message) (SQLite code \(code))\(Self.hint(code))"
        }
    }

    public var errorDescription: String? { description }

    /// A hint for the SQLite primary result codes a user can act on.
    private static func hint(_ code: Int32) -> String {
        switch code & 0xFF {
        case 5, 6: return " — another process holds the file locked; wait for it or stop it"  // SQLITE_BUSY, SQLITE_LOCKED
        case 8: return " — the file or its folder is not writable"  // SQLITE_READONLY
        case 11, 26: return " — the file is damaged or not an SQLite database"  // SQLITE_CORRUPT, SQLITE_NOTADB
        case 13: return " — the disk is full"  // SQLITE_FULL
        case 14: return " — check the path and the folder's permissions"  // SQLITE_CANTOPEN
        default: return ""
        }
    }
}
