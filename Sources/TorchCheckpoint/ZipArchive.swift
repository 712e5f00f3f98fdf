import Foundation

/// The member table of a zip archive, read from its central directory (ZIP64 included).
///
/// Layout, as `torch.save` writes it (PyTorchStreamWriter, miniz): local header + data per member,
/// every member STORED (uncompressed) and 64-byte aligned through the local extra field; then the
/// central directory; then, for archives past 4 GiB or 65,535 members, a ZIP64 end record and its
/// locator; last the end-of-central-directory record (EOCD) with an optional comment. Sizes and
/// offsets are taken from the central directory, never from local headers, which may defer them to a
/// data descriptor. Holds offsets only: member bytes are borrowed from the caller's buffer.
struct ZipArchive {
    /// One member, as the central directory describes it.
    struct Member {
        let name: String
        /// 0 = STORED; anything else is compressed and refused when read.
        let method: Int
        let compressedSize: Int
        let size: Int
        let localHeaderOffset: Int
    }

    /// Members in directory order.
    let members: [Member]
    private let byName: [String: Int]
    private let file: URL

    /// Reads the central directory of the archive in `buffer`.
    ///
    /// - Throws: ``CheckpointError/truncated(file:detail:)`` when the end record or the directory lies
    ///   outside the file, ``CheckpointError/malformed(file:detail:)`` for inconsistent records.
    init(_ buffer: UnsafeRawBufferPointer, file: URL) throws {
        self.file = file
        let reader = UnsafeByteReader(buffer, file: file, region: "the zip archive")
        guard let eocd = Self.findEndRecord(buffer) else {
            throw CheckpointError.truncated(
                file: file, detail: "zip end-of-central-directory record not found in the last 64 KiB")
        }
        var count = Int(try reader.integer(UInt16.self, at: eocd + 10, for: "the member count"))
        var directorySize = Int(try reader.integer(UInt32.self, at: eocd + 12, for: "the directory size"))
        var directoryOffset = Int(try reader.integer(UInt32.self, at: eocd + 16, for: "the directory offset"))
        let locator = eocd - 20
        if locator >= 0, try reader.integer(UInt32.self, at: locator, for: "the ZIP64 locator") == 0x0706_4b50 {
            let record = Int(clamping: try reader.integer(UInt64.self, at: locator + 8, for: "the ZIP64 record offset"))
            guard try reader.integer(UInt32.self, at: record, for: "the ZIP64 end record") == 0x0606_4b50 else {
                throw CheckpointError.malformed(file: file, detail: "ZIP64 locator points to byte \(record), which holds no ZIP64 end record")
            }
            count = Int(clamping: try reader.integer(UInt64.self, at: record + 32, for: "the ZIP64 member count"))
            directorySize = Int(clamping: try reader.integer(UInt64.self, at: record + 40, for: "the ZIP64 directory size"))
            directoryOffset = Int(clamping: try reader.integer(UInt64.self, at: record + 48, for: "the ZIP64 directory offset"))
        }
        guard directoryOffset <= buffer.count, directorySize <= buffer.count - directoryOffset else {
            throw CheckpointError.truncated(
                file: file, detail: "the zip directory (\(directorySize) bytes at byte \(directoryOffset)) lies past the end of the file (\(buffer.count) bytes)")
        }
        var cursor = UnsafeByteReader(buffer, offset: directoryOffset, file: file, region: "the zip directory")
        var members: [Member] = []
        members.reserveCapacity(min(count, 1 << 16))
        for _ in 0..<count {
            members.append(try Self.readMember(&cursor))
        }
        self.members = members
        self.byName = Dictionary(members.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The member with this exact name, or nil.
    func member(named name: String) -> Member? {
        byName[name].map { members[$0] }
    }

    /// The bytes of a STORED member, borrowed from `buffer`.
    ///
    /// - Throws: ``CheckpointError/compressedEntry(file:entry:method:)`` for a compressed member,
    ///   ``CheckpointError/truncated(file:detail:)`` when its data runs past the end of the file.
    func contents(of member: Member, in buffer: UnsafeRawBufferPointer) throws -> UnsafeRawBufferPointer {
        guard member.method == 0 else {
            throw CheckpointError.compressedEntry(file: file, entry: member.name, method: member.method)
        }
        var cursor = UnsafeByteReader(buffer, offset: member.localHeaderOffset, file: file, region: "the zip archive")
        let what = "the local header of \(member.name)"
        guard try cursor.integer(UInt32.self, for: what) == 0x0403_4b50 else {
            throw CheckpointError.malformed(file: file, detail: "no local header for zip member \(member.name) at byte \(member.localHeaderOffset)")
        }
        let nameLength = Int(try cursor.integer(UInt16.self, at: member.localHeaderOffset + 26, for: what))
        let extraLength = Int(try cursor.integer(UInt16.self, at: member.localHeaderOffset + 28, for: what))
        cursor.offset = member.localHeaderOffset + 30
        _ = try cursor.bytes(nameLength + extraLength, for: what)
        return try cursor.bytes(member.size, for: "the data of \(member.name)")
    }

    /// The position of the EOCD record: the last signature whose comment length reaches the end of
    /// the file exactly, else the last signature found.
    private static func findEndRecord(_ buffer: UnsafeRawBufferPointer) -> Int? {
        guard buffer.count >= 22 else { return nil }
        let lowest = max(0, buffer.count - 22 - 0xffff)
        var fallback: Int?
        for position in stride(from: buffer.count - 22, through: lowest, by: -1)
        where UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: position, as: UInt32.self)) == 0x0605_4b50 {
            let comment = Int(UInt16(littleEndian: buffer.loadUnaligned(fromByteOffset: position + 20, as: UInt16.self)))
            if position + 22 + comment == buffer.count { return position }
            fallback = fallback ?? position
        }
        return fallback
    }

