import ArgumentParser
import History

/// `ofa-search history pareto <run>`: the non-dominated candidates, accuracy vs memory and vs MFLOPs.
struct HistoryPareto: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pareto",
        abstract: "Show the Pareto fronts: validation accuracy vs planned memory and vs MFLOPs, with architectures.")

    @OptionGroup var arguments: RunDirectoryArguments

    enum Axis: String, ExpressibleByArgument, CaseIterable { case memory, mflops, both }

    @Option(help: "Which cost: memory (the budgeted planned memory), mflops, or both.")
    var by: Axis = .both

    func run() throws {
        try reportingErrors {
            let run = try arguments.load()
            let costs: [ParetoFront.Cost] = by == .both ? ParetoFront.Cost.allCases : by == .memory ? [.memory] : [.mflops]
            let fronts = costs.map { ParetoFront(run, cost: $0) }
            if arguments.json {
                try FileHandleOutput.json(Dictionary(uniqueKeysWithValues: fronts.map { ($0.cost.rawValue, $0.points) }))
                return
            }
            for (i, front) in fronts.enumerated() {
                if i > 0 { print("") }
                let what = front.cost == .memory ? run.budgetedQuantity : "MFLOPs"
                print("Pareto front, validation top-1 vs \(what): \(front.points.count) of \(run.evaluated.count) evaluated candidates")
                var table = TextTable(["candidate", "gen", "val top-1", "memory", "MFLOPs", "architecture"], rightAligned: [0, 1, 2, 3, 4])
                let winner = run.result?.winner
                for p in front.points {
                    table.add([(p.id == winner ? "winner " : "") + "#\(p.id)", "\(p.generation)", HistoryFormat.percent(p.valTop1),
                               HistoryFormat.megabytes(p.budgetedBytes) + (p.withinBudget ? "" : "*"), HistoryFormat.mflops(p.mflops),
                               p.arch.jsonText])
                }
                table.print()
                if front.points.contains(where: { !$0.withinBudget }) { print("  * over the budget of \(HistoryFormat.megabytes(run.run.budgetBytes))") }
                if let winner, !front.points.contains(where: { $0.id == winner }),
                   let w = run.candidates.first(where: { $0.id == winner }) {
                    // The front ranks by shared-weight validation; the winner was chosen after its own training.
                    print("  the winner #\(winner) is off this front: shared-weight val top-1 \(HistoryFormat.percent(w.valTop1 ?? 0)), "
                          + "\(HistoryFormat.megabytes(run.budgetedBytes(w))), \(HistoryFormat.mflops(w.mflops)) MFLOPs "
                          + "(finalists are chosen on validation after their own training)")
                }
            }
        }
    }
}
