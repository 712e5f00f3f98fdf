/// Ask-and-tell storage of one search (Optuna-style); a PostgreSQL backend will implement it later.
///
/// Every call is its own transaction: once it returns, what it wrote survives the process being killed.
public protocol SearchStorage: AnyObject {
    /// The run row, or nil before ``begin(_:)``.
    func run() throws -> RunRecord?
    /// Writes the run row; throws ``HistoryError/runExists(path:)`` when it is already written.
    func begin(_ run: RunRecord) throws
    /// Inserts a candidate (its `id` is ignored) and returns its new id: 1-based, in ask order.
    func ask(_ candidate: CandidateRecord) throws -> Int
    /// Records a candidate's outcome and sets its `finishedAt` to now.
    func tell(_ id: Int, status: CandidateStatus, valTop1: Double?, valLoss: Double?, evalSeconds: Double?) throws
    /// Every candidate, in id order.
    func candidates() throws -> [CandidateRecord]
    /// Opens a row of phase `name` starting now.
    func startPhase(_ name: String) throws
    /// Closes (ends now) the latest open row of phase `name`.
    func endPhase(_ name: String) throws
    /// Every phase row, in start order.
    func phases() throws -> [PhaseRecord]
    /// Sets the run's status (`"running"`, `"finished"`, `"failed"`) and result object (JSON text).
    func finish(status: String, resultJSON: String?) throws
    /// Replaces the run's settings (a search continued for more generations or seeds) and marks it running again,
    /// without a result.
    func reopen(settingsJSON: String) throws
}
