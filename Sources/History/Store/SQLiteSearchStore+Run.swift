extension SQLiteSearchStore {
    private static let runColumns = """
        created_at, dataset, budget_bytes, mem_scope, method, seed, supernet_path, supernet_sha256, family,
        settings_json, tool_version, status, result_json
        """

    public func run() throws -> RunRecord? {
        guard let values = try database.query("SELECT id, \(Self.runColumns) FROM run WHERE id = 1").first else { return nil }
        let row = StoredRow(values, path: fileURL.path, table: "run")
        return RunRecord(
            createdAt: try row.text(1, "created_at"), dataset: try row.text(2, "dataset"),
            budgetBytes: try row.int(3, "budget_bytes"), memScope: try row.text(4, "mem_scope"),
            method: try row.text(5, "method"), seed: UInt64(bitPattern: Int64(try row.int(6, "seed"))),
            supernetPath: try row.text(7, "supernet_path"), supernetSHA256: try row.text(8, "supernet_sha256"),
            family: try row.text(9, "family"), settingsJSON: try row.text(10, "settings_json"),
            toolVersion: try row.text(11, "tool_version"), status: try row.text(12, "status"),
            resultJSON: try row.textOrNil(13, "result_json"))
    }

    public func begin(_ run: RunRecord) throws {
        try requireWritable()
        try database.transaction {
            guard try database.query("SELECT id FROM run").isEmpty else { throw HistoryError.runExists(path: fileURL.path) }
            try database.run(
                "INSERT INTO run (id, \(Self.runColumns)) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    .text(run.createdAt), .text(run.dataset), .integer(Int64(run.budgetBytes)), .text(run.memScope),
                    .text(run.method), .integer(Int64(bitPattern: run.seed)), .text(run.supernetPath),
                    .text(run.supernetSHA256), .text(run.family), .text(run.settingsJSON), .text(run.toolVersion),
                    .text(run.status), run.resultJSON.map { .text($0) } ?? .null,
                ])
        }
    }

    public func finish(status: String, resultJSON: String?) throws {
        precondition(RunRecord.statuses.contains(status), "run status must be one of \(RunRecord.statuses), got \(status)")
        try requireWritable()
        let changed = try database.run(
            "UPDATE run SET status = ?, result_json = ? WHERE id = 1", [.text(status), resultJSON.map { .text($0) } ?? .null])
        if changed == 0 { throw HistoryError.noRun(path: fileURL.path) }
    }

    public func reopen(settingsJSON: String) throws {
        try requireWritable()
        let changed = try database.run(
            "UPDATE run SET settings_json = ?, status = 'running', result_json = NULL WHERE id = 1", [.text(settingsJSON)])
        if changed == 0 { throw HistoryError.noRun(path: fileURL.path) }
    }
}
