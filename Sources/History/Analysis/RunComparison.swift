import Foundation

/// `history compare`: several runs side by side, e.g. a budget sweep, in increasing budget.
public struct RunComparison: Equatable, Sendable, Encodable {
    public struct Row: Equatable, Sendable, Encodable {
        public let directory: String
        public let dataset: String, method: String, memScope: String, status: String
        public let budgetBytes: Int
        public let candidates: Int, evaluated: Int
        /// Best validation top-1 among the evaluated candidates (fraction), and that candidate's id.
        public let bestValTop1: Double?
        public let bestCandidate: Int?
        /// From the result, when the run finished: test top-1 and top-5, planned and measured bytes of the winner.
        public let testTop1: Double?, testTop5: Double?
        public let plannedBytes: Int?, measuredBytes: Int?
        public let winner: Int?
    }

    public let rows: [Row]
    /// Settings other than the budget in which the runs differ ("dataset", "evolution.population", ...), sorted:
    /// empty for a clean budget sweep; otherwise the rows do not compare like with like.
    public let differences: [String]

    public init(_ runs: [RunSnapshot]) {
        differences = Self.differences(runs.map { $0.settings })
        rows = runs.map { run in
            let best = run.evaluated.max { ($0.valTop1 ?? 0, -$0.id) < ($1.valTop1 ?? 0, -$1.id) }
            return Row(
                directory: run.directory.path, dataset: run.run.dataset, method: run.run.method, memScope: run.run.memScope,
                status: run.run.status, budgetBytes: run.run.budgetBytes, candidates: run.candidates.count,
                evaluated: run.evaluated.count, bestValTop1: best?.valTop1, bestCandidate: best?.id,
                testTop1: run.result?.testTop1, testTop5: run.result?.testTop5, plannedBytes: run.result?.plannedBytes,
                measuredBytes: run.result?.measuredBytes, winner: run.result?.winner)
        }
        .sorted { ($0.budgetBytes, $0.directory) < ($1.budgetBytes, $1.directory) }
    }

    /// Keys (one level into objects, as "parent.key") whose values are not the same in every settings object;
    /// the budget is what a sweep varies and is not listed.
    static func differences(_ settings: [[String: JSONValue]]) -> [String] {
        func flat(_ s: [String: JSONValue]) -> [String: JSONValue] {
            var out: [String: JSONValue] = [:]
            for (key, value) in s {
                if case .object(let inner) = value {
                    for (k, v) in inner { out[key + "." + k] = v }
                } else {
                    out[key] = value
                }
            }
            return out
        }
        let flattened = settings.map(flat)
        let keys = Set(flattened.flatMap(\.keys)).subtracting(["budget_bytes"])
        return keys.filter { key in Set(flattened.map { $0[key].map { "\($0)" } ?? "absent" }).count > 1 }.sorted()
    }
}
