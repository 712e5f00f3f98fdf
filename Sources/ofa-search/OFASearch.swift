import ArgumentParser

@main
struct OFASearch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ofa-search",
        abstract: "Memory-efficient on-device transfer learning: OFA supernets, TinyTL, memory-constrained search.",
        subcommands: [SearchCommand.self, HistoryCommand.self, Eval.self, MemoryCommand.self, Predict.self, Convert.self,
                      SupernetCommand.self, DatasetsCommand.self, Train.self],
        defaultSubcommand: SearchCommand.self)
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
