import HDF5
import Testing

@Suite("Groups and listing")
struct GroupTests {
    @Test("nested paths create intermediate groups; open, require, contains, kind")
    func nested() throws {
        let directory = try TemporaryDirectory()
        let file = try HDF5File.create(directory.path("g.h5"))
        let c = try file.createGroup("a/b/c")
        #expect(c.path == "/a/b/c")
        #expect(try file.contains("a") && file.contains("a/b") && file.contains("/a/b/c"))
        #expect(try !file.contains("a/x/c") && !file.contains("zz"))
        #expect(try file.kind(of: "a/b") == .group)
        let b = try file.openGroup("a/b")
        #expect(try b.openGroup("c").path == "/a/b/c")
        #expect(try b.openGroup("/a").path == "/a")
        #expect(try file.requireGroup("a/b/c").path == "/a/b/c")
        #expect(try file.requireGroup("a/new").path == "/a/new")
        try b.createDataset("c/d/w", values: [Float(1), 2], shape: [2])
        #expect(try file.kind(of: "a/b/c/d/w") == .dataset)
        #expect(try file.openDataset("/a/b/c/d/w").path == "/a/b/c/d/w")
        #expect(file.filePath == b.filePath)
        #expect(try c.openGroup(".").path == "/a/b/c")
    }

    @Test("children in name order with kinds; recursive dataset paths")
    func listing() throws {
        let directory = try TemporaryDirectory()
        let file = try HDF5File.create(directory.path("l.h5"))
        try file.createDataset("b/weight", values: [Float](repeating: 0, count: 6), shape: [2, 3])
        try file.createDataset("b/bias", values: [Float](repeating: 0, count: 2), shape: [2])
        try file.createDataset("a/x/y/deep", values: [Int64(1)], shape: [])
        try file.createDataset("top", values: [UInt8(7)], shape: [1])
        _ = try file.createGroup("empty")
        try file.createDataset("über", values: [Float(1)], shape: [1])
        #expect(try file.children() == [
            HDF5Child(name: "a", kind: .group), HDF5Child(name: "b", kind: .group),
            HDF5Child(name: "empty", kind: .group), HDF5Child(name: "top", kind: .dataset),
            HDF5Child(name: "über", kind: .dataset),
        ])
        #expect(try file.children(of: "b").map(\.name) == ["bias", "weight"])
        #expect(try file.openGroup("empty").children() == [])
        #expect(try file.datasetPaths() == ["a/x/y/deep", "b/bias", "b/weight", "top", "über"])
        #expect(try file.openGroup("a").datasetPaths() == ["x/y/deep"])
    }

    @Test("creating over an existing object throws objectExists")
    func exists() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("e.h5")
        let file = try HDF5File.create(path)
        _ = try file.createGroup("g")
        try file.createDataset("g/d", values: [Float(0)], shape: [1])
        #expect(throws: HDF5Error.objectExists(file: path, path: "/g")) { try file.createGroup("g") }
        #expect(throws: HDF5Error.objectExists(file: path, path: "/g/d")) {
            try file.createDataset("g/d", values: [Float(0)], shape: [1])
        }
        #expect(throws: HDF5Error.wrongObjectKind(file: path, path: "/g/d", expected: .group, found: .dataset)) {
            try file.requireGroup("g/d")
        }
    }
}
