import Datasets
import Foundation
import OFATestSupport
import Testing

/// `Tests/Fixtures/datasets/download/manifest.json`, written by its generate.py.
struct DownloadFixtures: Decodable {
    struct Entry: Decodable {
        var md5: String
        var size: Int64
    }

    var format: String
    var format_version: Int
    var files: [String: Entry]
    var flowers_members: [String]
    var long_name: String
    var longest_name: String

    static let dir = TestPaths.fixture("datasets/download")

    static func load() throws -> DownloadFixtures {
        let m = try JSONDecoder().decode(DownloadFixtures.self, from: Data(contentsOf: dir.appendingPathComponent("manifest.json")))
        guard m.format == "ofa-search/download-fixtures", m.format_version == 1 else {
            throw DatasetError.invalid("download fixtures are \(m.format) v\(m.format_version); rerun Tests/Fixtures/datasets/download/generate.py")
        }
        return m
    }

    /// A served folder holding the mini Flowers-102 files under their official names, and their RemoteFiles.
    static func miniFlowersSite() throws -> (folder: URL, files: [RemoteFile]) {
        let folder = try FlowersFixtures.temporaryDirectory("site")
        let fm = FileManager.default
        let copies = [("imagelabels.mat", FlowersFixtures.mini.appendingPathComponent("imagelabels.mat")),
                      ("setid.mat", FlowersFixtures.mini.appendingPathComponent("setid.mat")),
                      ("102flowers.tgz", dir.appendingPathComponent("102flowers-mini.tgz"))]
        var files: [RemoteFile] = []
        for (name, source) in copies {
            try fm.copyItem(at: source, to: folder.appendingPathComponent(name))
            let data = try Data(contentsOf: source)
            files.append(RemoteFile(name: name, md5: try md5Python(source), size: Int64(data.count), extractsTo: name.hasSuffix(".tgz") ? "jpg" : nil))
        }
        return (folder, files)
    }

    /// md5s from the generators' manifests (computed by Python's hashlib, not by our MD5).
    static func md5Python(_ file: URL) throws -> String {
        if file.deletingLastPathComponent().path == dir.path {
            return try load().files[file.lastPathComponent]!.md5
        }
        struct Mini: Decodable { var md5: [String: String] }
        let mini = try JSONDecoder().decode(Mini.self, from: Data(contentsOf: FlowersFixtures.mini.appendingPathComponent("manifest.json")))
        return mini.md5[file.lastPathComponent]!
    }
}

/// Collects progress reports from the downloader's queue.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [DownloadProgress] = []

    var handler: DownloadProgressHandler {
        { [self] p in lock.lock(); items.append(p); lock.unlock() }
    }

    var reports: [DownloadProgress] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}

