import Foundation

/// A snapshot of one search run, read at once from its `history.sqlite` (read-only, one short read
/// transaction; safe on a search that is still running), with its JSON columns decoded.
public struct RunSnapshot: Sendable {
    /// The run directory as given.
    public let directory: URL
    public let run: RunRecord
    /// In id (ask) order.
    public let candidates: [CandidateRecord]
    public let phases: [PhaseRecord]
    /// `settings_json`, decoded.
    public let settings: [String: JSONValue]
    /// `result_json`, decoded; nil while the search runs or after it failed.
    public let result: SearchResult?
    /// Each candidate's architecture, by candidate id.
    public let architectures: [Int: Architecture]
    /// Block slots per stage: `settings.stage_slot_counts`, or an equal split of the slots when absent
    /// (then ``stageSlotsInferred`` is true).
    public let stageSlotCounts: [Int]
    public let stageSlotsInferred: Bool
    /// Unix seconds when the snapshot was read (the end of phases still running).
    public let readAt: Double

    /// Reads the run in `directory`.
    ///
    /// - Throws: ``HistoryError/notARun(directory:)``, ``HistoryError/newerSchema(path:found:supported:)``, ...
    ///   from opening; ``HistoryError/emptyRun(directory:)`` when no candidate was asked yet;
    ///   ``HistoryError/invalidJSON(path:column:reason:)`` for a JSON column that does not decode.
    public static func load(_ directory: URL) throws -> RunSnapshot {
        let store = try SQLiteSearchStore(openingAt: directory, readOnly: true)
        let (run, candidates, phases) = try store.readSnapshot { (try store.run(), try store.candidates(), try store.phases()) }
        guard let run, !candidates.isEmpty else { throw HistoryError.emptyRun(directory: directory.path, status: run?.status) }
        return try RunSnapshot(directory: directory, path: store.fileURL.path, run: run, candidates: candidates, phases: phases)
    }

    /// Decodes the JSON columns of rows already read; `path` names the file in errors.
    init(directory: URL, path: String, run: RunRecord, candidates: [CandidateRecord], phases: [PhaseRecord],
         readAt: Double = Date().timeIntervalSince1970) throws {
        self.directory = directory
        self.run = run
        self.candidates = candidates
        self.phases = phases
        self.readAt = readAt
        guard case .object(let settings) = try JSONValue.parse(run.settingsJSON, path: path, column: "run.settings_json") else {
            throw HistoryError.invalidJSON(path: path, column: "run.settings_json", reason: "not a JSON object")
        }
        self.settings = settings
        do {
            result = try run.resultJSON.map { try JSONDecoder().decode(SearchResult.self, from: Data($0.utf8)) }
        } catch {
            throw HistoryError.invalidJSON(path: path, column: "run.result_json", reason: JSONErrors.reason(error))
        }
        var architectures: [Int: Architecture] = [:]
        for c in candidates {
            architectures[c.id] = try Architecture.parse(c.archJSON, path: path, column: "candidates.arch_json of candidate \(c.id)")
        }
        self.architectures = architectures
        let slots = architectures[candidates[0].id]?.ks.count ?? 0
        let stages = architectures[candidates[0].id]?.d.count ?? 0
        if case .array(let counts)? = settings["stage_slot_counts"] {
            let ints = counts.compactMap { value -> Int? in if case .int(let n) = value { return n } else { return nil } }
            guard ints.count == counts.count, ints.reduce(0, +) == slots, ints.count == stages else {
                throw HistoryError.invalidJSON(
                    path: path, column: "run.settings_json",
                    reason: "stage_slot_counts \(ints) do not split the \(slots) block slots into \(stages) stages")
            }
            stageSlotCounts = ints
            stageSlotsInferred = false
        } else {
            // Without the counts, an equal split is the best guess (right for OFA-MobileNetV3 and ProxylessNAS).
            guard stages > 0, slots % stages == 0 else {
                throw HistoryError.invalidJSON(
                    path: path, column: "run.settings_json",
                    reason: "no stage_slot_counts, and \(slots) block slots do not split evenly into \(stages) stages")
            }
            stageSlotCounts = Array(repeating: slots / stages, count: stages)
            stageSlotsInferred = true
        }
        for c in candidates {
            guard let a = architectures[c.id], a.ks.count == slots, a.e.count == slots, a.d.count == stages,
                  zip(a.d, stageSlotCounts).allSatisfy({ $0 <= $1 })
            else {
                throw HistoryError.invalidJSON(
                    path: path, column: "candidates.arch_json of candidate \(c.id)",
                    reason: "expected \(slots) ks and e values and \(stages) depths within \(stageSlotCounts)")
            }
        }
    }

    /// The budgeted quantity of a candidate, bytes: its planned total training memory, or its activation
    /// memory when the budget constrains activations only (`mem_scope` = `activations`).
    public func budgetedBytes(_ c: CandidateRecord) -> Int {
        run.memScope == "activations" ? c.plannedActivationBytes : c.plannedBytes
    }

    /// What ``budgetedBytes(_:)`` measures, for axis labels: "planned training memory" or "planned activation memory".
    public var budgetedQuantity: String {
        run.memScope == "activations" ? "planned activation memory" : "planned training memory"
    }

    /// The candidate with `id`, if any (ids are 1-based ask order).
    public func candidate(_ id: Int) -> CandidateRecord? {
        id >= 1 && id <= candidates.count && candidates[id - 1].id == id ? candidates[id - 1] : candidates.first { $0.id == id }
    }

    /// Candidates scored on the validation split.
    public var evaluated: [CandidateRecord] { candidates.filter { $0.status == .evaluated && $0.valTop1 != nil } }
}
