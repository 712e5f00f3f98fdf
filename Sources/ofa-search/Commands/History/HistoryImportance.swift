import ArgumentParser
import Foundation
import History

/// `ofa-search history importance <run>`: how each gene goes with accuracy and memory.
struct HistoryImportance: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "importance",
        abstract: "Show each gene's effect on accuracy and memory: mean accuracy per choice with spread, and its variance share.",
        discussion: """
            Genes: resolution, depth per stage, kernel and expand per active block (a block beyond its stage's \
            depth is not counted). Share: the bias-adjusted share of variance explained by the gene alone (ε², a \
            one-way ANOVA over the observed candidates, fANOVA-style main effect). Evolution samples good regions \
            more often and genes are correlated, so read it as a ranking hint, not a causal effect.
            """)

    @OptionGroup var arguments: RunDirectoryArguments

    @Option(help: "Show only the N genes with the largest accuracy share (default: all).")
    var top: Int?

    func validate() throws {
        if let top, top < 1 { throw ValidationError("--top must be 1 or more, got \(top)") }
    }

    func run() throws {
        try reportingErrors {
            let importance = GeneImportance(try arguments.load())
            let entries = Array(importance.entries.prefix(top ?? importance.entries.count))
            if arguments.json {
                struct Output: Encodable {
                    let evaluatedCandidates: Int; let stageSlotsInferred: Bool; let minimumGroup: Int
                    let genes: [GeneImportance.Entry]
                }
                try FileHandleOutput.json(Output(
                    evaluatedCandidates: importance.evaluatedCandidates, stageSlotsInferred: importance.stageSlotsInferred,
                    minimumGroup: importance.minimumGroup, genes: entries))
                return
            }
            print("gene importance over \(importance.evaluatedCandidates) evaluated candidates (share: bias-adjusted ε², see --help; "
                  + "choices on fewer than \(importance.minimumGroup) candidates are left out of it, marked *)")
            if importance.stageSlotsInferred { print("  note: no stage_slot_counts in the run's settings; stages split evenly") }
            var table = TextTable(["gene", "accuracy share", "memory share",
                                   "per choice: mean val top-1 ± sd (n evaluated), mean memory of all its candidates"],
                                  rightAligned: [1, 2])
            func share(_ v: Double?) -> String { v.map { String(format: "%.1f%%", $0 * 100) } ?? "–" }
            for entry in entries {
                let choices = entry.choices.map { c in
                    let accuracy = c.meanTop1.map { "\(HistoryFormat.percent($0)) ± \(String(format: "%.1f", (c.stdTop1 ?? 0) * 100))" } ?? "–"
                    return "\(Gene.format(c.value, kind: entry.gene.kind)): \(accuracy) (n=\(c.evaluated)\(c.inAccuracyShare ? "" : "*")), "
                        + "\(HistoryFormat.megabytes(Int(c.meanBytes)))\(c.inMemoryShare ? "" : "*")"
                }
                table.add([entry.name, share(entry.accuracyShare), share(entry.memoryShare), choices.joined(separator: "; ")])
            }
            table.print()
        }
    }
}
