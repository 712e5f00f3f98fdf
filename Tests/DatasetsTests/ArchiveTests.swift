import Datasets
import Foundation
import OFATestSupport
import Testing

@Suite struct ArchiveTests {
    static let dir = TestPaths.fixture("datasets/download")

    /// Everything under `root`, relative paths, sorted (hidden staging folders included).
    static func tree(_ root: URL) -> [String] {
        let items = FileManager.default.subpaths(atPath: root.path) ?? []
        return items.sorted()
    }

    @Test func extractsTheMiniFlowersArchive() throws {
        let manifest = try DownloadFixtures.load()
        let out = try FlowersFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let summary = try ArchiveExtractor.extract(Self.dir.appendingPathComponent("102flowers-mini.tgz"), into: out)
        #expect(summary.files == 6 && summary.directories == 1 && summary.topLevel == ["jpg"])
        #expect(Self.tree(out) == ["jpg"] + manifest.flowers_members)
        var bytes = 0
        for member in manifest.flowers_members {
            let extracted = try Data(contentsOf: out.appendingPathComponent(member))
            #expect(extracted == (try Data(contentsOf: FlowersFixtures.mini.appendingPathComponent(member))), "\(member)")
            bytes += extracted.count
        }
        #expect(summary.bytes == Int64(bytes))
    }

    @Test(arguments: ["longnames.tar", "pax.tgz", "prefix.tgz", "concatenated.tgz"])
    func readsTarDialects(_ name: String) throws {
        let manifest = try DownloadFixtures.load()
        let out = try FlowersFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        try ArchiveExtractor.extract(Self.dir.appendingPathComponent(name), into: out)
        switch name {
        case "longnames.tar":
            #expect(try String(contentsOf: out.appendingPathComponent(manifest.longest_name), encoding: .utf8) == "long gnu\n")
        case "pax.tgz":
            #expect(try String(contentsOf: out.appendingPathComponent(manifest.longest_name), encoding: .utf8) == "long pax\n")
        case "prefix.tgz":
            #expect(try String(contentsOf: out.appendingPathComponent(manifest.long_name), encoding: .utf8) == "ustar prefix\n")
        default:
            #expect(Self.tree(out) == ["jpg"] + manifest.flowers_members)
        }
    }

    /// Bad archives give one line, and nothing is left in the destination (no partial files, no staging folder).
    @Test(arguments: [
        ("truncated.tgz", "truncated"),
        ("evil.tgz", "member '../evil' would be written outside the destination folder"),
        ("absolute.tgz", "member '/tmp/ofa-search-absolute-evil' would be written outside"),
        ("symlink.tgz", "member 'link' is a symbolic link; links are not extracted"),
        ("generate.py", "not a tar archive"),
    ])
    func badArchiveLeavesNothing(_ name: String, _ expected: String) throws {
        let out = try FlowersFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let archive = Self.dir.appendingPathComponent(name)
        let error = try #require(throws: DatasetError.self) { try ArchiveExtractor.extract(archive, into: out) }
        print("\(name): \(error)")
        #expect(error.description.hasPrefix("\(archive.path): cannot extract: "))
        #expect(error.description.contains(expected), "\(error)")
        #expect(Self.tree(out).isEmpty, "left behind: \(Self.tree(out))")
        #expect(!FileManager.default.fileExists(atPath: out.deletingLastPathComponent().appendingPathComponent("evil").path))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/ofa-search-absolute-evil"))
    }

    /// Flipped bytes inside the deflate data (caught by zlib or by the tar checksums) and a wrong CRC-32 in
    /// the gzip trailer (caught by zlib once the tar has ended): an error, and nothing extracted.
    @Test(arguments: [("middle", 2000), ("trailer CRC", -8)])
    func corruptGzipDataIsReported(_ id: String, _ position: Int) throws {
        var bytes = try Data(contentsOf: Self.dir.appendingPathComponent("102flowers-mini.tgz"))
        let at = position >= 0 ? position : bytes.count + position
        for i in at..<(at + (position >= 0 ? 40 : 1)) { bytes[i] ^= 0xA5 }
        let out = try FlowersFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let archive = out.appendingPathComponent("corrupt.tgz")
        try bytes.write(to: archive)
        let target = out.appendingPathComponent("into")
        let error = try #require(throws: DatasetError.self) { try ArchiveExtractor.extract(archive, into: target) }
        print("corrupt.tgz (\(id)): \(error)")
        if position < 0 {
            #expect(error.description.contains("corrupt gzip data: incorrect data check"))
        } else {
            #expect(error.description.contains("corrupt gzip data") || error.description.contains("header checksum mismatch"))
        }
        #expect(Self.tree(target).isEmpty)
    }

    @Test func refusesToOverwriteAnExistingTopLevelEntry() throws {
        let out = try FlowersFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        try FileManager.default.createDirectory(at: out.appendingPathComponent("jpg"), withIntermediateDirectories: false)
        let error = try #require(throws: DatasetError.self) {
            try ArchiveExtractor.extract(Self.dir.appendingPathComponent("102flowers-mini.tgz"), into: out)
        }
        print("clash: \(error)")
        #expect(error.description.contains("jpg already exists — remove it to extract 102flowers-mini.tgz again"))
        #expect(Self.tree(out) == ["jpg"])
    }
}
