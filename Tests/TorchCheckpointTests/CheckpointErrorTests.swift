import Foundation
import Testing
@testable import TorchCheckpoint

/// Every bad input fails with the expected ``CheckpointError`` case and a one-line message naming the file.
@Suite struct CheckpointErrorTests {
    let fixtures: CheckpointFixtures

    init() throws {
        fixtures = try CheckpointFixtures.load()
    }

    /// The case name, as `expected.json` spells it.
    static func caseName(_ error: CheckpointError) -> String {
        Mirror(reflecting: error).children.first?.label ?? "\(error)"
    }

    @Test(arguments: CheckpointFixtures.badNames)
    func badFixtureFails(_ name: String) throws {
        let expected = try #require(fixtures.bad[name])
        let url = CheckpointFixtures.url(name)
        let error = #expect(throws: CheckpointError.self) { try TorchCheckpoint.load(from: url) }
        let thrown = try #require(error)
        #expect(Self.caseName(thrown) == expected.error, "\(name): \(thrown)")
        #expect(thrown.file == url)
        #expect(thrown.description.hasPrefix(url.path + ": "), "\(thrown.description)")
        #expect(!thrown.description.contains("\n"))
        if let global = expected.global {
            #expect(thrown == .refusedGlobal(file: url, name: global))
        }
        if let opcode = expected.opcode {
            guard case .unsupportedOpcode(_, let reported, _) = thrown else { return }
            #expect(reported.hasPrefix(opcode + " "))
        }
    }

    @Test func refusedGlobalMessage() throws {
        let url = CheckpointFixtures.url("os_system_zip.pth")
        let error = #expect(throws: CheckpointError.self) { try TorchCheckpoint.load(from: url) }
        #expect(error?.description == "\(url.path): refusing global os.system: a checkpoint may only contain tensors "
            + "and dicts — save model.state_dict(), not the model object; never load files you do not trust")
    }

    @Test func notACheckpointMessage() throws {
        let url = CheckpointFixtures.url("random.pth")
        let error = #expect(throws: CheckpointError.self) { try TorchCheckpoint.load(from: url) }
        #expect(error?.description.hasPrefix(
            "\(url.path): not a PyTorch checkpoint: neither a zip archive nor a legacy pickle") == true)
    }

    @Test func missingFile() {
        let url = CheckpointFixtures.url("does-not-exist.pth")
        #expect(throws: CheckpointError.fileNotFound(file: url)) { try TorchCheckpoint.load(from: url) }
        #expect(CheckpointError.fileNotFound(file: url).description == "\(url.path): no such file — check the path")
    }

    @Test func directoryIsUnreadable() {
        let url = CheckpointFixtures.url("")
        let error = #expect(throws: CheckpointError.self) { try TorchCheckpoint.load(from: url) }
        #expect(error.map(Self.caseName) == "unreadable")
    }

    @Test func everyTruncationOfALegacyFileFailsCleanly() throws {
        // Cutting a file anywhere must throw, never trap or hang.
        let whole = try Data(contentsOf: CheckpointFixtures.url("tensors_legacy.pth"))
        let url = URL(fileURLWithPath: "/virtual/cut.pth")
        for length in stride(from: 0, to: whole.count, by: 7) {
            let prefix = whole.prefix(length)
            #expect(throws: CheckpointError.self) {
                try prefix.withUnsafeBytes { try TorchCheckpoint.load(contentsOf: $0, file: url) }
            }
        }
    }

    @Test func everyTruncationOfAZipFileFailsCleanly() throws {
        let whole = try Data(contentsOf: CheckpointFixtures.url("tensors_zip.pth"))
        let url = URL(fileURLWithPath: "/virtual/cut.pth")
        for length in stride(from: 0, to: whole.count, by: 13) {
            let prefix = whole.prefix(length)
            #expect(throws: CheckpointError.self) {
                try prefix.withUnsafeBytes { try TorchCheckpoint.load(contentsOf: $0, file: url) }
            }
        }
    }
}
