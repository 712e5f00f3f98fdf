import Datasets
import Foundation
import OFATestSupport
import Testing

/// CSV manifests: label kinds, the split column, paths, and an error naming the line for each bad input.
struct CSVManifestTests {
    static let root = TestPaths.fixture("datasets/csv")
    static func csv(_ name: String) -> URL { root.appendingPathComponent(name) }

    /// Writes `text` as a CSV in a fresh temporary folder (removed afterwards).
    @discardableResult
    static func withCSV<T>(_ text: (URL) -> String, _ body: (URL) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ofa-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("m.csv")
        try text(dir).write(to: file, atomically: true, encoding: .utf8)
        return try body(file)
    }

    @Test func classNamesSortedAndPathsRelativeToTheCSV() throws {
        let d = try CSVManifest.load(file: Self.csv("names.csv"), split: SplitRatios(parsing: "0.5,0.25,0.25"), seed: 1)
        #expect(d.classes == ["daisy", "rose", "tulip"])
        #expect(d.classCounts(.train) == [2, 2, 2] && d.classCounts(.valid) == [1, 1, 1] && d.classCounts(.test) == [1, 1, 1])
        let first = try #require(d[.train].first)
        guard case .file(let url) = first.source else { Issue.record("not a file"); return }
        #expect(url.path.hasPrefix(Self.root.standardizedFileURL.path + "/images/img"))
        // The default 0.8/0.1/0.1 of 4 per class rounds valid and test to 0: everything in train.
        let all = try CSVManifest.load(file: Self.csv("names.csv"))
        #expect(all.classCounts(.train) == [4, 4, 4] && all.splits.count == 1)
    }

    @Test func integerLabelsWithoutHeaderAndCRLF() throws {
        let d = try CSVManifest.load(file: Self.csv("ints.csv"), split: SplitRatios(parsing: "1,0,0"))
        #expect(d.classes == ["0", "1", "2"])
        #expect(d[.train].map(\.label) == (0..<12).map { $0 % 3 })
    }

    @Test func splitColumn() throws {
        let d = try CSVManifest.load(file: Self.csv("split.csv"))
        #expect(d[.train].count == 6 && d[.valid].count == 3 && d[.test].count == 3)
        #expect(d.classes == ["daisy", "rose", "tulip"])
        let error = #expect(throws: DatasetError.self) { try CSVManifest.load(file: Self.csv("split.csv"), split: .default) }
        #expect(error?.description.contains("has a split column — leave out --split") == true)
    }

    @Test func absolutePathsAndQuotedFields() throws {
        let image = Self.csv("images/img00.jpg").standardizedFileURL.path
        try Self.withCSV({ _ in "PATH , Label\n\"\(image)\", \"rose, red\"\n\(image),daisy\n" }) { file in
            let d = try CSVManifest.load(file: file, split: SplitRatios(parsing: "1,0,0"))
            #expect(d.classes == ["daisy", "rose, red"])
            #expect(d[.train].map(\.source) == [.file(URL(fileURLWithPath: image)), .file(URL(fileURLWithPath: image))])
        }
    }

    // MARK: - Bad manifests: one error each, naming the line

    struct BadCase: CustomTestStringConvertible, Sendable {
        let file: String, line: Int, reason: String
        var testDescription: String { file }
    }

    @Test(arguments: [
        BadCase(file: "missing-column.csv", line: 3, reason: "missing the label column (found 1 of 2)"),
        BadCase(file: "missing-path.csv", line: 2,
                reason: "no such image file \(root.standardizedFileURL.path)/images/nope.jpg (relative paths start at the CSV's folder)"),
        BadCase(file: "label-out-of-range.csv", line: 3,
                reason: "label 5 is outside 0…2 (integer labels must be 0…K−1 for the K = 3 distinct labels)"),
        BadCase(file: "mixed-labels.csv", line: 2, reason: "label '2' is a number, but line 1 uses class names"),
    ])
    func badManifest(_ c: BadCase) {
        let file = Self.csv(c.file)
        #expect(throws: DatasetError.csv(file: file.standardizedFileURL.path, line: c.line, reason: c.reason)) {
            try CSVManifest.load(file: file)
        }
    }

    @Test(arguments: [
        ("path,label\nimages/img00.jpg,1,train,x\n", 2, "4 columns, expected 2 (path,label)"),
        ("path,label,split\nimages/img00.jpg,rose,holdout\n", 2, "split 'holdout' is not train, valid or test"),
        ("images/img00.jpg,rose,train\nimages/img01.png,rose\n", 2, "missing the split column (found 2 of 3)"),
        ("\n\nimages/img00.jpg,\n", 3, "empty label"),
        ("images/img00.jpg,1\nimages/img01.png,one\n", 2, "label 'one' is not an integer, but line 1 uses integer labels"),
        ("\"images/img00.jpg,1\n", 1, "unbalanced double quote"),
        ("images/img00.jpg,-1\nimages/img01.png,0\n", 1, "label -1 is outside 0…1 (integer labels must be 0…K−1 for the K = 2 distinct labels)"),
    ])
    func badLines(_ text: String, _ line: Int, _ reason: String) throws {
        try Self.withCSV({ dir in
            try? FileManager.default.createDirectory(at: dir.appendingPathComponent("images"), withIntermediateDirectories: true)
            for f in ["img00.jpg", "img01.png"] {
                try? FileManager.default.copyItem(at: Self.csv("images/\(f)"), to: dir.appendingPathComponent("images/\(f)"))
            }
            return text
        }) { file in
            #expect(throws: DatasetError.csv(file: file.standardizedFileURL.path, line: line, reason: reason)) {
                try CSVManifest.load(file: file)
            }
        }
    }

    @Test func emptyManifest() throws {
        try Self.withCSV({ _ in "path,label\n\n" }) { file in
            #expect(throws: DatasetError.invalid("\(file.standardizedFileURL.path): no path,label lines — add one line per image")) {
                try CSVManifest.load(file: file)
            }
        }
    }

    @Test func oneLineErrorText() {
        let e = DatasetError.csv(file: "/d/m.csv", line: 3, reason: "missing the label column (found 1 of 2)")
        #expect(e.description == "/d/m.csv:3: missing the label column (found 1 of 2) — each line must be path,label")
    }
}
