import Foundation
import History
import OFATestSupport
import Supernets
import Testing
import Transfer

/// `ofa-search search` end to end at CI size: the w0.2 OFA-MobileNetV3 fixture supernet, a three-class pattern
/// dataset of 32×32 PNGs (6 train and 4 test images per class), 128 and 160 px, batch 4,
/// population 4, 2 generations, 1 adaptation and 1 final epoch, methods bias and lite-residual+bias. The budget is
/// read from the planner, not written down: exactly what `memory` budgets for the max subnet with bias at 128 px (the
/// same function the search budgets with), so that obvious choice fits to the byte, and larger candidates (160 px,
/// lite residuals) are rejected however the planner's accounting evolves.
@Suite(.serialized)
struct SearchCommandTests {
    /// The search flags shared by every run here (seed 3), without --out; `budget` in bytes.
    static func searchArguments(supernet: String, data: String, budget: Int) -> [String] {
        ["search", "--dataset", data, "--mem", "\(budget)B", "--supernet", supernet, "--resolutions", "128,160", "--batch", "4",
         "--population", "4", "--generations", "2", "--adapt-epochs", "1", "--final-epochs", "1",
         "--calibration-images", "8", "--val-fraction", "0.25", "--seed", "3", "--method", "bias,lite-residual+bias",
         "--lr-test-steps", "20"]
    }

    /// `--dry-run --json`, the planned-memory range of its random draws (bytes).
    struct DryRun: Decodable {
        let smallestPlannedBytes: Int, largestPlannedBytes: Int, validationImages: Int
    }

    /// `summary.json` / `--json`, the fields compared here.
    struct Summary: Decodable, Equatable {
        struct Winner: Decodable, Equatable {
            let candidate: Int, arch: Architecture, resolution: Int
            let val_top1: Double, test_top1: Double, test_top5: Double, test_images: Int, planned_bytes: Int
        }
        struct Finalist: Decodable, Equatable {
            let candidate: Int, shared_val_top1: Double, trained_val_top1: Double, test_top1: Double
        }
        struct Baseline: Decodable, Equatable { let name: String, arch: Architecture, test_top1: Double }
        struct Selection: Decodable, Equatable {
            let leader: Int, reference: Int, p_value: Double, significance: Double
        }
        let budget_bytes: Int, candidates_evaluated: Int, candidates_over_budget: Int, generations: Int
        struct SeedRepeat: Decodable, Equatable { let candidate: Int, seeds: [UInt64], test_top1: [Double] }
        let finalists: [Finalist], baselines: [Baseline], selection: Selection?, seeds: [SeedRepeat]?
        let winner: Winner
    }

    /// The winner's measurements (they differ from run to run, so `Summary` leaves them out).
    struct Measured: Decodable {
        struct Winner: Decodable { let measured_bytes: Int, process_peak_bytes: Int? }
        let winner: Winner
    }

    /// The part of a candidate row that a resumed search must reproduce exactly.
    struct CandidateKey: Equatable, CustomStringConvertible {
        let id: Int, generation: Int, origin: CandidateOrigin, parents: [Int], status: CandidateStatus
        let archHash: String, plannedBytes: Int, valTop1: Double?, valLoss: Double?
        init(_ c: CandidateRecord) {
            id = c.id; generation = c.generation; origin = c.origin; parents = c.parents; status = c.status
            archHash = c.archHash; plannedBytes = c.plannedBytes; valTop1 = c.valTop1; valLoss = c.valLoss
        }
        var description: String { "#\(id) g\(generation) \(origin) \(parents) \(status) \(archHash) \(plannedBytes) \(String(describing: valTop1))" }
    }

