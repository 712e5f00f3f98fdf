import Foundation

/// `history export`: every candidate as CSV (one row each, the database's column names), or the whole
/// history as one JSON document (run, settings, result, phases, candidates with `arch` and `ledger` as objects).
public enum HistoryExport {
    /// The CSV columns, in order: the `candidates` table's, with `parent1`/`parent2`, plus `within_budget` (0/1).
    public static let csvColumns = [
        "id", "generation", "origin", "parent1", "parent2", "status", "val_top1", "val_loss", "resolution", "planned_bytes",
        "planned_activation_bytes", "within_budget", "formula_bytes", "mflops", "parameters", "eval_seconds", "started_at",
        "finished_at", "arch_hash", "arch_json", "ledger_json",
    ]

    /// RFC 4180 CSV with a header row; empty cells for NULL; `\n` line ends.
    public static func csv(_ run: RunSnapshot) -> String {
        var lines = [csvColumns.joined(separator: ",")]
        for c in run.candidates {
            let cells: [String?] = [
                "\(c.id)", "\(c.generation)", c.origin.rawValue, c.parents.first.map { "\($0)" },
                c.parents.count > 1 ? "\(c.parents[1])" : nil, c.status.rawValue, c.valTop1.map { "\($0)" },
                c.valLoss.map { "\($0)" }, "\(c.resolution)", "\(c.plannedBytes)", "\(c.plannedActivationBytes)",
                run.budgetedBytes(c) <= run.run.budgetBytes ? "1" : "0", "\(c.formulaBytes)", "\(c.mflops)",
                "\(c.parameters)", c.evalSeconds.map { "\($0)" }, "\(c.startedAt)", c.finishedAt.map { "\($0)" },
                c.archHash, c.archJSON, c.ledgerJSON,
            ]
            lines.append(cells.map { quote($0 ?? "") }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func quote(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The whole history as pretty JSON (sorted keys); column names as in the database. The run's `seed` is a
    /// decimal string, since a UInt64 may exceed the integers a JSON reader holds exactly.
    public static func json(_ run: RunSnapshot) throws -> String {
        let path = run.directory.path
        func object(_ text: String, _ column: String) throws -> JSONValue { try JSONValue.parse(text, path: path, column: column) }
        let r = run.run
        let document: [String: JSONValue] = [
            "format": .string("ofa-search/history-export"),
            "schema_version": .int(SQLiteSearchStore.schemaVersion),
            "run": .object([
                "created_at": .string(r.createdAt), "dataset": .string(r.dataset), "budget_bytes": .int(r.budgetBytes),
                "mem_scope": .string(r.memScope), "method": .string(r.method), "seed": .string(String(r.seed)),
                "supernet_path": .string(r.supernetPath), "supernet_sha256": .string(r.supernetSHA256),
                "family": .string(r.family), "tool_version": .string(r.toolVersion), "status": .string(r.status),
            ]),
            "settings": .object(run.settings),
            "result": try r.resultJSON.map { try object($0, "run.result_json") } ?? .null,
            "phases": .array(run.phases.map { p in
                .object(["name": .string(p.name), "started_at": .double(p.startedAt), "ended_at": p.endedAt.map { .double($0) } ?? .null])
            }),
            "candidates": .array(try run.candidates.map { c in
                func number(_ v: Double?) -> JSONValue { v.map { .double($0) } ?? .null }
                return .object([
                    "id": .int(c.id), "generation": .int(c.generation), "origin": .string(c.origin.rawValue),
                    "parents": .array(c.parents.map { .int($0) }), "status": .string(c.status.rawValue),
                    "val_top1": number(c.valTop1), "val_loss": number(c.valLoss), "resolution": .int(c.resolution),
                    "planned_bytes": .int(c.plannedBytes), "planned_activation_bytes": .int(c.plannedActivationBytes),
                    "within_budget": .bool(run.budgetedBytes(c) <= r.budgetBytes), "formula_bytes": .int(c.formulaBytes),
                    "mflops": .double(c.mflops), "parameters": .int(c.parameters), "eval_seconds": number(c.evalSeconds),
                    "started_at": .double(c.startedAt), "finished_at": number(c.finishedAt), "arch_hash": .string(c.archHash),
                    "arch": try object(c.archJSON, "candidates.arch_json of candidate \(c.id)"),
                    "ledger": try object(c.ledgerJSON, "candidates.ledger_json of candidate \(c.id)"),
                ])
            }),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(JSONValue.object(document)), as: UTF8.self) + "\n"
    }
}
