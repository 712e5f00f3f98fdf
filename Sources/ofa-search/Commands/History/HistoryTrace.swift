import ArgumentParser
import History

/// `ofa-search history trace <run>`: best and median validation accuracy per generation.
struct HistoryTrace: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Show the best and median validation accuracy per generation, and the best so far.")

    @OptionGroup var arguments: RunDirectoryArguments

    func run() throws {
        try reportingErrors {
            let trace = GenerationTrace(try arguments.load())
            if arguments.json { try FileHandleOutput.json(trace); return }
            var table = TextTable(["generation", "candidates", "evaluated", "rejected", "failed", "best", "median", "best so far"],
                                  rightAligned: Set(0...7))
            for g in trace.generations {
                table.add(["\(g.generation)", "\(g.candidates)", "\(g.evaluated)", "\(g.rejected)", "\(g.failed)",
                           HistoryFormat.percent(g.best), HistoryFormat.percent(g.median), HistoryFormat.percent(g.bestSoFar)])
            }
            table.print()
        }
    }
}