    @Test func searchesUnderTheBudgetResumesAfterAKillAndExportsAReloadableNetwork() throws {
        try SupernetCommandTests.withScratch { dir in
            let supernet = try SupernetCommandTests.importSupernet(SupernetCommandTests.mbv3, into: dir)
            let data = try PatternImages.writeDataset(at: dir.appendingPathComponent("patterns"), train: 6, test: 4).path
            let d = try OFASearchCommand.run(Self.searchArguments(supernet: supernet, data: data, budget: 1_000_000_000) + ["--dry-run", "--json"])
            try #require(d.status == 0, "dry run failed: \(d.stderr)")
            let dry = try d.json(DryRun.self)
            try #require(dry.smallestPlannedBytes < dry.largestPlannedBytes, "\(d.stdout)")
            let m = try SupernetCommandTests.succeed(["memory", "--supernet", supernet, "--arch", "max", "--method", "bias", "--dataset", data,
                                                      "--resolution", "128", "--batch", "4", "--json"])
            let maxBias = try #require((try JSONSerialization.jsonObject(with: Data(m.stdout.utf8)) as? [String: Any])?["budgeted_bytes"] as? Int)
            try #require(dry.smallestPlannedBytes < maxBias && maxBias < dry.largestPlannedBytes, "\(maxBias) \(d.stdout)")
            let budgetBytes = maxBias
            // A user's architecture joins generation 0 after the obvious choice: the min subnet with bias.
            let enqueued = try Self.minBias(supernet)
            let arguments = Self.searchArguments(supernet: supernet, data: data, budget: budgetBytes)
                + ["--enqueue", enqueued]

            // 1. An uninterrupted search.
            let runA = dir.appendingPathComponent("a"), startedA = Date()
            let a = try OFASearchCommand.run(arguments + ["--output", runA.path, "--json"])
            let tookA = Date().timeIntervalSince(startedA)
            try #require(a.status == 0, "search failed: \(a.stderr)")
            let summaryA = try JSONDecoder().decode(Summary.self, from: Data(a.stdout.utf8))
            #expect(try JSONDecoder().decode(Summary.self, from: Data(contentsOf: runA.appendingPathComponent("summary.json"))) == summaryA)
            for file in ["history.sqlite", "best.h5", "adapted.h5", "summary.json", "search.log"] {
                #expect(FileManager.default.fileExists(atPath: runA.appendingPathComponent(file).path), "\(file) missing")
            }

            // 2. The history is complete and every evaluated candidate fits the budget.
            let store = try SQLiteSearchStore(openingAt: runA, readOnly: true)
            let run = try #require(try store.run())
            #expect(run.status == "finished" && run.resultJSON != nil && run.budgetBytes == budgetBytes)
            let candidates = try store.candidates()
            let evaluated = candidates.filter { $0.status == .evaluated }, rejected = candidates.filter { $0.status == .rejected }
            #expect(evaluated.count + rejected.count == candidates.count, "unfinished rows: \(candidates.map(CandidateKey.init))")
            #expect(!evaluated.isEmpty && !rejected.isEmpty, "the budget should admit some candidates and reject others")
            #expect(evaluated.allSatisfy { $0.plannedBytes <= budgetBytes && $0.valTop1 != nil && $0.valLoss != nil })
            #expect(rejected.allSatisfy { $0.plannedBytes > budgetBytes && $0.valTop1 == nil })
            #expect(candidates.map(\.id) == Array(1...candidates.count))
            #expect(Set(candidates.map(\.generation)) == [0, 1, 2])
            // Generation 0 starts with the obvious choice that fits: the max subnet with bias, planned exactly as `memory`
            // budgets it (one budget function), so it fits to the byte.
            let anchors = candidates.filter { $0.origin == .anchor }
            #expect(anchors.map(\.id) == [1, 2] && anchors.allSatisfy { $0.status == .evaluated })
            #expect(anchors.first?.plannedBytes == budgetBytes)
            #expect(anchors.first.map { $0.archJSON.contains(#""method": "bias""#) } == true)
            #expect(anchors.last?.archJSON == enqueued, "the --enqueue architecture is candidate #2")
            #expect(summaryA.candidates_evaluated == evaluated.count && summaryA.candidates_over_budget == rejected.count)
            let phases = try store.phases()
            #expect(phases.map(\.name) == ["lr", "adapt", "search", "finalists"] && phases.allSatisfy { $0.endedAt != nil }, "\(phases)")
            // The finalists are the best candidate of each method by shared-weight validation and the obvious choice;
            // the one best on validation after its own training on search-train (first of equals) wins if it is the
            // obvious choice or beats it significantly image by image, else the obvious choice wins; the obvious
            // choice's training is the baseline.
            let methodOf = Dictionary(uniqueKeysWithValues: evaluated.map { c in
                (c.id, (try? JSONSerialization.jsonObject(with: Data(c.archJSON.utf8)) as? [String: Any])?["method"] as? String ?? "?") })
            let bestOfMethod = Dictionary(grouping: evaluated) { methodOf[$0.id]! }.values
                .map { $0.max { ($0.valTop1!, -$0.id) < ($1.valTop1!, -$1.id) }!.id }
            #expect(Set(summaryA.finalists.map(\.candidate)) == Set(bestOfMethod + [1]))
            #expect(summaryA.finalists.map(\.shared_val_top1) == summaryA.finalists.map(\.shared_val_top1).sorted(by: >))
            let leader = try #require(summaryA.finalists.first { f in
                summaryA.finalists.allSatisfy { $0.trained_val_top1 <= f.trained_val_top1 }
            })
            let selection = try #require(summaryA.selection)
            #expect(selection.leader == leader.candidate && selection.reference == 1 && selection.significance == 0.05)
            let chosen = try #require(summaryA.finalists.first {
                $0.candidate == (leader.candidate == 1 || selection.p_value < 0.05 ? leader.candidate : 1)
            })
            #expect(summaryA.winner.candidate == chosen.candidate && summaryA.winner.val_top1 == chosen.trained_val_top1)
            #expect(summaryA.winner.test_top1 == chosen.test_top1)
            #expect(summaryA.winner.planned_bytes <= budgetBytes && summaryA.winner.test_images == 12)
            let anchor = try #require(summaryA.finalists.first { $0.candidate == 1 })
            let anchorArch = try JSONDecoder().decode(Architecture.self, from: Data(anchors[0].archJSON.utf8))
            #expect(summaryA.baselines == [.init(name: "max subnet, bias", arch: anchorArch, test_top1: anchor.test_top1)])
            let left = try FileManager.default.contentsOfDirectory(atPath: runA.path).filter { $0.hasSuffix(".h5") }
            #expect(Set(left) == ["best.h5", "adapted.h5"], "only the winner's trained file is kept: \(left)")
            // The winner trained in its own `ofa-search train` process, which measured itself within the budget.
            let w = try JSONDecoder().decode(Measured.self, from: Data(a.stdout.utf8)).winner
            #expect(w.measured_bytes > 0 && w.measured_bytes <= budgetBytes && (w.process_peak_bytes ?? 0) > w.measured_bytes)
            let log = try String(contentsOf: runA.appendingPathComponent("search.log"), encoding: .utf8)
            let label = "[#\(summaryA.winner.candidate)]"
            #expect(log.contains("\(label) memory: planned") && log.contains("\(label) epoch 1/1"), "\(log)")
            // The dry run counted the validation split the search then held out.
            #expect(log.contains("chosen on \(dry.validationImages) validation images"), "\(dry.validationImages)")
            // Each method's learning rate came from its range test, and the winner trained with its method's.
            let rates = try JSONDecoder().decode([String: Double].self, from: Data(contentsOf: runA.appendingPathComponent("learning-rates.json")))
            #expect(Set(rates.keys) == ["bias", "lite-residual+bias"] && rates.values.allSatisfy { $0 > 1e-6 && $0 < 0.1 }, "\(rates)")
            #expect(log.contains("learning rate of bias: ") && log.contains("range test over"), "\(log)")

            // 3. best.h5 reloads and re-evaluates to exactly the stored test accuracy; predict names the classes.
            let bestFile = runA.appendingPathComponent("best.h5").path
            let e = try SupernetCommandTests.succeed(["eval", bestFile, "--dataset", data, "--batch", "5", "--json"])
            let evaluation = try #require(try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as? [String: Any])
            #expect(evaluation["matches_stored"] as? Bool == true, "\(e.stdout)")
            #expect(evaluation["images"] as? Int == 12 && evaluation["top1"] as? Double == summaryA.winner.test_top1
                    && evaluation["top5"] as? Double == summaryA.winner.test_top5)
            let image = URL(fileURLWithPath: data).appendingPathComponent("test/blue-checks/0.png").path
            let p = try SupernetCommandTests.succeed(["predict", bestFile, image, "--top", "3"])   // the weights file first, without --weights
            let names = p.stdout.split(separator: "\n").dropFirst(2).map { $0.split(separator: " ").last.map(String.init) ?? "" }
            #expect(Set(names) == Set(PatternImages.patterns.map(\.name)), "\(p.stdout)")
            let renamed = dir.appendingPathComponent("renamed")
            try FileManager.default.copyItem(at: URL(fileURLWithPath: data), to: renamed)
            try FileManager.default.moveItem(at: renamed.appendingPathComponent("test/red-rows"), to: renamed.appendingPathComponent("test/apple"))
            try FileManager.default.moveItem(at: renamed.appendingPathComponent("train/red-rows"), to: renamed.appendingPathComponent("train/apple"))
            let mismatch = try OFASearchCommand.run(["eval", bestFile, "--dataset", renamed.path])
            #expect(mismatch.status != 0 && mismatch.stderr == "error: \(bestFile) was not trained on \(renamed.path): class 0 is "
                    + "'blue-checks' in the file but 'apple' in the dataset — evaluate on the dataset it was trained on (see its provenance attribute)\n")

            // 4. The same search killed with SIGKILL once candidates are committed, then resumed, ends exactly as run A.
            // The wait scales with run A's duration (twice it, at least 180 s): parallel suites on two cores slow both alike.
            let runB = dir.appendingPathComponent("b")
            let committed = try Self.killOnceCandidatesAreCommitted(arguments + ["--output", runB.path], run: runB, evaluated: 2,
                                                                    within: max(180, 2 * tookA))
            #expect(committed >= 2 && committed < evaluated.count, "killed after \(committed) of \(evaluated.count) evaluations")
            let r = try OFASearchCommand.run(["search", "--resume", runB.path, "--json"])
            try #require(r.status == 0, "resume failed: \(r.stderr)")
            let summaryB = try JSONDecoder().decode(Summary.self, from: Data(r.stdout.utf8))
            #expect(summaryB == summaryA)
            let storeB = try SQLiteSearchStore(openingAt: runB, readOnly: true)
            #expect(try storeB.run()?.status == "finished")
            #expect(try storeB.candidates().map(CandidateKey.init) == candidates.map(CandidateKey.init))
            #expect(Set(try storeB.phases().map(\.name)) == ["lr", "adapt", "search", "finalists"])

            // 5. Run A continued for one more generation and a second seed: the stored candidates replayed first,
            // finalists already trained kept, the winner and the obvious choice trained again with seed 4.
            let more = try OFASearchCommand.run(["search", "--resume", runA.path, "--generations",
                                                 "\(summaryA.generations + 1)", "--seeds", "2", "--json",
                                                 "--progress", "json"])
            try #require(more.status == 0, "continuing failed: \(more.stderr)")
            let summaryMore = try JSONDecoder().decode(Summary.self, from: Data(more.stdout.utf8))
            #expect(summaryMore.generations == summaryA.generations + 1)
            let continued = try SQLiteSearchStore(openingAt: runA, readOnly: true).candidates()
            #expect(continued.count > candidates.count)
            #expect(Array(continued.prefix(candidates.count)).map(CandidateKey.init) == candidates.map(CandidateKey.init))
            let repeats = try #require(summaryMore.seeds)
            #expect(Set(repeats.map(\.candidate)) == Set([summaryMore.winner.candidate] + [anchors[0].id]), "\(repeats)")
            #expect(repeats.allSatisfy { $0.seeds == [3, 4] && $0.test_top1.count == 2 })
            #expect(FileManager.default.fileExists(atPath: runA.appendingPathComponent("best.h5").path))
            // --progress json: every stderr line one object, the phases, candidates and the end among them.
            let events = more.stderr.split(separator: "\n").map {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
            }
            #expect(events.allSatisfy { $0?["event"] is String && $0?["message"] is String && $0?["time"] is Double },
                    "\(more.stderr)")
            let kinds = Set(events.compactMap { $0?["event"] as? String })
            #expect(kinds.isSuperset(of: ["log", "phase_start", "phase_end", "candidate", "finished"]), "\(kinds)")
            #expect(events.contains { $0?["message"] as? String
                                      == "continuing to \(summaryA.generations + 1) generations and 2 seed(s)" })
            let candidateEvent = try #require(events.first { $0?["event"] as? String == "candidate" } ?? nil)
            #expect(candidateEvent["phase"] as? String == "search" && candidateEvent["val_top1"] is Double)

            // 6. A budget below the smallest subnet fails with one line naming the smallest planned memory.
            let runC = dir.appendingPathComponent("c")
            let tooSmallBytes = dry.smallestPlannedBytes / 2
            var tooSmall = Self.searchArguments(supernet: supernet, data: data, budget: tooSmallBytes)
            tooSmall[tooSmall.firstIndex(of: "--adapt-epochs")! + 1] = "0"
            let c = try OFASearchCommand.run(tooSmall + ["--output", runC.path])
            #expect(c.status != 0 && c.stdout.isEmpty)
            let errors = c.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") || $0.contains("Fatal") }
            #expect(errors.count == 1 && c.stderr.hasSuffix(errors.first.map { $0 + "\n" } ?? "-"), "\(c.stderr)")
            let line = String(errors.first ?? "")
            #expect(line.hasPrefix("error: no subnet fits --mem "), "\(line)")
            let smallest = try #require(Self.megabytes(after: "the smallest planned is ", in: line), "\(line)")
            let smallestSeen = min(dry.smallestPlannedBytes, candidates.map(\.plannedBytes).min()!)
            #expect(smallest * 1e6 > Double(tooSmallBytes) && smallest * 1e6 <= Double(smallestSeen) + 5_000, "\(line)")
            #expect(!FileManager.default.fileExists(atPath: runC.appendingPathComponent("best.h5").path))
        }
    }

    /// `--predictor mlp`: OFA's accuracy predictor pre-screens the children; the history records it, and a
    /// resumed search (continued by a generation) replays the stored candidates exactly, which needs the predictor
    /// refitted to the same answers to choose the same children.
    @Test func accuracyPredictorScreensChildrenReproducibly() throws {
        try SupernetCommandTests.withScratch { dir in
            let supernet = try SupernetCommandTests.importSupernet(SupernetCommandTests.mbv3, into: dir)
            let data = try PatternImages.writeDataset(at: dir.appendingPathComponent("patterns"), train: 6, test: 4).path
            var arguments = Self.searchArguments(supernet: supernet, data: data, budget: 1_000_000_000)
            arguments[arguments.firstIndex(of: "--generations")! + 1] = "1"
            let run = dir.appendingPathComponent("d")
            let first = try OFASearchCommand.run(arguments + ["--predictor", "mlp", "--finalists", "0",
                                                              "--output", run.path])
            try #require(first.status == 0, "\(first.stderr)")
            #expect(first.stderr.contains("search: accuracy predictor fitted to 4 candidates; each child is the best "
                                          + "predicted of 4 proposals"), "\(first.stderr)")
            let stored = try SQLiteSearchStore(openingAt: run, readOnly: true)
            #expect(try stored.run()?.settingsJSON.contains(#""predictor":"mlp""#) == true)
            let before = try stored.candidates().map(CandidateKey.init)
            let more = try OFASearchCommand.run(["search", "--resume", run.path, "--generations", "2"])
            try #require(more.status == 0, "\(more.stderr)")
            let after = try SQLiteSearchStore(openingAt: run, readOnly: true).candidates().map(CandidateKey.init)
            #expect(Array(after.prefix(before.count)) == before && after.count > before.count)
        }
    }

    /// The min subnet of `supernet` with bias at 128 px, as JSON (canonical already: every gene at its smallest, no
    /// lite residual placement).
    static func minBias(_ supernet: String) throws -> String {
        var config = ArchConfig.min(try Supernet.read(from: URL(fileURLWithPath: supernet)).space, resolution: 128)
        config.method = .bias
        return config.json
    }

    /// An `--enqueue` architecture the search cannot use is one line naming it, before any run directory exists.
    @Test func badEnqueuedArchitecturesGiveOneLine() throws {
        try SupernetCommandTests.withScratch { dir in
            let supernet = try SupernetCommandTests.importSupernet(SupernetCommandTests.mbv3, into: dir)
            let data = try PatternImages.writeDataset(at: dir.appendingPathComponent("patterns"), train: 2,
                                                      test: 1).path
            let space = try Supernet.read(from: URL(fileURLWithPath: supernet)).space
            let noMethod = ArchConfig.min(space, resolution: 128).json
            var at144 = ArchConfig.min(space, resolution: 144)
            at144.method = .bias
            // Population 4 holds the two obvious choices and at most two enqueued architectures.
            let three = Array(repeating: ["--enqueue", try Self.minBias(supernet)], count: 3).flatMap { $0 }
            let cases = [(["--enqueue", noMethod], "--enqueue architecture 1 needs a \"method\" the search uses: "
                          + "one of bias, lite-residual+bias"),
                         (["--enqueue", at144.json], "--enqueue architecture 1 has resolution 144, not one of "
                          + "--resolutions 128,160"),
                         (["--enqueue", "nonsense"], "--enqueue architecture 1: "),
                         (three, "--enqueue: 3 architectures and up to 2 obvious choices exceed --population 4")]
            for (extra, message) in cases {
                let out = dir.appendingPathComponent("run-\(UUID().uuidString)")
                let arguments = Self.searchArguments(supernet: supernet, data: data, budget: 1_000_000_000)
                let r = try OFASearchCommand.run(arguments + extra + ["--output", out.path])
                let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") || $0.hasPrefix("Error:") }
                #expect(r.status != 0 && errors.count == 1 && r.stderr.contains(message), "\(r.stderr)")
                #expect(!FileManager.default.fileExists(atPath: out.path))
            }
        }
    }

    @Test(arguments: [("full", "unknown or unsearchable --method 'full'"), ("bias,lora", "unknown or unsearchable --method 'lora'")])
    func unsearchableMethodsGiveOneLine(_ method: String, _ message: String) throws {
        let r = try OFASearchCommand.run(["search", "--dataset", "x", "--mem", "32MB", "--method", method])
        #expect(r.status != 0 && r.stdout.isEmpty)
        let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") || $0.hasPrefix("Error:") }
        #expect(errors.count == 1 && r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stderr.contains("last, bias, bn+last, lite-residual, lite-residual+bias"), "\(r.stderr)")
    }

    @Test func evalRefusesFilesThatAreNotTrainedNetworks() throws {
        try SupernetCommandTests.withScratch { dir in
            let supernet = try SupernetCommandTests.importSupernet(SupernetCommandTests.mbv3, into: dir)
            let data = try PatternImages.writeDataset(at: dir.appendingPathComponent("patterns"), train: 1, test: 1).path
            let r = try OFASearchCommand.run(["eval", supernet, "--dataset", data])
            #expect(r.status != 0 && r.stdout.isEmpty)
            #expect(r.stderr == "error: \(supernet) has format ofa-search/supernet v1, expected ofa-search/trained-subnet v1 — "
                    + "write one with `ofa-search train` or `ofa-search search`\n")
        }
    }

    /// Runs `ofa-search arguments`, polls `run`'s history read-only, and kills the search with SIGKILL as soon as
    /// at least `evaluated` candidates are committed as evaluated, or `within` seconds have passed; returns how many were.
    static func killOnceCandidatesAreCommitted(_ arguments: [String], run: URL, evaluated: Int,
                                               within seconds: TimeInterval) throws -> Int {
        let process = Process()
        process.executableURL = OFASearchCommand.executable
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(seconds)
        var count = 0
        while process.isRunning && Date() < deadline {
            if let store = try? SQLiteSearchStore(openingAt: run, readOnly: true),
               let rows = try? store.candidates() {
                count = rows.filter { $0.status == .evaluated }.count
                if count >= evaluated { break }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the search ended before it was killed")
        return count
    }

    /// The number before " MB" that follows `prefix` in `text`.
    static func megabytes(after prefix: String, in text: String) -> Double? {
        guard let start = text.range(of: prefix)?.upperBound else { return nil }
        return Double(text[start...].prefix { $0.isNumber || $0 == "." })
    }
}
