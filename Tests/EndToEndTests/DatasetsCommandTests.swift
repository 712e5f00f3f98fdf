import Foundation
import OFATestSupport
import Testing

/// `ofa-search datasets list | info | verify` as a user runs them; scratch data in a fresh temporary folder.
struct DatasetsCommandTests {
    static let fixtures = TestPaths.fixture("datasets")
    static let truncatedJPEG = TestPaths.fixture("images/truncated.jpg")

    /// Runs `body` with a fresh temporary folder and an environment whose dataset roots are inside it.
    static func withScratch<T>(_ body: (URL, [String: String]) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ofa-e2e-datasets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        return try body(dir, ["OFA_DATA": "", "XDG_CACHE_HOME": dir.appendingPathComponent("cache").path])
    }

    static func copy(_ fixture: String, to dir: URL, as name: String) throws -> URL {
        let target = dir.appendingPathComponent(name)
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent(fixture), to: target)
        return target
    }

    /// Runs and requires exit 1 with exactly one line on stderr, which it returns.
    static func failOneLine(_ arguments: [String], env: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let r = try OFASearchCommand.run(arguments, environment: env)
        #expect(r.status == 1, "exit \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.hasPrefix("error: "), "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        return String(lines.first ?? "")
    }

    // MARK: - list

    struct Listing: Decodable {
        struct Dataset: Decodable { let name: String; let aliases: [String]; let location: String?; let searched: [String] }
        let roots: [String]
        let datasets: [Dataset]
    }

    @Test func listShowsWhereEachWasFound() throws {
        try Self.withScratch { dir, env in
            let root = dir.appendingPathComponent("data")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            _ = try Self.copy("cifar/cifar-10-batches-bin", to: root, as: "cifar10")
            let text = try OFASearchCommand.run(["datasets", "list", "--data-root", root.path], environment: env)
            #expect(text.status == 0 && text.stderr.isEmpty)
            #expect(text.stdout.contains("cifar10\n    CIFAR-10 binary batches") && text.stdout.contains("found: \(root.path)/cifar10"))
            #expect(text.stdout.contains("flowers102, alias flowers") && text.stdout.contains("not found — run `ofa-search datasets download flowers102`"))
            let json = try OFASearchCommand.run(["datasets", "list", "--data-root", root.path, "--json"], environment: env)
            let listing = try json.json(Listing.self)
            #expect(listing.roots == [root.path, dir.appendingPathComponent("cache/ofa-search/datasets").path])
            #expect(listing.datasets.map(\.name) == ["flowers102", "cifar10", "cifar100"])
            #expect(listing.datasets[1].location == root.appendingPathComponent("cifar10").path)
            #expect(listing.datasets[0].location == nil && listing.datasets[0].searched.count == 4 && listing.datasets[0].aliases == ["flowers"])
        }
    }

    // MARK: - info

    struct Summary: Decodable {
        struct Range: Decodable { let min: Int, median: Int, max: Int }
        struct SplitSummary: Decodable {
            let split: String, images: Int, perClass: [Int], sampled: Int, corrupt: Int, corruptImages: [String]
            let width: Range?, height: Range?
        }
        let name: String, classes: [String], images: Int, splits: [SplitSummary]
    }

    @Test func infoOfASplitFolder() throws {
        let folder = Self.fixtures.appendingPathComponent("folders/split").path
        let r = try OFASearchCommand.run(["datasets", "info", folder, "--json"])
        try #require(r.status == 0, "\(r.stderr)")
        let s = try r.json(Summary.self)
        #expect(s.classes == ["Bee", "ant", "cat"] && s.images == 11)
        #expect(s.splits.map(\.split) == ["train", "valid", "test"] && s.splits.map(\.images) == [7, 2, 2])
        #expect(s.splits[0].perClass == [2, 3, 2] && s.splits[0].sampled == 7 && s.splits[0].corrupt == 0)
        #expect(s.splits[0].width.map { [$0.min, $0.median, $0.max] } == [4, 7, 10])
        #expect(s.splits[0].height.map { [$0.min, $0.median, $0.max] } == [4, 6, 9])
        let text = try OFASearchCommand.run(["datasets", "info", folder, "--sample", "3"])
        #expect(text.stdout.contains("3 classes, 11 images") && text.stdout.contains("(3 of 3 decoded)"), "\(text.stdout)")
    }

    @Test func infoOfAFlatFolderWithASplitAndOfCIFAR() throws {
        let flat = Self.fixtures.appendingPathComponent("folders/flat").path
        let r = try OFASearchCommand.run(["datasets", "info", flat, "--split-ratios", "0.6,0.2,0.2", "--seed", "3", "--json"])
        let s = try r.json(Summary.self)
        #expect(s.splits.map(\.images) == [10, 3, 3])
        let cifar = try OFASearchCommand.run(["datasets", "info", Self.fixtures.appendingPathComponent("cifar").path, "--json"])
        let c = try cifar.json(Summary.self)
        #expect(c.classes.first == "airplane" && c.splits.map(\.images) == [10, 3] && c.splits[1].width?.max == 32)
    }

    @Test(.enabled(if: TestPaths.sharedEnabled, "../shared is absent"))
    func infoOfFlowers5() throws {
        let shared = try #require(TestPaths.shared)
        try Self.withScratch { _, env in
            let r = try OFASearchCommand.run(["datasets", "info", "flowers5", "--data-root", shared.appendingPathComponent("datasets").path, "--json"],
                                             environment: env)
            try #require(r.status == 0, "\(r.stderr)")
            let s = try r.json(Summary.self)
            #expect(s.classes == ["daisy", "dandelion", "rose", "sunflower", "tulip"] && s.splits.map(\.images) == [3456, 429])
            #expect(s.splits.map(\.sampled) == [200, 200] && s.splits.allSatisfy { $0.corrupt == 0 && ($0.width?.min ?? 0) > 0 })
        }
    }

    // MARK: - verify and corrupt images

    struct Report: Decodable {
        struct Corrupt: Decodable { let path: String, reason: String }
        let name: String, images: Int, corrupt: Int, firstCorrupt: [Corrupt]
    }

    @Test func verifyCleanFolder() throws {
        let r = try OFASearchCommand.run(["datasets", "verify", Self.fixtures.appendingPathComponent("folders/split").path])
        #expect(r.status == 0 && r.stdout.hasSuffix(": all 11 images decode\n"), "\(r.stdout)")
        #expect(r.stderr == "verify: decoded 11/11 images\n")
    }

    @Test func corruptJPEGIsCountedAndNamed() throws {
        try Self.withScratch { dir, _ in
            let root = try Self.copy("folders/split", to: dir, as: "bugs")
            let bad = root.appendingPathComponent("train/ant/a0-truncated.jpg")
            try FileManager.default.copyItem(at: Self.truncatedJPEG, to: bad)
            let r = try OFASearchCommand.run(["datasets", "verify", root.path])
            #expect(r.status == 1)
            #expect(r.stdout.contains(": 1 of 12 images could not be decoded:\n  \(bad.path): truncated or corrupt JPEG"), "\(r.stdout)")
            let json = try OFASearchCommand.run(["datasets", "verify", root.path, "--json"])
            let report = try json.json(Report.self)
            #expect(json.status == 1 && report.corrupt == 1 && report.images == 12 && report.firstCorrupt.map(\.path) == [bad.path])
            let strict = try Self.failOneLineAfterProgress(["datasets", "verify", root.path, "--strict"])
            #expect(strict == "error: 1 of 12 images could not be decoded, e.g. \(bad.path) — remove them, or leave out --strict to skip them")
            let info = try OFASearchCommand.run(["datasets", "info", root.path, "--json"])
            let s = try info.json(Summary.self)
            #expect(info.status == 0 && s.splits[0].sampled == 8 && s.splits[0].corrupt == 1 && s.splits[0].width?.max == 10)
            let text = try OFASearchCommand.run(["datasets", "info", root.path])
            #expect(text.stdout.contains("(7 of 8 decoded; 1 corrupt skipped, e.g. \(bad.path): truncated or corrupt JPEG"), "\(text.stdout)")
        }
    }

    /// `verify --strict`: the progress line, then exactly one error line; returns the error line.
    static func failOneLineAfterProgress(_ arguments: [String]) throws -> String {
        let r = try OFASearchCommand.run(arguments)
        #expect(r.status == 1 && r.stdout.isEmpty)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasPrefix("verify: decoded"), "\(r.stderr)")
        return String(lines.last ?? "")
    }
}

