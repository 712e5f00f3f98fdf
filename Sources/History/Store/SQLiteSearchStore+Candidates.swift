extension SQLiteSearchStore {
    private static let candidateColumns = """
        arch_json, arch_hash, generation, origin, parent1, parent2, resolution, planned_bytes,
        planned_activation_bytes, ledger_json, formula_bytes, mflops, parameters, status, val_top1, val_loss,
        eval_seconds, started_at, finished_at
        """

    public func ask(_ candidate: CandidateRecord) throws -> Int {
        try requireWritable()
        let c = candidate
        func optional(_ v: Double?) -> SQLiteValue { v.map { .real($0) } ?? .null }
        func parent(_ i: Int) -> SQLiteValue { i < c.parents.count ? .integer(Int64(c.parents[i])) : .null }
        let id = try database.insert(
            "INSERT INTO candidates (\(Self.candidateColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                .text(c.archJSON), .text(c.archHash), .integer(Int64(c.generation)), .text(c.origin.rawValue),
                parent(0), parent(1), .integer(Int64(c.resolution)), .integer(Int64(c.plannedBytes)),
                .integer(Int64(c.plannedActivationBytes)), .text(c.ledgerJSON), .integer(Int64(c.formulaBytes)),
                .real(c.mflops), .integer(Int64(c.parameters)), .text(c.status.rawValue), optional(c.valTop1),
                optional(c.valLoss), optional(c.evalSeconds), .real(c.startedAt), optional(c.finishedAt),
            ])
        return Int(id)
    }

    public func tell(_ id: Int, status: CandidateStatus, valTop1: Double?, valLoss: Double?, evalSeconds: Double?) throws {
        try requireWritable()
        func optional(_ v: Double?) -> SQLiteValue { v.map { .real($0) } ?? .null }
        let changed = try database.run(
            "UPDATE candidates SET status = ?, val_top1 = ?, val_loss = ?, eval_seconds = ?, finished_at = ? WHERE id = ?",
            [.text(status.rawValue), optional(valTop1), optional(valLoss), optional(evalSeconds), .real(Self.now()),
             .integer(Int64(id))])
        if changed == 0 { throw HistoryError.unknownCandidate(path: fileURL.path, id: id) }
    }

    public func candidates() throws -> [CandidateRecord] {
        try database.query("SELECT id, \(Self.candidateColumns) FROM candidates ORDER BY id").map { values in
            let row = StoredRow(values, path: fileURL.path, table: "candidates")
            return CandidateRecord(
                id: try row.int(0, "id"), archJSON: try row.text(1, "arch_json"), archHash: try row.text(2, "arch_hash"),
                generation: try row.int(3, "generation"), origin: try row.choice(4, "origin", as: CandidateOrigin.self),
                parents: [try row.intOrNil(5, "parent1"), try row.intOrNil(6, "parent2")].compactMap { $0 },
                resolution: try row.int(7, "resolution"), plannedBytes: try row.int(8, "planned_bytes"),
                plannedActivationBytes: try row.int(9, "planned_activation_bytes"), ledgerJSON: try row.text(10, "ledger_json"),
                formulaBytes: try row.int(11, "formula_bytes"), mflops: try row.double(12, "mflops"),
                parameters: try row.int(13, "parameters"), status: try row.choice(14, "status", as: CandidateStatus.self),
                valTop1: try row.doubleOrNil(15, "val_top1"), valLoss: try row.doubleOrNil(16, "val_loss"),
                evalSeconds: try row.doubleOrNil(17, "eval_seconds"), startedAt: try row.double(18, "started_at"),
                finishedAt: try row.doubleOrNil(19, "finished_at"))
        }
    }
}
