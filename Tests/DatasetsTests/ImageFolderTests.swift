import Datasets
import Foundation
import OFATestSupport
import Testing

/// Class-folder datasets: both layouts, torchvision's ordering, the stratified split and bad folders.
struct ImageFolderTests {
    static let split = TestPaths.fixture("datasets/folders/split")
    static let flat = TestPaths.fixture("datasets/folders/flat")

    /// A fresh temporary copy of `source` (or an empty folder), removed afterwards.
    static func withCopy<T>(of source: URL?, _ body: (URL) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ofa-folders-\(UUID().uuidString)")
        if let source { try FileManager.default.copyItem(at: source, to: dir) } else {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        defer { try? FileManager.default.removeItem(at: dir) }
        return try body(dir)
    }

    static func relative(_ samples: [Sample], to root: URL) -> [String] {
        samples.map { s in
            guard case .file(let url) = s.source else { return "<in memory>" }
            return String(url.path.dropFirst(root.standardizedFileURL.path.count + 1))
        }
    }

    @Test func splitLayoutFollowsTorchvisionOrder() throws {
        let d = try ImageFolder.load(root: Self.split)
        #expect(d.classes == ["Bee", "ant", "cat"])  // code-point order, as Python's sorted()
        #expect(Self.relative(d[.train], to: Self.split) == [
            "train/Bee/b1.png", "train/Bee/b2.PNG",
            "train/ant/a1.jpg", "train/ant/a2.png", "train/ant/a3.jpeg",  // .hidden.png and notes.txt skipped
            "train/cat/c1.JPG", "train/cat/more/c2.png",  // nested folder after the class folder's own files
        ])
        #expect(d[.train].map(\.label) == [0, 0, 1, 1, 1, 2, 2])
        #expect(Self.relative(d[.test], to: Self.split) == ["test/Bee/t2.jpg", "test/ant/t1.png"])
        #expect(d[.test].map(\.label) == [0, 1])
        #expect(Self.relative(d[.valid], to: Self.split) == ["val/ant/v1.png", "val/cat/v2.png"])
        #expect(d.classCounts(.test) == [1, 1, 0])  // cat missing from test is fine
        #expect(d.name == Self.split.path)
    }

    @Test func flatLayoutIsSplitPerClassWithTheDocumentedRounding() throws {
        let d = try ImageFolder.load(root: Self.flat, seed: 7)
        #expect(d.classes == ["Bee", "ant", "cat"])
        // Bee 5: valid round(0.5)=1, test 1, train 3; ant 10: 1/1/8; cat 1: all train.
        #expect(d.classCounts(.train) == [3, 8, 1])
        #expect(d.classCounts(.valid) == [1, 1, 0])
        #expect(d.classCounts(.test) == [1, 1, 0])
        let all = Set(Split.allCases.flatMap { Self.relative(d[$0], to: Self.flat) })
        #expect(all.count == 16)
        // Deterministic for a seed; another seed picks other samples.
        let again = try ImageFolder.load(root: Self.flat, seed: 7)
        #expect(Split.allCases.allSatisfy { d[$0] == again[$0] })
        let other = try ImageFolder.load(root: Self.flat, seed: 8)
        #expect(Split.allCases.contains { d[$0] != other[$0] })
        // Each split keeps the original (class, file) order.
        let train = Self.relative(d[.train], to: Self.flat)
        #expect(train == train.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    }

    @Test func ratiosWithAZeroLeaveTheSplitOut() throws {
        let d = try ImageFolder.load(root: Self.flat, split: SplitRatios(parsing: "0.5,0.5"))
        #expect(d.splits[.valid] == nil)
        #expect(d.classCounts(.train) == [2, 5, 0] && d.classCounts(.test) == [3, 5, 1])  // round(0.5) = 1
    }

    @Test(.enabled(if: TestPaths.sharedEnabled, "../shared is absent"))
    func realFlowers5() throws {
        let shared = try #require(TestPaths.shared)
        let d = try ImageFolder.load(root: shared.appendingPathComponent("datasets/flowers5"))
        #expect(d.classes == ["daisy", "dandelion", "rose", "sunflower", "tulip"])
        #expect(d[.train].count == 3456 && d[.test].count == 429 && d[.valid].isEmpty)
    }

    // MARK: - Bad folders

    @Test func emptyClassFolder() throws {
        try Self.withCopy(of: Self.flat) { dir in
            let empty = dir.appendingPathComponent("dog")
            try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
            try Data("x".utf8).write(to: empty.appendingPathComponent("readme.txt"))
            #expect(throws: DatasetError.emptyClass(path: empty.standardizedFileURL.path)) { try ImageFolder.load(root: dir) }
        }
    }

    @Test func classNotInTrain() throws {
        try Self.withCopy(of: Self.split) { dir in
            let extra = dir.appendingPathComponent("test/dog")
            try FileManager.default.createDirectory(at: extra, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: dir.appendingPathComponent("test/ant/t1.png"), to: extra.appendingPathComponent("d.png"))
            let error = #expect(throws: DatasetError.self) { try ImageFolder.load(root: dir) }
            #expect(error == .mismatch(file: extra.standardizedFileURL.path,
                                       reason: "class 'dog' is not in train/ (train has Bee, ant, cat) — add it to train/ or remove it"))
        }
    }

    @Test func bothValAndValid() throws {
        try Self.withCopy(of: Self.split) { dir in
            try FileManager.default.copyItem(at: dir.appendingPathComponent("val"), to: dir.appendingPathComponent("valid"))
            let error = #expect(throws: DatasetError.self) { try ImageFolder.load(root: dir) }
            #expect(error?.description.contains("has both val/ and valid/") == true)
        }
    }

    @Test func splitRatiosOnAnAlreadySplitFolder() throws {
        let error = #expect(throws: DatasetError.self) { try ImageFolder.load(root: Self.split, split: .default) }
        #expect(error?.description.contains("already has train/ and test/ folders — leave out --split") == true)
    }

    @Test func missingOrEmptyRoot() throws {
        #expect(throws: DatasetError.invalid("/nonexistent/x: no such folder — give a folder of class folders")) {
            try ImageFolder.load(root: URL(fileURLWithPath: "/nonexistent/x"))
        }
        try Self.withCopy(of: nil) { dir in
            let error = #expect(throws: DatasetError.self) { try ImageFolder.load(root: dir) }
            #expect(error?.description.contains("has no class folders") == true)
        }
    }

    // MARK: - SplitRatios (flat folders and CSV files)

    struct Rounding: CustomTestStringConvertible, Sendable {
        let ratios: String, n: Int, train: Int, valid: Int, test: Int
        var testDescription: String { "\(ratios) of \(n)" }
    }

    @Test(arguments: [
        Rounding(ratios: "0.8,0.1,0.1", n: 10, train: 8, valid: 1, test: 1),
        Rounding(ratios: "0.8,0.1,0.1", n: 5, train: 3, valid: 1, test: 1),  // 0.5 rounds away from zero
        Rounding(ratios: "0.8,0.1,0.1", n: 4, train: 4, valid: 0, test: 0),
        Rounding(ratios: "0.8,0.1,0.1", n: 1, train: 1, valid: 0, test: 0),
        Rounding(ratios: "0,0.5,0.5", n: 1, train: 0, valid: 0, test: 1),  // test first, valid lowered
        Rounding(ratios: "0.9,0.1", n: 15, train: 13, valid: 0, test: 2),
        Rounding(ratios: "0.5,0.2,0.1", n: 10, train: 7, valid: 2, test: 1),  // the unassigned rest is train
    ])
    func roundingOfSplitCounts(_ r: Rounding) throws {
        let c = try SplitRatios(parsing: r.ratios).counts(of: r.n)
        #expect(c.train == r.train && c.valid == r.valid && c.test == r.test)
    }

    @Test(arguments: ["0.8;0.1;0.1", "a,b,c", "0.8", "0.8,0.1,0.1,0", "0.9,0.2,0.1", "-0.1,0.5,0.5", "nan,0,0"])
    func badRatios(_ text: String) {
        let error = #expect(throws: DatasetError.self) { try SplitRatios(parsing: text) }
        #expect(error?.description.contains("0.8,0.1,0.1") == true)
    }

    @Test func seededSampleIsDeterministicAndOrdered() {
        let values = Array(0..<100)
        let a = values.seededSample(10, seed: 3)
        #expect(a == values.seededSample(10, seed: 3) && a != values.seededSample(10, seed: 4))
        #expect(a.count == 10 && Set(a).count == 10 && a == a.sorted())
        #expect(values.seededSample(200, seed: 3) == values)
    }
}
