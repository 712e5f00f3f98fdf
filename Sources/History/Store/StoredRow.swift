/// One row read back from the history, with typed getters that name the table and row when a value is
/// not what the schema says.
struct StoredRow {
    let values: [SQLiteValue]
    let path: String, table: String
    /// The row's id or rowid: column 0 of every query that builds a `StoredRow`.
    let row: Int

    init(_ values: [SQLiteValue], path: String, table: String) {
        self.values = values
        self.path = path
        self.table = table
        if case .integer(let id) = values[0] { row = Int(id) } else { row = 0 }
    }

    func int(_ column: Int, _ name: String) throws -> Int {
        guard case .integer(let v) = values[column] else { throw invalid(name, "is not an integer") }
        return Int(v)
    }

    func intOrNil(_ column: Int, _ name: String) throws -> Int? {
        values[column] == .null ? nil : try int(column, name)
    }

    /// A REAL column (SQLite may hand back a whole-valued REAL as INTEGER after arithmetic; both are accepted).
    func double(_ column: Int, _ name: String) throws -> Double {
        switch values[column] {
        case .real(let v): return v
        case .integer(let v): return Double(v)
        default: throw invalid(name, "is not a number")
        }
    }

    func doubleOrNil(_ column: Int, _ name: String) throws -> Double? {
        values[column] == .null ? nil : try double(column, name)
    }

    func text(_ column: Int, _ name: String) throws -> String {
        guard case .text(let v) = values[column] else { throw invalid(name, "is not text") }
        return v
    }

    func textOrNil(_ column: Int, _ name: String) throws -> String? {
        values[column] == .null ? nil : try text(column, name)
    }

    /// A TEXT column holding one of `T`'s raw values.
    func choice<T: RawRepresentable & CaseIterable>(_ column: Int, _ name: String, as: T.Type) throws -> T where T.RawValue == String {
        let raw = try text(column, name)
        guard let value = T(rawValue: raw) else {
            throw invalid(name, "is '\(raw)', not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    private func invalid(_ name: String, _ detail: String) -> HistoryError {
        .invalidValue(path: path, table: table, row: row, detail: "column \(name) \(detail)")
    }
}
