/// The ancestry of one candidate through mutation and crossover (`history lineage`), with what changed at
/// each step in terms of genes.
///
/// Ancestors are listed depth first (a candidate, then its first parent's line, then its second's); a
/// candidate reached a second time (through both parents of a crossover) is listed once and then referred to.
public struct Lineage: Equatable, Sendable, Encodable {
    /// How a child's gene relates to its parents'; only active genes are compared.
    public struct Change: Equatable, Sendable, Encodable {
        public let gene: String
        public let kind: Gene.Kind
        /// The parent's value (the first parent's for crossover), or nil when the gene was inactive there.
        public let from: Double?
        public let to: Double
    }

    public struct Node: Equatable, Sendable, Encodable {
        public let id: Int, generation: Int
        public let origin: CandidateOrigin
        public let parents: [Int]
        public let status: CandidateStatus
        public let valTop1: Double?
        public let budgetedBytes: Int
        /// Depth in the tree: 0 for the candidate asked about.
        public let depth: Int
        /// True when the node was already listed above (its ancestors are not repeated).
        public let repeated: Bool
        /// Mutation: the genes that differ from the parent. Crossover: the genes that match neither parent.
        public let changes: [Change]
        /// Crossover: how many active genes came from each parent (a gene equal in both counts for neither).
        public let inherited: [Int]
    }

    /// Depth-first, the candidate first.
    public let nodes: [Node]

    /// - Returns: nil when the run has no candidate `id`.
    public init?(of id: Int, in run: RunSnapshot, maxDepth: Int? = nil) {
        guard run.candidate(id) != nil else { return nil }
        var nodes: [Node] = []
        var seen: Set<Int> = []
        func visit(_ id: Int, depth: Int) {
            guard let c = run.candidate(id) else { return }
            let repeated = seen.contains(id)
            seen.insert(id)
            let (changes, inherited) = Self.compare(c, run)
            nodes.append(Node(
                id: id, generation: c.generation, origin: c.origin, parents: c.parents, status: c.status, valTop1: c.valTop1,
                budgetedBytes: run.budgetedBytes(c), depth: depth, repeated: repeated, changes: changes, inherited: inherited))
            guard !repeated, maxDepth.map({ depth < $0 }) ?? true else { return }
            for parent in c.parents { visit(parent, depth: depth + 1) }
        }
        visit(id, depth: 0)
        self.nodes = nodes
    }

    private static func compare(_ c: CandidateRecord, _ run: RunSnapshot) -> ([Change], [Int]) {
        guard let arch = run.architectures[c.id] else { return ([], []) }
        let genes = arch.genes(stageSlotCounts: run.stageSlotCounts)
        let parents = c.parents.compactMap { run.architectures[$0]?.genes(stageSlotCounts: run.stageSlotCounts) }
        guard let first = parents.first else { return ([], []) }
        var changes: [Change] = []
        var inherited = Array(repeating: 0, count: parents.count)
        for (gene, value) in genes.sorted(by: { $0.key < $1.key }) {
            let matches = parents.map { $0[gene] == value }
            if !matches.contains(true) {
                changes.append(Change(gene: gene.name, kind: gene.kind, from: first[gene], to: value))
            } else if parents.count > 1, matches.filter({ $0 }).count == 1, let which = matches.firstIndex(of: true) {
                inherited[which] += 1
            }
        }
        return (changes, parents.count > 1 ? inherited : [])
    }
}
