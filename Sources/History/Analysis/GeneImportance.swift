/// How much each gene (resolution, depth per stage, kernel and expand per active block) goes with
/// validation accuracy and with memory, over the candidates of one run (`history importance`).
///
/// Concretely, for each gene a one-way analysis of variance over the candidates where the gene is active:
/// the candidates are grouped by the gene's value and the share of the variance between groups is reported
/// bias-adjusted, ε² = (SS_between − (k − 1)·MS_within) / SS_total, clipped at 0 (k groups). It is a
/// first-order (main-effect) analysis in the spirit of fANOVA, on the observed candidates rather than a
/// fitted surrogate: evolution samples good regions more often, genes are correlated, and a small run makes
/// every share noisy — read it as a ranking hint, next to the per-choice means and spreads.
///
/// Accuracy uses evaluated candidates; memory (the budgeted bytes) uses every candidate, since rejected
/// ones have a planned memory too. A slot beyond its stage's depth is inactive and not counted. A choice seen on
/// fewer than `minimumGroup` candidates is left out of the share (its mean says little and one lucky candidate would
/// make the gene look decisive); it is still listed with its n and marked.
///
/// ### References
/// Hutter, Hoos, Leyton-Brown: An Efficient Approach for Assessing Hyperparameter Importance (fANOVA), ICML 2014.
public struct GeneImportance: Equatable, Sendable, Encodable {
    public struct Choice: Equatable, Sendable, Encodable {
        public let value: Double
        /// Evaluated candidates with this value, and their validation top-1 mean and sample standard deviation (fractions).
        public let evaluated: Int
        public let meanTop1: Double?, stdTop1: Double?
        /// All candidates with this value, and their mean budgeted memory, bytes.
        public let candidates: Int
        public let meanBytes: Double
        /// Whether the accuracy share and the memory share count this choice (enough candidates).
        public let inAccuracyShare: Bool, inMemoryShare: Bool
    }

    public struct Entry: Equatable, Sendable, Encodable {
        public let gene: Gene
        public let name: String
        /// ε² of validation top-1 and of budgeted memory, each in 0...1; nil when fewer than two values or groups.
        public let accuracyShare: Double?, memoryShare: Double?
        public let choices: [Choice]
    }

    /// Genes in decreasing accuracy share (genes without one last, then gene order).
    public let entries: [Entry]
    /// Evaluated candidates the accuracy shares rest on.
    public let evaluatedCandidates: Int
    /// True when the stage layout was guessed (no `stage_slot_counts` in the settings).
    public let stageSlotsInferred: Bool
    /// The fewest candidates a choice needs to count in a share.
    public let minimumGroup: Int

    public init(_ run: RunSnapshot, minimumGroup: Int = 5) {
        var values: [Gene: [(candidate: CandidateRecord, value: Double)]] = [:]
        for c in run.candidates {
            guard let arch = run.architectures[c.id] else { continue }
            for (gene, value) in arch.genes(stageSlotCounts: run.stageSlotCounts) { values[gene, default: []].append((c, value)) }
        }
        entries = values.map { gene, pairs in
            let scored = pairs.filter { $0.candidate.status == .evaluated && $0.candidate.valTop1 != nil }
            let choices = Set(pairs.map(\.value)).sorted().map { v -> Choice in
                let all = pairs.filter { $0.value == v }
                let top1 = scored.filter { $0.value == v }.compactMap(\.candidate.valTop1)
                return Choice(
                    value: v, evaluated: top1.count, meanTop1: top1.isEmpty ? nil : Statistics.mean(top1),
                    stdTop1: top1.isEmpty ? nil : Statistics.standardDeviation(top1), candidates: all.count,
                    meanBytes: Statistics.mean(all.map { Double(run.budgetedBytes($0.candidate)) }),
                    inAccuracyShare: top1.count >= minimumGroup, inMemoryShare: all.count >= minimumGroup)
            }
            let forAccuracy = Set(choices.filter(\.inAccuracyShare).map(\.value))
            let forMemory = Set(choices.filter(\.inMemoryShare).map(\.value))
            return Entry(
                gene: gene, name: gene.name,
                accuracyShare: Self.epsilonSquared(scored.filter { forAccuracy.contains($0.value) }
                    .compactMap { p in p.candidate.valTop1.map { (p.value, $0) } }),
                memoryShare: Self.epsilonSquared(pairs.filter { forMemory.contains($0.value) }
                    .map { ($0.value, Double(run.budgetedBytes($0.candidate))) }),
                choices: choices)
        }
        .sorted { a, b in
            switch (a.accuracyShare, b.accuracyShare) {
            case let (x?, y?) where x != y: return x > y
            case (_?, nil): return true
            case (nil, _?): return false
            default: return a.gene < b.gene
            }
        }
        evaluatedCandidates = run.evaluated.count
        stageSlotsInferred = run.stageSlotsInferred
        self.minimumGroup = minimumGroup
    }

    /// Bias-adjusted share of the variance of `y` between the groups of equal `x`, clipped at 0; nil when
    /// fewer than two groups, no residual degrees of freedom, or no variance at all.
    static func epsilonSquared(_ samples: [(x: Double, y: Double)]) -> Double? {
        let groups = Dictionary(grouping: samples, by: \.x).values.map { $0.map(\.y) }
        let n = samples.count, k = groups.count
        guard k >= 2, n > k else { return nil }
        let mean = Statistics.mean(samples.map(\.y))
        let total = samples.reduce(0) { $0 + ($1.y - mean) * ($1.y - mean) }
        guard total > 0 else { return nil }
        let between = groups.reduce(0) { sum, g in
            let m = Statistics.mean(g)
            return sum + Double(g.count) * (m - mean) * (m - mean)
        }
        let within = (total - between) / Double(n - k)
        return max(0, (between - Double(k - 1) * within) / total)
    }
}