@Suite struct DownloadTests {
    /// A served folder with one 200,000-byte file of random bytes, and its md5 (from Python-free MD5 of the bytes).
    static func payloadSite() throws -> (folder: URL, data: Data, md5: String) {
        let folder = try FlowersFixtures.temporaryDirectory("payload")
        var generator = SystemRandomNumberGenerator()
        let data = Data((0..<200_000).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try data.write(to: folder.appendingPathComponent("payload.bin"))
        return (folder, data, MD5.hex(of: data))
    }

    @Test func fullDownloadWithProgress() throws {
        let site = try Self.payloadSite()
        let server = try LocalHTTPServer(root: site.folder)
        defer { server.stop(); try? FileManager.default.removeItem(at: site.folder) }
        let out = try FlowersFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let dest = out.appendingPathComponent("payload.bin")
        let log = ProgressLog()
        let fetched = try DatasetDownloader.download(server.baseURL.appendingPathComponent("payload.bin"), to: dest, md5: site.md5, progress: log.handler)
        #expect(fetched)
        #expect(try Data(contentsOf: dest) == site.data)
        #expect(!FileManager.default.fileExists(atPath: dest.path + ".partial"))
        let last = try #require(log.reports.last)
        #expect(last.finished && last.bytes == 200_000 && last.total == 200_000 && last.fraction == 1)
        #expect(server.requests.map(\.status) == [200])

        // Present with the right md5: nothing fetched.
        #expect(try !DatasetDownloader.download(server.baseURL.appendingPathComponent("payload.bin"), to: dest, md5: site.md5))
        #expect(server.requests.count == 1)
    }

    @Test func resumesAfterACutWithinOneCall() throws {
        let site = try Self.payloadSite()
        let server = try LocalHTTPServer(root: site.folder, cutAfter: 70_000, cutCount: 2)
        defer { server.stop(); try? FileManager.default.removeItem(at: site.folder) }
        let out = try FlowersFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let dest = out.appendingPathComponent("payload.bin")
        try DatasetDownloader.download(server.baseURL.appendingPathComponent("payload.bin"), to: dest, md5: site.md5, attempts: 3)
        #expect(try Data(contentsOf: dest) == site.data)
        #expect(server.requests.map(\.range) == [nil, "bytes=70000-", "bytes=140000-"])
        #expect(server.requests.map(\.status) == [200, 206, 206])
    }

    @Test func resumesAPartialFileFromAnEarlierRun() throws {
        let site = try Self.payloadSite()
        let server = try LocalHTTPServer(root: site.folder, cutAfter: 50_000, cutCount: 1)
        defer { server.stop(); try? FileManager.default.removeItem(at: site.folder) }
        let out = try FlowersFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let dest = out.appendingPathComponent("payload.bin")
        let url = server.baseURL.appendingPathComponent("payload.bin")
        let error = try #require(throws: DatasetError.self) { try DatasetDownloader.download(url, to: dest, md5: site.md5, attempts: 1) }
        print("cut: \(error)")
        #expect(error.description.contains("download of \(url.absoluteString) failed"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: dest.path + ".partial")) == site.data.prefix(50_000))
        #expect(!FileManager.default.fileExists(atPath: dest.path))

        try DatasetDownloader.download(url, to: dest, md5: site.md5, attempts: 1)
        #expect(try Data(contentsOf: dest) == site.data)
        #expect(server.requests.last?.range == "bytes=50000-" && server.requests.last?.status == 206)
    }

    @Test func serverThatIgnoresTheRangeRestartsTheFile() throws {
        let site = try Self.payloadSite()
        let server = try LocalHTTPServer(root: site.folder, cutAfter: 30_000, cutCount: 1, ignoresRange: true)
        defer { server.stop(); try? FileManager.default.removeItem(at: site.folder) }
        let out = try FlowersFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let dest = out.appendingPathComponent("payload.bin")
        try DatasetDownloader.download(server.baseURL.appendingPathComponent("payload.bin"), to: dest, md5: site.md5, attempts: 2)
        #expect(try Data(contentsOf: dest) == site.data)
        #expect(server.requests.map(\.range) == [nil, "bytes=30000-"])
        #expect(server.requests.map(\.status) == [200, 200])
    }

    @Test func stalePartialLongerThanTheFileStartsOver() throws {
        let site = try Self.payloadSite()
        let server = try LocalHTTPServer(root: site.folder)
        defer { server.stop(); try? FileManager.default.removeItem(at: site.folder) }
        let out = try FlowersFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let dest = out.appendingPathComponent("payload.bin")
        try Data(repeating: 7, count: 250_000).write(to: URL(fileURLWithPath: dest.path + ".partial"))
        try DatasetDownloader.download(server.baseURL.appendingPathComponent("payload.bin"), to: dest, md5: site.md5)
        #expect(try Data(contentsOf: dest) == site.data)
        #expect(server.requests.map(\.status) == [416, 200])
    }

    @Test func wrongChecksumKeepsNothing() throws {
        let site = try Self.payloadSite()
        var corrupted = site.data
        corrupted[1234] ^= 0xFF  // the server serves a corrupted copy
        try corrupted.write(to: site.folder.appendingPathComponent("payload.bin"))
        let server = try LocalHTTPServer(root: site.folder)
        defer { server.stop(); try? FileManager.default.removeItem(at: site.folder) }
        let out = try FlowersFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let dest = out.appendingPathComponent("payload.bin")
        let error = try #require(throws: DatasetError.self) {
            try DatasetDownloader.download(server.baseURL.appendingPathComponent("payload.bin"), to: dest, md5: site.md5)
        }
        print("corrupted copy: \(error)")
        #expect(error == .checksum(file: dest.path, expected: site.md5, actual: MD5.hex(of: corrupted)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).isEmpty)
    }

