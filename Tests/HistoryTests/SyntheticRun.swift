import Foundation
import History

/// A deterministic search history written through the store API: 3 generations of 8 candidates over 6
/// stages of [2, 2, 3, 4, 4, 1] block slots, budget 21 MB; candidates over budget are rejected, #13 failed.
///
/// Candidate i (1-based) has generation (i − 1) / 8, resolution [128, 144, 160][i % 3], depth
/// d[s] = 1 + (i + s) % slots[s], kernel [3, 5][(i + slot) % 2], expand [3, 4, 6][(2i + slot) % 3];
/// planned memory (r / 16 + Σd) MB; validation top-1 0.5 + 0.02·Σd + 0.001·(r − 128) + 0.01·generation.
/// Generation 0: #1 anchor, the rest random; later generations alternate mutation (parent i − 8) and
/// crossover (parents i − 8 and i − 7).
enum SyntheticRun {
    static let stageSlots = [2, 2, 3, 4, 4, 1]
    static let budget = 21_000_000
    static let perGeneration = 8, generations = 3

    struct Options {
        /// Write the result, end every phase and mark the run finished.
        var finished = true
        /// Leave the last candidate `evaluating` (a search in progress or killed).
        var lastEvaluating = false
    }

    static func resolution(_ i: Int) -> Int { [128, 144, 160][i % 3] }
    static func depths(_ i: Int) -> [Int] { stageSlots.enumerated().map { s, slots in 1 + (i + s) % slots } }
    static func plannedBytes(_ i: Int) -> Int { (resolution(i) / 16 + depths(i).reduce(0, +)) * 1_000_000 }
    static func valTop1(_ i: Int) -> Double {
        0.5 + 0.02 * Double(depths(i).reduce(0, +)) + 0.001 * Double(resolution(i) - 128) + 0.01 * Double((i - 1) / perGeneration)
    }
    static func status(_ i: Int) -> CandidateStatus {
        plannedBytes(i) > budget ? .rejected : i == 13 ? .failed : .evaluated
    }
    static func arch(_ i: Int) -> String {
        let slots = stageSlots.reduce(0, +)
        let ks = (0..<slots).map { [3, 5][(i + $0) % 2] }, e = (0..<slots).map { [3, 4, 6][(2 * i + $0) % 3] }
        return #"{"d": \#(depths(i)), "e": \#(e), "ks": \#(ks), "r": [\#(resolution(i))]}"#
    }
    static func parents(_ i: Int) -> [Int] {
        i <= perGeneration ? [] : i % 2 == 0 ? [i - 8] : [i - 8, i - 7]
    }
    static func ledger(_ bytes: Int) -> [String: Int] {
        ["frozen weights": bytes / 2, "activations": bytes / 4, "optimizer state": bytes / 8, "workspace": bytes - bytes / 2 - bytes / 4 - bytes / 8]
    }

    static let settings = #"{"population": 8, "generations": 3, "stage_slot_counts": [2, 2, 3, 4, 4, 1], "mutate_prob": 0.1}"#

    /// Writes the history into `directory` and returns the store (still open, as a running search holds it).
    @discardableResult
    static func write(to directory: URL, _ options: Options = Options()) throws -> SQLiteSearchStore {
        let store = try SQLiteSearchStore(creatingAt: directory, toolVersion: "0.1.0-test")
        try store.begin(RunRecord(
            createdAt: "2025-11-26T05:00:00Z", dataset: "flowers5", budgetBytes: budget, memScope: "total",
            method: "lite-residual+bias", seed: 7, supernetPath: "Supernets/effnet-lite0-elastic.h5",
            supernetSHA256: String(repeating: "0f", count: 32), family: "effnet-lite0-elastic", settingsJSON: settings,
            toolVersion: "0.1.0-test"))
        try store.startPhase("adapt")
        try store.endPhase("adapt")
        try store.startPhase("search")
        let count = perGeneration * generations
        for i in 1...count {
            let generation = (i - 1) / perGeneration
            let origin: CandidateOrigin = i == 1 ? .anchor : generation == 0 ? .random : i % 2 == 0 ? .mutation : .crossover
            let id = try store.ask(CandidateRecord(
                archJSON: arch(i), archHash: "hash\(i % 20)", generation: generation, origin: origin, parents: parents(i),
                resolution: resolution(i), plannedBytes: plannedBytes(i), plannedActivationBytes: plannedBytes(i) / 4,
                ledgerJSON: #"{"activations": \#(plannedBytes(i) / 4)}"#, formulaBytes: plannedBytes(i) * 9 / 10,
                mflops: Double(resolution(i) * resolution(i)) / 100 + Double(depths(i).reduce(0, +)) * 10,
                parameters: 3_000_000 + i * 1000, status: .evaluating, startedAt: 1_764_133_200 + Double(i) * 10))
            precondition(id == i)
            if options.lastEvaluating && i == count { break }
            let s = status(i)
            try store.tell(i, status: s, valTop1: s == .evaluated ? valTop1(i) : nil, valLoss: s == .evaluated ? 1 - valTop1(i) : nil,
                           evalSeconds: s == .evaluated ? 9.5 : nil)
        }
        guard options.finished else { return store }
        try store.endPhase("search")
        for phase in ["retrain", "test"] {
            try store.startPhase(phase)
            try store.endPhase(phase)
        }
        let winner = best()
        let result = SearchResult(
            winner: winner, arch: try JSONDecoder().decode(Architecture.self, from: Data(arch(winner).utf8)),
            valTop1: valTop1(winner), testTop1: valTop1(winner) - 0.03, testTop5: 0.97, plannedBytes: plannedBytes(winner),
            measuredBytes: plannedBytes(winner) * 21 / 20, ledger: ledger(plannedBytes(winner)), budgetBytes: budget, finalEpochs: 40,
            baselines: [.init(name: "max subnet", arch: Architecture(ks: [5], e: [6], d: [1], r: [160]), resolution: 160,
                              plannedBytes: 40_000_000, testTop1: 0.9)])
        try store.finish(status: "finished", resultJSON: result.jsonText)
        return store
    }

    /// Ids of the evaluated candidates.
    static var evaluatedIDs: [Int] { (1...perGeneration * generations).filter { status($0) == .evaluated } }

    /// The evaluated candidate with the highest validation top-1 (lowest id on ties).
    static func best() -> Int { evaluatedIDs.max { (valTop1($0), -$0) < (valTop1($1), -$1) }! }
}
