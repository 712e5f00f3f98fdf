import ArgumentParser

@main
struct OFASearch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ofa-search",
        abstract: "Memory-efficient on-device transfer learning: OFA supernets, TinyTL, memory-constrained search.",
        discussion: """
            Example: ofa-search --dataset ../shared/datasets/flowers5 --mem 32MB

            finds the most accurate network to fine-tune on flowers5 within 32 MB of training memory, trains it, \
            and writes best.h5, summary.json and report.html into Searches/<dataset>-<budget>-<time>/.
            """,
        version: "0.3.0",
        subcommands: [SearchCommand.self, HistoryCommand.self, Eval.self, MemoryCommand.self, Predict.self, Convert.self,
                      SupernetCommand.self, DatasetsCommand.self, Train.self],
        defaultSubcommand: SearchCommand.self)

    /// Without arguments: the overview with the example (the default subcommand would demand its flags).
    static func main() {
        guard CommandLine.arguments.count > 1 else {
            print(helpMessage())
            return
        }
        main(nil)
    }
}

/// Runs `body`; a thrown error becomes one line on stderr and exit code 1, never a stack trace.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        printError("error: \(error)")
        throw ExitCode.failure
    }
}

/// Writes a line to stderr (progress and errors; results go to stdout).
func printError(_ line: String) {
    var stderr = StandardError()
    print(line, to: &stderr)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandleOutput.stderr(string)
    }
}