    @Test func notFoundIsOneLine() throws {
        let site = try Self.payloadSite()
        let server = try LocalHTTPServer(root: site.folder)
        defer { server.stop(); try? FileManager.default.removeItem(at: site.folder) }
        let out = try FlowersFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let url = server.baseURL.appendingPathComponent("absent.bin")
        let error = try #require(throws: DatasetError.self) {
            try DatasetDownloader.download(url, to: out.appendingPathComponent("absent.bin"), md5: site.md5)
        }
        print("404: \(error)")
        #expect(error.description.hasPrefix("download of \(url.absoluteString) failed: HTTP 404"))
        #expect(!error.description.contains("\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).isEmpty)
    }

    @Test func connectionRefusedSaysWhereToGetTheData() throws {
        let port = try LocalHTTPServer.closedPort()
        let root = try FlowersFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let base = URL(string: "http://127.0.0.1:\(port)/flowers/")!
        let error = try #require(throws: DatasetError.self) { try DatasetDownloader.downloadFlowers102(into: root, baseURL: base) }
        print("refused: \(error)")
        let line = error.description
        #expect(line.hasPrefix("download of http://127.0.0.1:\(port)/flowers/imagelabels.mat failed: cannot connect to 127.0.0.1:\(port)"))
        #expect(line.contains("looked for \(root.appendingPathComponent("imagelabels.mat").path)"))
        #expect(line.contains("download http://127.0.0.1:\(port)/flowers/imagelabels.mat yourself"))
        #expect(!line.contains("\n"))
    }

    @Test func flowers102EndToEndFromALocalMirror() throws {
        let site = try DownloadFixtures.miniFlowersSite()
        let server = try LocalHTTPServer(root: site.folder)
        defer { server.stop(); try? FileManager.default.removeItem(at: site.folder) }
        let parent = try FlowersFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let root = parent.appendingPathComponent("flowers102")
        let log = ProgressLog()
        let report = try DatasetDownloader.downloadFlowers102(into: root, baseURL: server.baseURL, files: site.files, progress: log.handler)
        #expect(report.downloaded == ["imagelabels.mat", "setid.mat", "102flowers.tgz"] && report.extracted == ["102flowers.tgz"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() == ["imagelabels.mat", "jpg", "setid.mat"])
        #expect(Set(log.reports.filter(\.finished).map(\.file)) == ["imagelabels.mat", "setid.mat", "102flowers.tgz"])

        let data = try Flowers102.load(root: root)
        #expect((data[.train].count, data[.valid].count, data[.test].count) == (2, 2, 2))
        #expect(try data[.test][0].source.load().width == 62)

        // Idempotent: a second run fetches nothing.
        let again = try DatasetDownloader.downloadFlowers102(into: root, baseURL: server.baseURL, files: site.files)
        #expect(again.downloaded.isEmpty && again.skipped == ["imagelabels.mat", "setid.mat", "102flowers.tgz"])
        #expect(server.requests.count == 3)
    }

    @Test func flowers102KeepsTheArchiveWhenAsked() throws {
        let site = try DownloadFixtures.miniFlowersSite()
        let server = try LocalHTTPServer(root: site.folder)
        defer { server.stop(); try? FileManager.default.removeItem(at: site.folder) }
        let root = try FlowersFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try DatasetDownloader.downloadFlowers102(into: root, baseURL: server.baseURL, files: site.files, keepArchive: true)
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("102flowers.tgz").path))
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("jpg/image_00006.jpg").path))
    }

    @Test func flowers102TruncatedArchiveLeavesNoImages() throws {
        let site = try DownloadFixtures.miniFlowersSite()
        // The mirror serves a truncated archive under the truncated archive's own md5: it passes the
        // checksum, and extraction must fail cleanly.
        try FileManager.default.removeItem(at: site.folder.appendingPathComponent("102flowers.tgz"))
        try FileManager.default.copyItem(at: DownloadFixtures.dir.appendingPathComponent("truncated.tgz"), to: site.folder.appendingPathComponent("102flowers.tgz"))
        var files = site.files
        files[2].md5 = try DownloadFixtures.load().files["truncated.tgz"]!.md5
        let server = try LocalHTTPServer(root: site.folder)
        defer { server.stop(); try? FileManager.default.removeItem(at: site.folder) }
        let root = try FlowersFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let error = try #require(throws: DatasetError.self) {
            try DatasetDownloader.downloadFlowers102(into: root, baseURL: server.baseURL, files: files)
        }
        print("truncated archive: \(error)")
        #expect(error.description.contains("102flowers.tgz: cannot extract: truncated"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() == ["102flowers.tgz", "imagelabels.mat", "setid.mat"])
    }
}
