import History

/// The candidates of a search in the order it draws them, backed by the history store: a new search appends;
/// a resumed one first replays the stored candidates (same seed, same draws) and only then appends, so finished
/// candidates are never evaluated twice and the result equals an uninterrupted run's.
struct CandidateJournal {
    let store: any SearchStorage
    let runName: String
    private(set) var stored: [CandidateRecord]
    private(set) var cursor = 0

    init(store: any SearchStorage, runName: String) throws {
        self.store = store; self.runName = runName
        stored = try store.candidates()
    }

    /// Whether candidates from an earlier session remain to be replayed.
    var isReplaying: Bool { cursor < stored.count }

    /// The stored record of the next draw, while replaying (its memory plan and outcome need no recomputing).
    /// - Throws: `SearchError.historyMismatch` when the stored draw differs (other settings or seed).
    mutating func replay(archHash: String, generation: Int) throws -> CandidateRecord {
        precondition(isReplaying)
        let old = stored[cursor]
        guard old.archHash == archHash, old.generation == generation else { throw SearchError.historyMismatch(run: runName, candidate: old.id) }
        cursor += 1
        return old
    }

    /// Records a new candidate (its id is assigned here).
    mutating func record(_ candidate: CandidateRecord) throws -> CandidateRecord {
        precondition(!isReplaying, "replay the stored draws first")
        var new = candidate
        new.id = try store.ask(candidate)
        return new
    }
}
