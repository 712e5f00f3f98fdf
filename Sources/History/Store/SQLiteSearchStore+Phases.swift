extension SQLiteSearchStore {
    public func startPhase(_ name: String) throws {
        try requireWritable()
        try database.run("INSERT INTO phases (name, started_at) VALUES (?, ?)", [.text(name), .real(Self.now())])
    }

    public func endPhase(_ name: String) throws {
        try requireWritable()
        let changed = try database.run(
            """
            UPDATE phases SET ended_at = ?
            WHERE rowid = (SELECT max(rowid) FROM phases WHERE name = ? AND ended_at IS NULL)
            """, [.real(Self.now()), .text(name)])
        if changed == 0 { throw HistoryError.noOpenPhase(path: fileURL.path, name: name) }
    }

    public func phases() throws -> [PhaseRecord] {
        try database.query("SELECT rowid, name, started_at, ended_at FROM phases ORDER BY rowid").map { values in
            let row = StoredRow(values, path: fileURL.path, table: "phases")
            return PhaseRecord(
                name: try row.text(1, "name"), startedAt: try row.double(2, "started_at"),
                endedAt: try row.doubleOrNil(3, "ended_at"))
        }
    }
}