    /// Reads one central-directory header at `cursor` and moves past it.
    ///
    /// Layout: signature `PK\1\2`, versions (2+2), flags (2), method (2), time and date (2+2), CRC (4),
    /// compressed and uncompressed size (4+4), name, extra and comment lengths (2+2+2), disk (2),
    /// attributes (2+4), local header offset (4), then name, extra fields, comment. A 32-bit field
    /// of 0xFFFFFFFF is replaced from the ZIP64 extra field (id 1), in the order size, compressed
    /// size, offset.
    private static func readMember(_ cursor: inout UnsafeByteReader) throws -> Member {
        let start = cursor.offset
        let what = "a zip directory entry"
        guard try cursor.integer(UInt32.self, for: what) == 0x0201_4b50 else {
            throw CheckpointError.malformed(file: cursor.file, detail: "zip directory entry expected at byte \(start)")
        }
        let method = Int(try cursor.integer(UInt16.self, at: start + 10, for: what))
        var compressedSize = UInt64(try cursor.integer(UInt32.self, at: start + 20, for: what))
        var size = UInt64(try cursor.integer(UInt32.self, at: start + 24, for: what))
        let nameLength = Int(try cursor.integer(UInt16.self, at: start + 28, for: what))
        let extraLength = Int(try cursor.integer(UInt16.self, at: start + 30, for: what))
        let commentLength = Int(try cursor.integer(UInt16.self, at: start + 32, for: what))
        var localOffset = UInt64(try cursor.integer(UInt32.self, at: start + 42, for: what))
        cursor.offset = start + 46
        let name = String(decoding: try cursor.bytes(nameLength, for: what), as: UTF8.self)
        var extra = UnsafeByteReader(try cursor.bytes(extraLength, for: what), file: cursor.file, region: "the zip extra field of \(name)")
        _ = try cursor.bytes(commentLength, for: what)

        while extra.remaining >= 4 {
            let id = try extra.integer(UInt16.self)
            let length = Int(try extra.integer(UInt16.self))
            var field = UnsafeByteReader(try extra.bytes(length), file: extra.file, region: extra.region)
            guard id == 1 else { continue }
            if size == 0xffff_ffff { size = try field.integer(UInt64.self, for: "the ZIP64 size") }
            if compressedSize == 0xffff_ffff { compressedSize = try field.integer(UInt64.self, for: "the ZIP64 compressed size") }
            if localOffset == 0xffff_ffff { localOffset = try field.integer(UInt64.self, for: "the ZIP64 offset") }
        }
        return Member(name: name, method: method, compressedSize: Int(clamping: compressedSize),
                      size: Int(clamping: size), localHeaderOffset: Int(clamping: localOffset))
    }
}
