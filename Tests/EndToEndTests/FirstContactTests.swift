import Foundation
import Testing

/// What a new user meets first: `ofa-search` alone and `--version`.
struct FirstContactTests {
    @Test func noArgumentsGiveTheOverviewWithAnExample() throws {
        let r = try OFASearchCommand.run([])
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("OVERVIEW: "), "\(r.stdout)")
        #expect(r.stdout.contains("Example: ofa-search --dataset ../shared/datasets/flowers5 --mem 32MB"))
        for subcommand in ["search (default)", "history", "train", "memory", "eval", "predict"] {
            #expect(r.stdout.contains("  \(subcommand) "), "\(subcommand) missing from the overview")
        }
    }

    @Test func versionIsPrinted() throws {
        let r = try OFASearchCommand.run(["--version"])
        #expect(r.status == 0 && r.stdout.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil,
                "\(r.stdout)")
    }
}
