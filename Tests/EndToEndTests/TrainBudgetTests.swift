import Foundation
import OFATestSupport
import Testing
import Transfer

/// `ofa-search train --budget`: the plan is checked before training, the process's measured peak growth after it;
/// either over budget fails with one line and no output, and an unreadable status file cannot pass.
@Suite(.serialized)
struct TrainBudgetTests {
    struct Result: Decodable {
        struct Certificate: Decodable {
            struct Measured: Decodable { let peakGrowthBytes: Int, processPeakBytes: Int }
            let budgetBytes: Int, plannedBytes: Int, measured: Measured
        }
        let top1: Double, budgetedBytes: Int, certificate: Certificate?
    }

    static func arguments(_ supernet: String, _ data: String, _ out: String, budget: Int) -> [String] {
        ["train", "--supernet", supernet, "--arch", "min", "--dataset", data, "--method", "bias", "--epochs", "1",
         "--batch", "3", "--resolution", "128", "--json", "-o", out, "--mem", "\(budget)B"]
    }

    /// The budgeted bytes of the run (`train` prints them; the budget check uses the same number).
    static func budgeted(_ supernet: String, _ data: String, _ dir: URL) throws -> Int {
        let out = dir.appendingPathComponent("probe.h5").path
        let r = try OFASearchCommand.run(Self.arguments(supernet, data, out, budget: 1_000_000_000))
        try #require(r.status == 0, "\(r.stderr)")
        return try r.json(Result.self).budgetedBytes
    }

    @Test func aRunWithinBudgetRecordsItsCertificate() throws {
        try TrainCommandTests.withSetup { dir, supernet, data in
            let out = dir.appendingPathComponent("t.h5").path
            let r = try OFASearchCommand.run(Self.arguments(supernet, data, out, budget: 1_000_000_000))
            try #require(r.status == 0, "\(r.stderr)")
            let c = try #require(try r.json(Result.self).certificate)
            #expect(c.budgetBytes == 1_000_000_000 && c.plannedBytes > 0)
            #expect(c.measured.peakGrowthBytes > 0 && c.measured.processPeakBytes > c.measured.peakGrowthBytes)
            #expect(r.stderr.contains("measured peak growth"), "\(r.stderr)")
            let stored = try #require(try TrainedSubnetFile.read(from: URL(fileURLWithPath: out)).memoryCertificate)
            #expect(stored.contains("\"measured_peak_growth_bytes\":\(c.measured.peakGrowthBytes)")
                    && stored.contains("\"passes\":true"))
        }
    }

    @Test func aPlanOverBudgetFailsBeforeTraining() throws {
        try TrainCommandTests.withSetup { dir, supernet, data in
            let planned = try Self.budgeted(supernet, data, dir), out = dir.appendingPathComponent("t.h5").path
            let r = try OFASearchCommand.run(Self.arguments(supernet, data, out, budget: planned - 1))
            #expect(r.status == 1 && r.stderr.contains("exceeds the budget") && !r.stderr.contains("epoch 1/1"),
                    "\(r.stderr)")
            #expect(r.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }.count == 1)
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    /// A budget the plan fits but the measurement does not: the status file reports a peak 50 MB above the resident
    /// size (`OFA_PROC_STATUS`), so the run trains, then fails the certificate.
    @Test func aMeasurementOverBudgetFailsTheRun() throws {
        try TrainCommandTests.withSetup { dir, supernet, data in
            let planned = try Self.budgeted(supernet, data, dir), out = dir.appendingPathComponent("t.h5").path
            let status = dir.appendingPathComponent("status")
            try "Name:\tofa-search\nVmHWM:\t   60000 kB\nVmRSS:\t   10000 kB\n"
                .write(to: status, atomically: true, encoding: .utf8)
            let r = try OFASearchCommand.run(Self.arguments(supernet, data, out, budget: planned),
                                             environment: ["OFA_PROC_STATUS": status.path])
            #expect(r.status == 1 && r.stderr.contains("epoch 1/1"), "\(r.stderr)")
            #expect(r.stderr.contains("error: measured training memory 51.20 MB exceeds the budget"), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    @Test func anUnreadableStatusFileCannotPass() throws {
        try TrainCommandTests.withSetup { dir, supernet, data in
            let out = dir.appendingPathComponent("t.h5").path
            let r = try OFASearchCommand.run(
                Self.arguments(supernet, data, out, budget: 1_000_000_000),
                environment: ["OFA_PROC_STATUS": dir.appendingPathComponent("missing").path])
            #expect(r.status == 1 && r.stderr.contains("cannot measure training memory: VmHWM is not readable"),
                    "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }
}
