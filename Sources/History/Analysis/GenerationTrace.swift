/// Validation accuracy per generation: best, median, and the best so far (`history trace`, the
/// optimisation-history plot).
public struct GenerationTrace: Equatable, Sendable, Encodable {
    public struct Generation: Equatable, Sendable, Encodable {
        public let generation: Int
        /// Candidates asked in the generation, and how many of them were evaluated, rejected (over budget) or failed.
        public let candidates: Int, evaluated: Int, rejected: Int, failed: Int
        /// Validation top-1 (fractions) of the evaluated candidates; nil when none was evaluated.
        public let best: Double?, median: Double?
        /// Candidate id of the generation's best.
        public let bestCandidate: Int?
        /// Best validation top-1 over this and all earlier generations.
        public let bestSoFar: Double?
    }

    public let generations: [Generation]

    public init(_ run: RunSnapshot) {
        var rows: [Generation] = []
        var bestSoFar: Double?
        for generation in Set(run.candidates.map(\.generation)).sorted() {
            let members = run.candidates.filter { $0.generation == generation }
            let scored = members.filter { $0.status == .evaluated && $0.valTop1 != nil }
            let top = scored.max { ($0.valTop1 ?? 0, -$0.id) < ($1.valTop1 ?? 0, -$1.id) }
            if let value = top?.valTop1 { bestSoFar = max(bestSoFar ?? value, value) }
            rows.append(Generation(
                generation: generation, candidates: members.count, evaluated: scored.count,
                rejected: members.filter { $0.status == .rejected }.count, failed: members.filter { $0.status == .failed }.count,
                best: top?.valTop1, median: scored.isEmpty ? nil : Statistics.median(scored.compactMap(\.valTop1)),
                bestCandidate: top?.id, bestSoFar: bestSoFar))
        }
        generations = rows
    }
}
