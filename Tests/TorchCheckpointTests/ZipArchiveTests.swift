import Foundation
import Testing
@testable import TorchCheckpoint

/// The zip reader on archives torch does not write at fixture size: ZIP64 records and a trailing comment.
@Suite struct ZipArchiveTests {
    /// The members of a fixture, read with our own reader.
    func members(of name: String) throws -> [(String, [UInt8])] {
        let data = try Data(contentsOf: CheckpointFixtures.url(name))
        return try data.withUnsafeBytes { raw in
            let archive = try ZipArchive(raw, file: CheckpointFixtures.url(name))
            return try archive.members.map { ($0.name, Array(try archive.contents(of: $0, in: raw))) }
        }
    }

    @Test(arguments: [false, true])
    func rebuiltArchiveLoads(zip64: Bool) throws {
        let original = try TorchCheckpoint.load(from: CheckpointFixtures.url("module_buffer_zip.pth"))
        let bytes = Self.makeZip(try members(of: "module_buffer_zip.pth"), zip64: zip64, comment: "made by ZipArchiveTests")
        let url = URL(fileURLWithPath: "/virtual/rebuilt.pth")
        let state = try bytes.withUnsafeBytes { try TorchCheckpoint.load(contentsOf: $0, file: url) }
        #expect(state.entries == original.entries)
        #expect(state.format == .zip(root: "archive", version: 3))
    }

    /// A STORED zip with optional ZIP64 fields (all sizes and offsets in the ZIP64 extra field, a
    /// ZIP64 end record and locator) and an archive comment.
    static func makeZip(_ members: [(String, [UInt8])], zip64: Bool, comment: String) -> [UInt8] {
        func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
        var out: [UInt8] = [], central: [UInt8] = []
        for (name, data) in members {
            let offset = out.count, nameBytes = Array(name.utf8)
            out += le(UInt32(0x0403_4b50)) + le(UInt16(45)) + le(UInt16(0)) + le(UInt16(0)) + le(UInt32(0)) + le(UInt32(0))
            out += le(UInt32(data.count)) + le(UInt32(data.count)) + le(UInt16(nameBytes.count)) + le(UInt16(0)) + nameBytes + data
            let extra = zip64 ? le(UInt16(1)) + le(UInt16(24)) + le(UInt64(data.count)) + le(UInt64(data.count)) + le(UInt64(offset)) : []
            let size32 = zip64 ? UInt32.max : UInt32(data.count)
            central += le(UInt32(0x0201_4b50)) + le(UInt16(45)) + le(UInt16(45)) + le(UInt16(0)) + le(UInt16(0)) + le(UInt32(0))
            central += le(UInt32(0)) + le(size32) + le(size32) + le(UInt16(nameBytes.count)) + le(UInt16(extra.count))
            central += le(UInt16(0)) + le(UInt16(0)) + le(UInt16(0)) + le(UInt32(0)) + le(zip64 ? UInt32.max : UInt32(offset))
            central += nameBytes + extra
        }
        let directoryOffset = out.count
        out += central
        if zip64 {
            let record = out.count
            out += le(UInt32(0x0606_4b50)) + le(UInt64(44)) + le(UInt16(45)) + le(UInt16(45)) + le(UInt32(0)) + le(UInt32(0))
            out += le(UInt64(members.count)) + le(UInt64(members.count)) + le(UInt64(central.count)) + le(UInt64(directoryOffset))
            out += le(UInt32(0x0706_4b50)) + le(UInt32(0)) + le(UInt64(record)) + le(UInt32(1))
        }
        let count16 = zip64 ? UInt16.max : UInt16(members.count)
        out += le(UInt32(0x0605_4b50)) + le(UInt16(0)) + le(UInt16(0)) + le(count16) + le(count16)
        out += le(zip64 ? UInt32.max : UInt32(central.count)) + le(zip64 ? UInt32.max : UInt32(directoryOffset))
        out += le(UInt16(comment.utf8.count)) + Array(comment.utf8)
        return out
    }
}
