import Foundation
import HDF5
import Testing

@Suite("Attributes")
struct AttributeTests {
    struct Config: Codable, Equatable {
        var name: String
        var depths: [Int]
        var ratio: Double
        var ok: Bool
    }

    static let values: [(String, HDF5AttributeValue)] = [
        ("ascii", "hello"),
        ("utf8", "Größe µ — 花 🌸"),
        ("empty", ""),
        ("count", 42),
        ("negative", .int64(.min)),
        ("lr", 0.001),
        ("mean", [0.485, 0.456, 0.406]),
        ("ids", .int64s([1, -2, 1 << 40])),
        ("doubles", .doubles([0.1, 1e-300])),
        ("emptyFloats", .floats([])),
        ("ñame→", "non-ASCII attribute name"),
    ]

    enum Target: String, CaseIterable { case file, group, dataset }

    @Test("every kind of attribute round-trips on a file, a group and a dataset", arguments: Target.allCases)
    func roundTrip(target: Target) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("a.h5")
        func object(in file: HDF5File) throws -> HDF5Object {
            switch target {
            case .file: return file
            case .group: return try file.requireGroup("g/h")
            case .dataset:
                return try file.contains("d") ? try file.openDataset("d")
                    : try file.createDataset("d", values: [Float(1)], shape: [1])
            }
        }
        do {
            let file = try HDF5File.create(path)
            let holder = try object(in: file)
            for (name, value) in Self.values { try holder.setAttribute(name, value) }
            try file.close()
        }
        let file = try HDF5File.open(path)
        let holder = try object(in: file)
        for (name, value) in Self.values { #expect(try holder.attribute(name) == value, "\(name)") }
        #expect(try holder.attributeNames() == Self.values.map(\.0).sorted { Array($0.utf8).lexicographicallyPrecedes($1.utf8) })
        #expect(try holder.stringAttribute("utf8") == "Größe µ — 花 🌸")
        #expect(try holder.int64Attribute("count") == 42)
        #expect(try holder.doubleAttribute("lr") == 0.001)
        #expect(try holder.floatArrayAttribute("mean") == [0.485, 0.456, 0.406])
        #expect(try holder.floatArrayAttribute("doubles") == [Float(0.1), Float(1e-300)])
    }

    @Test("setting an existing attribute replaces it, even with another type; delete removes it")
    func replaceAndDelete() throws {
        let directory = try TemporaryDirectory()
        let file = try HDF5File.create(directory.path("a.h5"))
        try file.setAttribute("x", 1)
        try file.setAttribute("x", "now a string")
        #expect(try file.stringAttribute("x") == "now a string")
        #expect(try file.hasAttribute("x"))
        try file.deleteAttribute("x")
        #expect(try !file.hasAttribute("x"))
        #expect(try file.attributeNames() == [])
    }

    @Test("JSON attributes: Codable and Data, stored as a UTF-8 string")
    func json() throws {
        let directory = try TemporaryDirectory()
        let file = try HDF5File.create(directory.path("j.h5"))
        let group = try file.createGroup("arch")
        let config = Config(name: "naïve/ü", depths: [2, 3, 4], ratio: 0.5, ok: true)
        try group.setJSONAttribute("config", config)
        #expect(try group.jsonAttribute("config", as: Config.self) == config)
        #expect(try group.stringAttribute("config") == #"{"depths":[2,3,4],"name":"naïve/ü","ok":true,"ratio":0.5}"#)
        try group.setJSONAttribute("raw", data: Data(#"[1, "two", null]"#.utf8))
        #expect(try group.jsonAttributeData("raw") == Data(#"[1, "two", null]"#.utf8))
    }

    @Test("typed getters and JSON reject the wrong kind with a typed error naming the file")
    func mismatches() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("m.h5")
        let file = try HDF5File.create(path)
        try file.setAttribute("n", 3)
        try file.setAttribute("s", "not json {")
        let typeError = #expect(throws: HDF5Error.self) { try file.stringAttribute("n") }
        #expect(typeError == .typeMismatch(file: path, path: "/ @n", expected: "a string", found: "an int64 scalar"))
        #expect(throws: HDF5Error.self) { try file.doubleAttribute("n") }
        let missing = #expect(throws: HDF5Error.self) { try file.attribute("nope") }
        #expect(missing == .attributeNotFound(file: path, path: "/", name: "nope"))
        let badJSON = #expect(throws: HDF5Error.self) { try file.jsonAttribute("s", as: [Int].self) }
        guard case .invalidJSON(path, "/", "s", _)? = badJSON else {
            Issue.record("expected invalidJSON, got \(String(describing: badJSON))")
            return
        }
        #expect(throws: HDF5Error.self) { try file.setJSONAttribute("t", data: Data("{oops".utf8)) }
        #expect(try !file.hasAttribute("t"))
        for error in [typeError, missing, badJSON].compactMap({ $0 }) { #expect(error.description.contains(path)) }
    }

    @Test("format and format_version root attributes")
    func format() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("f.h5")
        let file = try HDF5File.create(path)
        #expect(try file.readFormat() == nil)
        try file.writeFormat(HDF5FileFormat(name: "ofa-search/supernet", version: 1))
        try file.requireFormat(HDF5FileFormat(name: "ofa-search/supernet", version: 1))
        let error = #expect(throws: HDF5Error.self) {
            try file.requireFormat(HDF5FileFormat(name: "ofa-search/supernet", version: 2), hint: "re-export it")
        }
        #expect(error?.description == "\(path) has format ofa-search/supernet v1, expected ofa-search/supernet v2 — re-export it")
    }
}
