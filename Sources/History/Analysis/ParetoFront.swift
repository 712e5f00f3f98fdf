/// The candidates no other candidate beats on both validation accuracy (higher) and a cost (lower).
///
/// Concretely: sorted by cost (ties: higher accuracy first), a candidate is on the front when its accuracy
/// is strictly higher than that of every cheaper candidate. Only evaluated candidates take part.
public struct ParetoFront: Equatable, Sendable, Encodable {
    public enum Cost: String, Sendable, Encodable, CaseIterable {
        /// The budgeted memory (``RunSnapshot/budgetedBytes(_:)``), bytes.
        case memory
        /// Forward MFLOPs.
        case mflops
    }

    public struct Point: Equatable, Sendable, Encodable {
        public let id: Int, generation: Int
        /// Validation top-1, fraction.
        public let valTop1: Double
        /// The budgeted memory, bytes, and forward MFLOPs.
        public let budgetedBytes: Int, mflops: Double
        public let withinBudget: Bool
        public let arch: Architecture
    }

    public let cost: Cost
    /// Front points in increasing cost (and increasing accuracy).
    public let points: [Point]

    public init(_ run: RunSnapshot, cost: Cost) {
        self.cost = cost
        func value(_ c: CandidateRecord) -> Double { cost == .memory ? Double(run.budgetedBytes(c)) : c.mflops }
        let sorted = run.evaluated.sorted { (value($0), -($0.valTop1 ?? 0), $0.id) < (value($1), -($1.valTop1 ?? 0), $1.id) }
        var front: [Point] = []
        var best = -Double.infinity
        for c in sorted {
            guard let top1 = c.valTop1, top1 > best, let arch = run.architectures[c.id] else { continue }
            best = top1
            front.append(Point(
                id: c.id, generation: c.generation, valTop1: top1, budgetedBytes: run.budgetedBytes(c), mflops: c.mflops,
                withinBudget: run.budgetedBytes(c) <= run.run.budgetBytes, arch: arch))
        }
        points = front
    }
}
