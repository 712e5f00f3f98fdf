/// What `ofa-search history <run>` shows: the settings, how many candidates were asked and how they ended,
/// how many fit the budget, the best per generation, wall time per phase, and the outcome.
public struct RunSummary: Equatable, Sendable, Encodable {
    public struct PhaseTime: Equatable, Sendable, Encodable {
        public let name: String
        /// Rows of the phase (more than one after a resume).
        public let runs: Int
        /// Wall time of the rows that ended, plus the running row up to the snapshot, seconds.
        public let seconds: Double
        /// True when the phase's latest row is still open in a running search.
        public let running: Bool
        /// Rows left open by a killed process (their time is unknown and not counted).
        public let interrupted: Int
    }

    public let directory: String
    public let createdAt: String, dataset: String, method: String, family: String, memScope: String, status: String
    public let budgetBytes: Int
    public let seed: UInt64
    public let supernetPath: String, supernetSHA256: String, toolVersion: String
    public let settings: [String: JSONValue]
    public let candidates: Int
    /// Candidates per status name (`evaluating`, `evaluated`, `rejected`, `failed`).
    public let byStatus: [String: Int]
    /// Candidates whose budgeted memory is within the budget, and their fraction of all candidates.
    public let withinBudget: Int
    public let withinBudgetFraction: Double
    /// Distinct architectures (by `arch_hash`).
    public let distinctArchitectures: Int
    /// The best evaluated candidate so far (id), with its validation top-1.
    public let bestCandidate: Int?
    public let bestValTop1: Double?
    public let generations: [GenerationTrace.Generation]
    public let phases: [PhaseTime]
    public let result: SearchResult?

    public init(_ run: RunSnapshot) {
        let r = run.run
        directory = run.directory.path
        createdAt = r.createdAt
        dataset = r.dataset
        method = r.method
        family = r.family
        memScope = r.memScope
        status = r.status
        budgetBytes = r.budgetBytes
        seed = r.seed
        supernetPath = r.supernetPath
        supernetSHA256 = r.supernetSHA256
        toolVersion = r.toolVersion
        settings = run.settings
        candidates = run.candidates.count
        byStatus = Dictionary(grouping: run.candidates, by: \.status.rawValue).mapValues(\.count)
        withinBudget = run.candidates.filter { run.budgetedBytes($0) <= r.budgetBytes }.count
        withinBudgetFraction = Double(withinBudget) / Double(max(run.candidates.count, 1))
        distinctArchitectures = Set(run.candidates.map(\.archHash)).count
        let best = run.evaluated.max { ($0.valTop1 ?? 0, -$0.id) < ($1.valTop1 ?? 0, -$1.id) }
        bestCandidate = best?.id
        bestValTop1 = best?.valTop1
        generations = GenerationTrace(run).generations
        var order: [String] = []
        for p in run.phases where !order.contains(p.name) { order.append(p.name) }
        let lastRow = run.phases.last
        phases = order.map { name in
            let rows = run.phases.filter { $0.name == name }
            let isRunning = r.status == "running" && lastRow?.name == name && lastRow?.endedAt == nil
            let closed = rows.compactMap { p in p.endedAt.map { $0 - p.startedAt } }.reduce(0, +)
            let open = rows.filter { $0.endedAt == nil }.count
            return PhaseTime(
                name: name, runs: rows.count,
                seconds: closed + (isRunning ? max(0, run.readAt - (lastRow?.startedAt ?? run.readAt)) : 0),
                running: isRunning, interrupted: open - (isRunning ? 1 : 0))
        }
        result = run.result
    }
}
