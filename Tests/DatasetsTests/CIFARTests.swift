import Datasets
import Foundation
import Images
import OFATestSupport
import Testing

/// CIFAR-10/100 binary batches against the generator's numpy reference, and damaged batches.
struct CIFARTests {
    static let root = TestPaths.fixture("datasets/cifar")
    static let cifar10 = root.appendingPathComponent("cifar-10-batches-bin")
    static let cifar100 = root.appendingPathComponent("cifar-100-binary")

    struct Expected: Decodable {
        let format: String
        let format_version: Int
        let cifar10_test_first_hwc: [UInt8]
        let cifar100_test_first_hwc: [UInt8]
        let cifar10_labels: [String: [Int]]
        let cifar100_labels: [String: [Int]]
    }

    static func expected() throws -> Expected {
        let e = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: root.appendingPathComponent("expected.json")))
        try #require(e.format == "ofa-search/cifar-fixture" && e.format_version == 1,
                     "expected.json is \(e.format) v\(e.format_version) — regenerate with Tests/Fixtures/datasets/generate_formats.py")
        return e
    }

    static func pixels(_ s: Sample) -> RGBImage? {
        if case .pixels(let image) = s.source { return image }
        return nil
    }

    /// A temporary copy of the CIFAR-10 batch folder, removed afterwards.
    static func withCopy<T>(of source: URL = cifar10, _ body: (URL) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ofa-cifar-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: source, to: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        return try body(dir)
    }

    @Test func cifar10MatchesNumpy() throws {
        let e = try Self.expected()
        let d = try CIFAR.load(root: Self.cifar10)
        #expect(d.classes == ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"])
        let train = (1...5).flatMap { e.cifar10_labels["data_batch_\($0).bin"]! }
        #expect(d[.train].map(\.label) == train && d[.train].count == 10)
        #expect(d[.test].map(\.label) == e.cifar10_labels["test_batch.bin"])
        let first = try #require(Self.pixels(d[.test][0]))
        #expect(first.width == 32 && first.height == 32 && first.pixels == e.cifar10_test_first_hwc)
    }

    @Test func cifar100UsesFineLabels() throws {
        let e = try Self.expected()
        let d = try CIFAR.load(root: Self.cifar100)
        #expect(d.classes.count == 100 && d.classes.first == "apple" && d.classes.last == "worm")
        #expect(d[.train].map(\.label) == e.cifar100_labels["train.bin"])
        #expect(d[.test].map(\.label) == e.cifar100_labels["test.bin"])
        #expect(Self.pixels(d[.test][0])?.pixels == e.cifar100_test_first_hwc)
    }

    @Test func parentOfTheExtractedFolder() throws {
        let detected = try #require(CIFAR.detect(Self.root))
        #expect(detected.0 == .cifar10 && detected.1.lastPathComponent == "cifar-10-batches-bin")
        #expect(try CIFAR.load(root: Self.root)[.test].count == 3)
        #expect(CIFAR.detect(TestPaths.fixture("datasets/csv")) == nil)
    }

    @Test func withoutNamesFileClassesAreNumbers() throws {
        try Self.withCopy { dir in
            try FileManager.default.removeItem(at: dir.appendingPathComponent("batches.meta.txt"))
            #expect(try CIFAR.load(root: dir).classes == (0..<10).map(String.init))
        }
    }

    // MARK: - Damaged batches

    @Test func truncatedBatch() throws {
        try Self.withCopy { dir in
            let file = dir.appendingPathComponent("data_batch_2.bin")
            let data = try Data(contentsOf: file)
            try data.prefix(3073 + 1000).write(to: file)
            #expect(throws: DatasetError.mismatch(
                file: file.path,
                reason: "4073 bytes is not a whole number of 3073-byte records (1 label + 3072 pixel bytes) — the file is truncated; download it again")) {
                try CIFAR.load(root: dir)
            }
        }
    }

    @Test func labelOutOfRange() throws {
        try Self.withCopy { dir in
            let file = dir.appendingPathComponent("test_batch.bin")
            var data = try Data(contentsOf: file)
            data[3073 * 2] = 10  // third record's label
            try data.write(to: file)
            #expect(throws: DatasetError.labelOutOfRange(file: "\(file.path) (record 2)", label: 10, range: 0...9)) {
                try CIFAR.load(root: dir)
            }
        }
    }

    @Test func fineLabelOutOfRange() throws {
        try Self.withCopy(of: Self.cifar100) { dir in
            let file = dir.appendingPathComponent("train.bin")
            var data = try Data(contentsOf: file)
            data[1] = 100  // first record's fine label (the coarse one comes first)
            try data.write(to: file)
            #expect(throws: DatasetError.labelOutOfRange(file: "\(file.path) (record 0)", label: 100, range: 0...99)) {
                try CIFAR.load(root: dir)
            }
        }
    }

    @Test func missingBatchAndWrongNames() throws {
        try Self.withCopy { dir in
            try "a\nb\n".write(to: dir.appendingPathComponent("batches.meta.txt"), atomically: true, encoding: .utf8)
            let names = #expect(throws: DatasetError.self) { try CIFAR.load(root: dir) }
            #expect(names?.description.contains("2 class names, expected 10") == true)
            try FileManager.default.removeItem(at: dir.appendingPathComponent("data_batch_4.bin"))
            let missing = #expect(throws: DatasetError.self) { try CIFAR.load(root: dir) }
            #expect(missing?.description.hasPrefix(dir.appendingPathComponent("data_batch_4.bin").path + ": batch file missing") == true)
        }
    }
}
