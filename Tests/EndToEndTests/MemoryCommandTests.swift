import Foundation
import OFATestSupport
import Testing

/// `ofa-search memory` on the shipped supernet: the planner's ledger beside TinyTL's formula, and bad input.
struct MemoryCommandTests {
    static let supernet = TestPaths.repositoryRoot.appendingPathComponent("Supernets/effnet-lite0-elastic.h5").path
    static let base = ["memory", "--supernet", supernet, "--arch", "min", "--method", "bias", "--resolution", "128", "--batch", "8"]

    struct Report: Decodable {
        struct Planner: Decodable {
            let peakBytes: Int, arenaBytes: Int, peakOp: String, ledgerAtPeak: [String: Int], tensorsAtPeakCount: Int
        }
        struct Formula: Decodable { let memoryBytes: Double, peakActivationBytesPerSample: Double, parameterBytes: Double }
        let method: String, batch: Int, planner: Planner, formula: Formula, budgetBytes: Int?, fits: Bool?
        let budgetedBytes: Int, inputBatchBytes: Int, imageTransformBytes: Int, runtimeBytes: Int
    }

    @Test func jsonHasTheLedgerAndTheFormula() throws {
        let r = try OFASearchCommand.run(Self.base + ["--json", "--mem", "32MB"])
        try #require(r.status == 0, "\(r.stderr)")
        let report = try r.json(Report.self)
        #expect(report.method == "bias" && report.batch == 8 && report.budgetBytes == 32_000_000)
        #expect(report.planner.ledgerAtPeak.values.reduce(0, +) == report.planner.peakBytes)
        #expect(report.planner.peakBytes <= report.planner.arenaBytes && report.planner.tensorsAtPeakCount > 0)
        // The budget counts what the search counts: the arena, the input batch, the loader's working set, the runtime.
        #expect(report.budgetedBytes == report.planner.arenaBytes + report.inputBatchBytes + report.imageTransformBytes + report.runtimeBytes)
        #expect(report.inputBatchBytes == 4 * 8 * 128 * 128 * 3 && report.runtimeBytes > 0 && report.imageTransformBytes > 0)
        #expect(report.fits == (report.budgetedBytes <= 32_000_000))
        let tight = try OFASearchCommand.run(Self.base + ["--json", "--mem", "\(report.planner.arenaBytes + 1)B"])
        #expect(try tight.json(Report.self).fits == false,
                "a budget the arena alone fits is not enough for training")
        #expect(abs(report.formula.memoryBytes - (8 * report.formula.peakActivationBytesPerSample + report.formula.parameterBytes)) < 1)
        for category in ["frozen weights", "trainable weights", "gradients", "optimizer state", "saved activations",
                         "transient activations", "scratch"] {
            #expect(report.planner.ledgerAtPeak[category] != nil, "\(category)")
        }
    }

    /// `--budget`, the old name of `--mem`, still works for one release, with a note; both at once is an error.
    @Test func oldFlagNameStillWorks() throws {
        let old = try OFASearchCommand.run(Self.base + ["--json", "--budget", "32MB"])
        try #require(old.status == 0, "\(old.stderr)")
        #expect(try old.json(Report.self).budgetBytes == 32_000_000)
        #expect(old.stderr.contains("note: --budget is now --mem; the old name goes in the next release"),
                "\(old.stderr)")
        let both = try OFASearchCommand.run(Self.base + ["--mem", "32MB", "--budget", "32MB"])
        #expect(both.status != 0 && both.stderr.contains("give --mem only — --budget is its old name"),
                "\(both.stderr)")
    }

    /// Without --supernet and --arch: the shipped supernet (as search uses) and its max subnet.
    @Test func defaultsToTheShippedSupernetsMaxSubnet() throws {
        let rest = ["--method", "bias", "--resolution", "128", "--batch", "8", "--json"]
        let implicit = try OFASearchCommand.run(["memory"] + rest)
        let explicit = try OFASearchCommand.run(["memory", "--supernet", Self.supernet, "--arch", "max"] + rest)
        try #require(implicit.status == 0 && explicit.status == 0, "\(implicit.stderr) \(explicit.stderr)")
        let a = try implicit.json(Report.self)
        let b = try explicit.json(Report.self)
        #expect(a.budgetedBytes == b.budgetedBytes && a.planner.arenaBytes == b.planner.arenaBytes)
    }

    /// GN mode under `bias`: the planner keeps every GroupNorm's input, the formula counts none of it.
    @Test func groupNormModeKeepsNormInputs() throws {
        func saved(_ norm: String) throws -> Int {
            let r = try OFASearchCommand.run(Self.base + ["--json", "--norm", norm])
            try #require(r.status == 0, "\(r.stderr)")
            return try r.json(Report.self).planner.ledgerAtPeak["saved activations"]!
        }
        #expect(try saved("gn") > 2 * saved("frozen-bn"))
    }

    @Test func textPrintsMegabytes() throws {
        let r = try OFASearchCommand.run(Self.base)
        try #require(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("planner (exact for this engine): ") && r.stdout.contains("live tensors peak at ") && r.stdout.contains(" MB"))
        #expect(r.stdout.contains("TinyTL formula: ") && r.stdout.contains("optimizer state"))
    }

    struct BadInput: CustomTestStringConvertible, Sendable {
        let id: String, arguments: [String], message: String
        var testDescription: String { id }
    }

    static let badInputs: [BadInput] = [
        BadInput(id: "budget 32XB", arguments: ["--mem", "32XB"], message: "'32XB' is not a memory size"),
        BadInput(id: "budget 32", arguments: ["--mem", "32"], message: "'32' has no unit — write 32MB or 32MiB"),
        BadInput(id: "batch 0", arguments: ["--batch", "0"], message: "--batch must be at least 1, got 0"),
        BadInput(id: "resolution 64", arguments: ["--resolution", "64"], message: "--resolution 64 is outside the supernet's range 128...224"),
        BadInput(id: "resolution 512", arguments: ["--resolution", "512"], message: "--resolution 512 is outside the supernet's range"),
        BadInput(id: "norm", arguments: ["--norm", "ln"], message: "'ln'"),
        BadInput(id: "method", arguments: ["--method", "lora"], message: "unknown --method 'lora'"),
        BadInput(id: "arch method", arguments: ["--arch", #"{"ks": 3, "e": 6, "d": 2, "method": "lora"}"#],
                 message: #""method" must be one of full, bn+last, last, bias, lite-residual, lite-residual+bias, got lora"#),
        BadInput(id: "arch lr length", arguments: ["--arch", #"{"ks": 3, "e": 6, "d": 2, "lr": [1, 0]}"#],
                 message: "arch has 2 lr entries; effnet-lite0-elastic needs 15 (one 0 or 1 per block position)"),
        BadInput(id: "arch method and --method", arguments: ["--arch", #"{"ks": 3, "e": 6, "d": 2, "method": "last"}"#],
                 message: #"--method bias contradicts the architecture's "method": "last""#),
    ]

    @Test(arguments: badInputs)
    func badInputGivesOneLine(_ c: BadInput) throws {
        let r = try OFASearchCommand.run(Self.base + c.arguments)
        #expect(r.status != 0)
        #expect(r.stderr.contains(c.message), "\(r.stderr)")
        let errorLines = r.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") || $0.hasPrefix("Error:") }
        #expect(errorLines.count == 1, "\(r.stderr)")
    }
}
