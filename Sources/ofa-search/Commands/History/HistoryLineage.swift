import ArgumentParser
import History

/// `ofa-search history lineage <run> <candidate>`: a candidate's ancestry through mutation and crossover.
struct HistoryLineage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "Show a candidate's ancestry through mutation and crossover, with the genes each step changed.")

    @OptionGroup var arguments: RunDirectoryArguments

    @Argument(help: "Candidate id (as in `history pareto`; a leading # is accepted).",
              transform: { text in
                  guard let id = Int(text.hasPrefix("#") ? String(text.dropFirst()) : text), id > 0 else {
                      throw ValidationError("candidate must be a positive id such as 17 or #17, got '\(text)'")
                  }
                  return id
              })
    var candidate: Int

    @Option(help: "Generations of ancestors to show (default: all).")
    var depth: Int?

    func validate() throws {
        if let depth, depth < 0 { throw ValidationError("--depth must be 0 or more, got \(depth)") }
    }

    func run() throws {
        try reportingErrors {
            let run = try arguments.load()
            guard let lineage = Lineage(of: candidate, in: run, maxDepth: depth) else {
                throw HistoryError.unknownCandidate(path: run.directory.path, id: candidate)
            }
            if arguments.json { try FileHandleOutput.json(lineage); return }
            var lastAtDepth: [Bool] = []
            for (i, node) in lineage.nodes.enumerated() {
                let next = lineage.nodes[(i + 1)...].first { $0.depth <= node.depth }
                let isLast = next.map { $0.depth < node.depth } ?? true
                lastAtDepth = Array(lastAtDepth.prefix(node.depth)) + [isLast]
                let prefix = node.depth == 0 ? "" : lastAtDepth[1..<node.depth].map { $0 ? "   " : "│  " }.joined() + (isLast ? "└─ " : "├─ ")
                print(prefix + describe(node))
            }
        }
    }

    private func describe(_ n: Lineage.Node) -> String {
        let origin: String
        switch n.origin {
        case .mutation: origin = "mutation of #\(n.parents.first ?? 0)"
        case .crossover: origin = "crossover of " + n.parents.map { "#\($0)" }.joined(separator: " × ")
        case .anchor, .random: origin = n.origin.rawValue
        }
        if n.repeated { return "#\(n.id) (listed above)" }
        let score = n.valTop1.map { "val \(HistoryFormat.percent($0))" } ?? n.status.rawValue
        var line = "#\(n.id)  gen \(n.generation)  \(origin)  \(score)  \(HistoryFormat.megabytes(n.budgetedBytes))"
        var notes: [String] = []
        if n.inherited.count == 2 {
            notes.append("\(n.inherited[0]) genes from #\(n.parents[0]), \(n.inherited[1]) from #\(n.parents[1])")
        }
        if !n.changes.isEmpty {
            let changes = n.changes.map { c in
                "\(c.gene) " + (c.from.map { "\(Gene.format($0, kind: c.kind))→\(Gene.format(c.to, kind: c.kind))" }
                                 ?? "\(Gene.format(c.to, kind: c.kind)) (was inactive)")
            }
            notes.append((n.origin == .crossover ? "new: " : "changed: ") + changes.joined(separator: ", "))
        } else if n.origin == .mutation {
            notes.append("no active gene changed")
        }
        if !notes.isEmpty { line += "  (" + notes.joined(separator: "; ") + ")" }
        return line
    }
}
