/// One row of `phases`: a stretch of wall time spent in one part of the search.
public struct PhaseRecord: Equatable, Sendable {
    /// `"adapt"`, `"search"`, `"retrain"`, `"test"`, ...; a resumed search starts a phase again (another row).
    public var name: String
    /// Unix time, seconds.
    public var startedAt: Double
    /// Unix time, seconds; nil while the phase runs (or if the search was killed during it).
    public var endedAt: Double?

    public init(name: String, startedAt: Double, endedAt: Double? = nil) {
        self.name = name
        self.startedAt = startedAt
        self.endedAt = endedAt
    }
}