// MARK: - Bad input: exit 1 and one line on stderr

extension DatasetsCommandTests {
    /// A bad dataset made in a scratch folder, the command to run on it, and the error line expected.
    struct BadInput: CustomTestStringConvertible, Sendable {
        let id: String
        /// Makes the data in the scratch folder; returns the arguments after `datasets info`.
        let prepare: @Sendable (URL) throws -> [String]
        /// The expected stderr line, given the scratch folder.
        let expected: @Sendable (URL) -> String
        var testDescription: String { id }
    }

    static let csvFixtures = fixtures.appendingPathComponent("csv")

    static let badInputs: [BadInput] = [
        BadInput(id: "empty class folder", prepare: { dir in
            let root = try copy("folders/flat", to: dir, as: "flat")
            try FileManager.default.createDirectory(at: root.appendingPathComponent("dog"), withIntermediateDirectories: true)
            return [root.path]
        }, expected: { "error: class folder \($0.path)/flat/dog has no JPEG or PNG images — add images or remove the folder" }),
        BadInput(id: "CIFAR label out of range", prepare: { dir in
            let root = try copy("cifar/cifar-10-batches-bin", to: dir, as: "c10")
            let file = root.appendingPathComponent("data_batch_3.bin")
            var data = try Data(contentsOf: file)
            data[3073] = 42
            try data.write(to: file)
            return [root.path]
        }, expected: { "error: \($0.path)/c10/data_batch_3.bin (record 1): label 42 is outside 0…9 — check the label file belongs to this dataset" }),
        BadInput(id: "truncated CIFAR batch", prepare: { dir in
            let root = try copy("cifar/cifar-10-batches-bin", to: dir, as: "c10")
            let file = root.appendingPathComponent("test_batch.bin")
            try Data(contentsOf: file).dropLast(100).write(to: file)
            return [root.path]
        }, expected: {
            "error: \($0.path)/c10/test_batch.bin: 9119 bytes is not a whole number of 3073-byte records (1 label + 3072 pixel bytes) — the file is truncated; download it again"
        }),
        BadInput(id: "CSV missing column", prepare: { _ in [csvFixtures.appendingPathComponent("missing-column.csv").path] },
                 expected: { _ in "error: \(csvFixtures.path)/missing-column.csv:3: missing the label column (found 1 of 2) — each line must be path,label" }),
        BadInput(id: "CSV path that does not exist", prepare: { _ in [csvFixtures.appendingPathComponent("missing-path.csv").path] },
                 expected: { _ in
                     "error: \(csvFixtures.path)/missing-path.csv:2: no such image file \(csvFixtures.path)/images/nope.jpg (relative paths start at the CSV's folder) — each line must be path,label"
                 }),
        BadInput(id: "CSV label out of range", prepare: { _ in [csvFixtures.appendingPathComponent("label-out-of-range.csv").path] },
                 expected: { _ in
                     "error: \(csvFixtures.path)/label-out-of-range.csv:3: label 5 is outside 0…2 (integer labels must be 0…K−1 for the K = 3 distinct labels) — each line must be path,label"
                 }),
        BadInput(id: "unknown dataset name", prepare: { dir in ["imagenet", "--data-root", dir.appendingPathComponent("data").path] },
                 expected: { dir in
                     "error: dataset 'imagenet' not found (looked in \(dir.path)/data/imagenet, \(dir.path)/cache/ofa-search/datasets/imagenet) — known datasets: flowers102/flowers, cifar10, cifar100; or give the path of a class-folder root, a .csv manifest or a CIFAR batch folder"
                 }),
        BadInput(id: "flowers not downloaded", prepare: { _ in ["flowers"] },
                 expected: { dir in
                     let cache = "\(dir.path)/cache/ofa-search/datasets"
                     return "error: dataset 'flowers' not found (looked in \(cache)/flowers102, \(cache)/flowers-102) — run `ofa-search datasets download flowers102`, or pass --data-root with a folder holding flowers102/"
                 }),
    ]

    @Test(arguments: badInputs)
    func badInput(_ bad: BadInput) throws {
        try Self.withScratch { dir, env in
            let arguments = try bad.prepare(dir)
            for command in ["info", "verify"] {
                let line = try Self.failOneLine(["datasets", command] + arguments, env: env)
                #expect(line == bad.expected(dir), "\(command)")
            }
        }
    }

    @Test func badSplitOption() throws {
        let r = try OFASearchCommand.run(["datasets", "info", Self.fixtures.appendingPathComponent("folders/flat").path, "--split-ratios", "0.9,0.2,0.1"])
        #expect(r.status != 0 && r.stdout.isEmpty)
        #expect(r.stderr.contains("split ratios 0.9,0.2,0.1 must each be in 0…1 and sum to at most 1 — e.g. --split-ratios 0.8,0.1,0.1"), "\(r.stderr)")
    }
}
