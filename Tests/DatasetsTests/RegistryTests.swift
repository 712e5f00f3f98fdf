import Datasets
import Foundation
import OFATestSupport
import Testing

/// Dataset names, the search order, what a path opens as, and the not-found message.
struct RegistryTests {
    static let fixtures = TestPaths.fixture("datasets")

    /// Three fresh roots (data root, $OFA_DATA, $XDG_CACHE_HOME) and an environment naming the last two.
    struct Roots {
        let dataRoot: URL, ofaData: URL, xdg: URL
        var cache: URL { xdg.appendingPathComponent("ofa-search/datasets") }
        var environment: [String: String] { ["OFA_DATA": ofaData.path, "XDG_CACHE_HOME": xdg.path, "HOME": "/nonexistent-home"] }

        func place(_ fixture: String, in root: URL, as name: String) throws {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: RegistryTests.fixtures.appendingPathComponent(fixture), to: root.appendingPathComponent(name))
        }
    }

    static func withRoots<T>(_ body: (Roots) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ofa-registry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let roots = Roots(dataRoot: dir.appendingPathComponent("root"), ofaData: dir.appendingPathComponent("env"), xdg: dir.appendingPathComponent("xdg"))
        return try body(roots)
    }

    @Test func namesAndAliases() {
        #expect(DatasetRegistry.entry(named: "flowers")?.name == "flowers102")
        #expect(DatasetRegistry.entry(named: "Flowers102")?.name == "flowers102")
        #expect(DatasetRegistry.entry(named: "cifar100")?.folders == ["cifar100", "cifar-100-binary"])
        #expect(DatasetRegistry.entry(named: "imagenet") == nil)
        #expect(DatasetRegistry.entries.map(\.name) == ["flowers102", "cifar10", "cifar100"])
    }

    @Test func searchOrderAndCacheLocation() {
        let env = ["OFA_DATA": "/data/ofa", "XDG_CACHE_HOME": "/xdg", "HOME": "/home/u"]
        #expect(DatasetRegistry.searchRoots(dataRoot: "/mine", environment: env).map(\.path)
                == ["/mine", "/data/ofa", "/xdg/ofa-search/datasets"])
        #expect(DatasetRegistry.searchRoots(dataRoot: nil, environment: ["HOME": "/home/u", "OFA_DATA": ""]).map(\.path)
                == ["/home/u/.cache/ofa-search/datasets"])
        #expect(DatasetRegistry.candidates(for: "flowers", dataRoot: "/mine", environment: ["HOME": "/h"]).map(\.path)
                == ["/mine/flowers102", "/mine/flowers-102", "/h/.cache/ofa-search/datasets/flowers102", "/h/.cache/ofa-search/datasets/flowers-102"])
    }

    @Test func firstRootWins() throws {
        try Self.withRoots { r in
            try r.place("cifar/cifar-10-batches-bin", in: r.cache, as: "cifar10")
            #expect(DatasetRegistry.locate("cifar10", dataRoot: r.dataRoot.path, environment: r.environment)?.path == r.cache.appendingPathComponent("cifar10").path)
            try r.place("cifar/cifar-10-batches-bin", in: r.ofaData, as: "cifar-10-batches-bin")  // the extracted archive's name
            #expect(DatasetRegistry.locate("cifar10", dataRoot: r.dataRoot.path, environment: r.environment)?.lastPathComponent == "cifar-10-batches-bin")
            try r.place("cifar", in: r.dataRoot, as: "cifar10")  // the parent of cifar-10-batches-bin also works
            let d = try DatasetRegistry.open("cifar10", dataRoot: r.dataRoot.path, environment: r.environment)
            #expect(d.name == "cifar10" && d.classes.count == 10 && d[.test].count == 3)
        }
    }

    @Test func otherNamesAreLookedForInTheRoots() throws {
        try Self.withRoots { r in
            try r.place("folders/split", in: r.ofaData, as: "bugs")
            let d = try DatasetRegistry.open("bugs", dataRoot: nil, environment: r.environment)
            #expect(d.name == "bugs" && d.classes == ["Bee", "ant", "cat"])
        }
    }

    @Test func notFoundListsEveryPlaceAndHowToGetIt() throws {
        try Self.withRoots { r in
            let flowers = #expect(throws: DatasetError.self) { try DatasetRegistry.open("flowers", dataRoot: r.dataRoot.path, environment: r.environment) }
            let places = [r.dataRoot, r.ofaData, r.cache].flatMap { [$0.appendingPathComponent("flowers102").path, $0.appendingPathComponent("flowers-102").path] }
            #expect(flowers == .notFound(name: "flowers", searched: places,
                                         hint: "run `ofa-search datasets download flowers102`, or pass --data-root with a folder holding flowers102/"))
            let cifar = #expect(throws: DatasetError.self) { try DatasetRegistry.open("cifar100", dataRoot: nil, environment: r.environment) }
            #expect(cifar?.description.contains("https://www.cs.toronto.edu/~kriz/cifar.html") == true)
            let unknown = #expect(throws: DatasetError.self) { try DatasetRegistry.open("imagenet", dataRoot: nil, environment: r.environment) }
            #expect(unknown?.description == "dataset 'imagenet' not found (looked in \(r.ofaData.path)/imagenet, \(r.cache.path)/imagenet) — known datasets: flowers102/flowers, cifar10, cifar100; or give the path of a class-folder root, a .csv manifest or a CIFAR batch folder")
        }
    }

    @Test func pathsOpenByWhatTheyHold() throws {
        let csv = try DatasetRegistry.open(Self.fixtures.appendingPathComponent("csv/split.csv").path, dataRoot: nil)
        #expect(csv.classes == ["daisy", "rose", "tulip"] && csv[.valid].count == 3)
        let cifar = try DatasetRegistry.open(Self.fixtures.appendingPathComponent("cifar/cifar-100-binary").path, dataRoot: nil)
        #expect(cifar.classes.count == 100)
        let folder = Self.fixtures.appendingPathComponent("folders/flat").path
        let flat = try DatasetRegistry.open(folder, dataRoot: nil, split: SplitRatios(parsing: "0.6,0.2,0.2"), seed: 3)
        #expect(flat.name == folder && flat.classCounts(.test) == [1, 2, 0])
    }

    @Test func flowers102ByNameAndByPath() throws {
        let mini = Self.fixtures.appendingPathComponent("flowers102-mini")
        let byPath = try DatasetRegistry.open(mini.path, dataRoot: nil)
        #expect(byPath.name == mini.path && !byPath[.train].isEmpty)
        try Self.withRoots { r in
            try r.place("flowers102-mini", in: r.dataRoot, as: "flowers-102")
            let byName = try DatasetRegistry.open("flowers", dataRoot: r.dataRoot.path, environment: r.environment)
            #expect(byName.name == "flowers102" && byName.classes == byPath.classes && byName[.test].count == byPath[.test].count)
            let split = #expect(throws: DatasetError.self) {
                try DatasetRegistry.open("flowers", dataRoot: r.dataRoot.path, split: .default, environment: r.environment)
            }
            #expect(split?.description.hasSuffix("Flowers-102 has its own train, valid and test split — leave out --split-ratios") == true)
        }
    }

    @Test func badPaths() throws {
        #expect(throws: DatasetError.notFound(name: "/no/such/data", searched: ["/no/such/data"],
                                              hint: "give an existing class-folder root, .csv manifest or CIFAR batch folder")) {
            try DatasetRegistry.open("/no/such/data", dataRoot: nil)
        }
        let readme = Self.fixtures.appendingPathComponent("csv/README.md").path
        let file = #expect(throws: DatasetError.self) { try DatasetRegistry.open(readme, dataRoot: nil) }
        #expect(file?.description.hasPrefix("\(readme) is a file, not a dataset") == true)
        let cifar = Self.fixtures.appendingPathComponent("cifar/cifar-10-batches-bin")
        let split = #expect(throws: DatasetError.self) { try DatasetRegistry.open(cifar.path, dataRoot: nil, split: .default) }
        #expect(split?.description == "\(cifar.path): CIFAR has its own train and test batches — leave out --split-ratios")
    }
}
