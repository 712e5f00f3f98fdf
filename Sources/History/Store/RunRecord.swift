/// The one `run` row of a search history: what was searched, with which settings, and how it ended.
public struct RunRecord: Equatable, Sendable {
    /// When the search began, ISO 8601 text (e.g. `2025-11-26T04:50:00Z`).
    public var createdAt: String
    /// The dataset name or path as the user gave it.
    public var dataset: String
    /// The training-memory budget, bytes.
    public var budgetBytes: Int
    /// What the budget constrains: `"total"` (all training memory) or `"activations"`.
    public var memScope: String
    /// The TinyTL method (e.g. `"lite-residual+bias"`).
    public var method: String
    public var seed: UInt64
    public var supernetPath: String
    /// Lower-case hex SHA-256 of the supernet file.
    public var supernetSHA256: String
    /// The supernet family (e.g. `"effnet-lite0-elastic"`).
    public var family: String
    /// Every search setting as one JSON object text; the search writes `stage_slot_counts` here.
    public var settingsJSON: String
    /// The tool and version that ran the search, as the search writes it (e.g. `ofa-search 0.2.0`).
    public var toolVersion: String
    /// `"running"`, `"finished"` or `"failed"`.
    public var status: String
    /// The search's result object (JSON text, keys in SCHEMA.md); nil until the search ends.
    public var resultJSON: String?

    public init(
        createdAt: String, dataset: String, budgetBytes: Int, memScope: String, method: String, seed: UInt64,
        supernetPath: String, supernetSHA256: String, family: String, settingsJSON: String, toolVersion: String,
        status: String = "running", resultJSON: String? = nil
    ) {
        self.createdAt = createdAt
        self.dataset = dataset
        self.budgetBytes = budgetBytes
        self.memScope = memScope
        self.method = method
        self.seed = seed
        self.supernetPath = supernetPath
        self.supernetSHA256 = supernetSHA256
        self.family = family
        self.settingsJSON = settingsJSON
        self.toolVersion = toolVersion
        self.status = status
        self.resultJSON = resultJSON
    }

    /// The run status values the schema allows.
    public static let statuses = ["running", "finished", "failed"]
}
