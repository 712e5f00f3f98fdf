/// How a candidate architecture came about.
public enum CandidateOrigin: String, Sendable, CaseIterable, Codable {
    /// A fixed reference architecture placed in the population (e.g. the min or max subnet).
    case anchor
    /// Sampled uniformly from the search space.
    case random
    /// Mutated from one parent.
    case mutation
    /// Crossed over from two parents.
    case crossover
}

/// Where a candidate is in its evaluation.
public enum CandidateStatus: String, Sendable, CaseIterable, Codable {
    /// Asked, not yet told (a search killed now left it unfinished).
    case evaluating
    /// Scored on the validation split.
    case evaluated
    /// Not scored: its planned training memory exceeds the budget.
    case rejected
    /// Scoring failed (the error is in the search log).
    case failed
}

/// One row of `candidates`: an architecture the search asked about, its planned cost and its score.
public struct CandidateRecord: Equatable, Sendable {
    /// 1-based, in ask order; 0 before ``SearchStorage/ask(_:)`` assigns it.
    public var id: Int
    /// The architecture in OFA's dict form, JSON text: `{"ks": [...], "e": [...], "d": [...], "r": [R]}`.
    public var archJSON: String
    /// A stable hash of the architecture (the search's choice of hash), for finding duplicates.
    public var archHash: String
    /// 0 for the initial population.
    public var generation: Int
    public var origin: CandidateOrigin
    /// Candidate ids of the parents: none (anchor, random), one (mutation) or two (crossover).
    public var parents: [Int]
    /// Input resolution, pixels.
    public var resolution: Int
    /// The planner's peak of total training memory, bytes.
    public var plannedBytes: Int
    /// The activation part of the planner's peak, bytes.
    public var plannedActivationBytes: Int
    /// The planner's ledger at the peak, JSON object text: category name → bytes (`{"frozen weights": 123, ...}`).
    public var ledgerJSON: String
    /// TinyTL's published memory formula, bytes.
    public var formulaBytes: Int
    /// Forward multiply-adds, millions (OFA's count).
    public var mflops: Double
    public var parameters: Int
    public var status: CandidateStatus
    /// Validation top-1 accuracy, a fraction in 0...1.
    public var valTop1: Double?
    /// Validation cross-entropy loss, mean per image.
    public var valLoss: Double?
    /// Wall time of the evaluation, seconds.
    public var evalSeconds: Double?
    /// Unix time, seconds, when the candidate was asked.
    public var startedAt: Double
    /// Unix time, seconds, when it was told; nil while evaluating.
    public var finishedAt: Double?

    public init(
        id: Int = 0, archJSON: String, archHash: String, generation: Int, origin: CandidateOrigin, parents: [Int],
        resolution: Int, plannedBytes: Int, plannedActivationBytes: Int, ledgerJSON: String, formulaBytes: Int,
        mflops: Double, parameters: Int, status: CandidateStatus, valTop1: Double? = nil, valLoss: Double? = nil,
        evalSeconds: Double? = nil, startedAt: Double, finishedAt: Double? = nil
    ) {
        precondition(parents.count <= 2, "a candidate has at most two parents, got \(parents)")
        self.id = id
        self.archJSON = archJSON
        self.archHash = archHash
        self.generation = generation
        self.origin = origin
        self.parents = parents
        self.resolution = resolution
        self.plannedBytes = plannedBytes
        self.plannedActivationBytes = plannedActivationBytes
        self.ledgerJSON = ledgerJSON
        self.formulaBytes = formulaBytes
        self.mflops = mflops
        self.parameters = parameters
        self.status = status
        self.valTop1 = valTop1
        self.valLoss = valLoss
        self.evalSeconds = evalSeconds
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}
