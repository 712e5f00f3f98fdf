import Datasets
import Foundation
import Images
import OFATestSupport
import Testing

/// Temporary folders and copies of the mini Flowers-102 tree for the dataset tests.
enum FlowersFixtures {
    static let mini = TestPaths.fixture("datasets/flowers102-mini")

    /// A new empty folder under the system temporary directory.
    static func temporaryDirectory(_ label: String = #function) throws -> URL {
        let name = "ofa-flowers-\(label.prefix { $0.isLetter || $0.isNumber })-\(UUID().uuidString.prefix(8))"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A copy of the mini tree (jpg/, imagelabels.mat, setid.mat) in a new temporary folder, with files
    /// replaced by `replacing` (target name → fixture path relative to the mini tree).
    static func copyOfMini(replacing: [String: String] = [:], _ label: String = #function) throws -> URL {
        let root = try temporaryDirectory(label)
        let fm = FileManager.default
        for name in ["jpg", "imagelabels.mat", "setid.mat"] {
            try fm.copyItem(at: mini.appendingPathComponent(name), to: root.appendingPathComponent(name))
        }
        for (target, source) in replacing {
            try fm.removeItem(at: root.appendingPathComponent(target))
            try fm.copyItem(at: mini.appendingPathComponent(source), to: root.appendingPathComponent(target))
        }
        return root
    }
}

@Suite struct Flowers102Tests {
    @Test func loadsTheMiniTree() throws {
        let data = try Flowers102.load(root: FlowersFixtures.mini)
        #expect(data.name == "flowers102")
        #expect(data.classes.count == 102)
        #expect(data.classes.first == "pink primrose" && data.classes[4] == "english marigold" && data.classes.last == "blackberry lily")
        // labels [1, 102, 5, 1, 102, 5]; trnid [2, 1], valid [4, 3], tstid [6, 5] (order kept)
        let jpg = FlowersFixtures.mini.appendingPathComponent("jpg")
        #expect(data[.train] == [Sample(source: .file(jpg.appendingPathComponent("image_00002.jpg")), label: 101),
                                 Sample(source: .file(jpg.appendingPathComponent("image_00001.jpg")), label: 0)])
        #expect(data[.valid].map(\.label) == [0, 4])
        #expect(data[.test].map(\.label) == [4, 101])
        #expect(data[.test].map(\.source.name) == [jpg.appendingPathComponent("image_00006.jpg").path, jpg.appendingPathComponent("image_00005.jpg").path])
        #expect(data.classCounts(.train)[101] == 1)
        let image = try data[.train][0].source.load()
        #expect(image.width == 62 && image.height == 46)
    }

    @Test func tinyTLTrainsOnTrainPlusValid() throws {
        let data = try Flowers102.load(root: FlowersFixtures.mini, trainOnTrainPlusValid: true)
        #expect(data[.train].map(\.source.name).map { URL(fileURLWithPath: $0).lastPathComponent }
                == ["image_00002.jpg", "image_00001.jpg", "image_00004.jpg", "image_00003.jpg"])
        #expect(data[.valid].isEmpty)
        #expect(data[.test].count == 2)
    }

    @Test func fileNames() {
        #expect(Flowers102.fileName(id: 1) == "image_00001.jpg")
        #expect(Flowers102.fileName(id: 8189) == "image_08189.jpg")
    }

    @Test func officialDownloadDescription() {
        #expect(Flowers102.baseURL.absoluteString == "https://www.robots.ox.ac.uk/~vgg/data/flowers/102/")
        #expect(Flowers102.files.map(\.name) == ["imagelabels.mat", "setid.mat", "102flowers.tgz"])
        #expect(Flowers102.files.map(\.md5) == ["e0620be6f572b9609742df49c70aed4d", "a5357ecc9cb78c4bef273ce3793fc85c", "52808999861908f626f3c1f4e79d11fa"])
        #expect(Flowers102.files[2].url(relativeTo: Flowers102.baseURL).absoluteString
                == "https://www.robots.ox.ac.uk/~vgg/data/flowers/102/102flowers.tgz")
        #expect(Set(Flowers102.classNames).count == 102)
    }

    /// The official label files with a fake image folder holding every id (empty files): the loader's
    /// checks and counts on the real labels, without the 330 MB archive.
    @Test(.enabled(if: TestPaths.sharedEnabled, "../shared is absent"))
    func officialLabelsWithPlaceholderImages() throws {
        let shared = try #require(TestPaths.shared)
        let root = try FlowersFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let labels = shared.appendingPathComponent("datasets/flowers102-labels")
        for name in ["imagelabels.mat", "setid.mat"] {
            try FileManager.default.copyItem(at: labels.appendingPathComponent(name), to: root.appendingPathComponent(name))
        }
        let jpg = root.appendingPathComponent("jpg")
        try FileManager.default.createDirectory(at: jpg, withIntermediateDirectories: true)
        for id in 1...8189 { _ = FileManager.default.createFile(atPath: jpg.appendingPathComponent(Flowers102.fileName(id: id)).path, contents: nil) }

        let clock = ContinuousClock()
        var data: LabeledImages?
        let elapsed = try clock.measure { data = try Flowers102.load(root: root) }
        let flowers = try #require(data)
        print("Flowers102.load on the official labels (8,189 image checks): \(elapsed)")
        #expect((flowers[.train].count, flowers[.valid].count, flowers[.test].count) == (1020, 1020, 6149))
        #expect(flowers.classCounts(.train) == [Int](repeating: 10, count: 102), "10 training images per class")
        #expect(flowers.classCounts(.valid) == [Int](repeating: 10, count: 102))
        #expect(flowers.classCounts(.test).reduce(0, +) == 6149 && flowers.classCounts(.test).min()! >= 20)
        let tinyTL = try Flowers102.load(root: root, trainOnTrainPlusValid: true)
        #expect(tinyTL[.train].count == 2040 && tinyTL[.valid].isEmpty)

        try FileManager.default.removeItem(at: jpg.appendingPathComponent("image_04000.jpg"))
        try FileManager.default.removeItem(at: jpg.appendingPathComponent("image_08189.jpg"))
        let error = try #require(throws: DatasetError.self) { try Flowers102.load(root: root) }
        print("missing images: \(error)")
        #expect(error.description.contains("image_") && error.description.contains("(and 1 more of the 8189 images)"))
    }

    @Test(arguments: [
        ("label out of range", ["imagelabels.mat": "bad/label-103/imagelabels.mat"], "label 103 is outside 1…102"),
        ("id beyond the labels", ["setid.mat": "bad/id-beyond/setid.mat"], "image id 7 in 'trnid' is outside 1…6"),
        ("overlapping splits", ["setid.mat": "bad/overlap/setid.mat"], "image id 1 is in both 'trnid' and 'tstid'"),
        ("not a .mat file", ["setid.mat": "mat/not-a-mat.mat"], "setid.mat: not a readable MATLAB v5 file"),
        ("labels variable missing", ["imagelabels.mat": "mat/types.mat"], "no variable 'labels'"),
    ])
    func badLabelFilesAreOneLine(_ id: String, _ replacing: [String: String], _ expected: String) throws {
        let root = try FlowersFixtures.copyOfMini(replacing: replacing)
        defer { try? FileManager.default.removeItem(at: root) }
        let error = try #require(throws: DatasetError.self) { try Flowers102.load(root: root) }
        print("\(id): \(error)")
        #expect(error.description.contains(expected), "\(error)")
        #expect(!error.description.contains("\n"))
    }

    @Test func missingImageOrFolder() throws {
        let root = try FlowersFixtures.copyOfMini()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.removeItem(at: root.appendingPathComponent("jpg/image_00005.jpg"))
        let missing = try #require(throws: DatasetError.self) { try Flowers102.load(root: root) }
        print("missing image: \(missing)")
        #expect(missing.description.contains("image_00005.jpg is missing — extract 102flowers.tgz again"))

        try FileManager.default.removeItem(at: root.appendingPathComponent("jpg"))
        let noFolder = try #require(throws: DatasetError.self) { try Flowers102.load(root: root) }
        print("no jpg folder: \(noFolder)")
        guard case .notFound(let name, let searched, let hint) = noFolder else { Issue.record("\(noFolder)"); return }
        #expect(name == "flowers102" && searched == [root.appendingPathComponent("jpg").path])
        #expect(hint.contains("ofa-search datasets download flowers102") && hint.contains("https://www.robots.ox.ac.uk/~vgg/data/flowers/102/"))
    }
}
