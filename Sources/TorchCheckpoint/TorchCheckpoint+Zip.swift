import Foundation

extension TorchCheckpoint {
    /// Loads a zip-format checkpoint (torch >= 1.6).
    ///
    /// Layout: every member lives under one root folder, `archive/` or the file stem at save time:
    /// `<root>/data.pkl` (the pickle, storages as persistent ids
    /// `('storage', torch.FloatStorage, key, location, numel)`), `<root>/data/<key>` (raw little-endian
    /// storage bytes), `<root>/byteorder` (`little` or `big`; absent before torch 1.10, meaning
    /// little), `<root>/version` and a few bookkeeping records that are not read.
    ///
    /// - Throws: ``CheckpointError/missingEntry(file:entry:)`` without `<root>/data.pkl`,
    ///   ``CheckpointError/bigEndian(file:)``, ``CheckpointError/missingStorage(file:key:)``,
    ///   ``CheckpointError/compressedEntry(file:entry:method:)``, and the unpickler's errors.
    static func loadZip(_ buffer: UnsafeRawBufferPointer, file: URL) throws -> StateDict {
        let archive = try ZipArchive(buffer, file: file)
        guard let pickle = archive.members.first(where: { member in
            member.name.hasSuffix("/data.pkl") && member.name.split(separator: "/", omittingEmptySubsequences: false).count == 2
        }) else {
            throw CheckpointError.missingEntry(file: file, entry: "<root>/data.pkl")
        }
        let root = String(pickle.name.dropLast("/data.pkl".count))

        if let order = archive.member(named: "\(root)/byteorder") {
            let text = String(decoding: try archive.contents(of: order, in: buffer), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if text == "big" { throw CheckpointError.bigEndian(file: file) }
            guard text == "little" else {
                throw CheckpointError.malformed(file: file, detail: "\(root)/byteorder says \"\(text)\"; expected little")
            }
        }
        let version = try archive.member(named: "\(root)/version").flatMap { member in
            Int(String(decoding: try archive.contents(of: member, in: buffer), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines))
        }

        let pickleBytes = try archive.contents(of: pickle, in: buffer)
        var unpickler = Unpickler(UnsafeByteReader(pickleBytes, file: file, region: pickle.name))
        let object = try unpickler.load()
        return try stateDict(from: object, file: file, format: .zip(root: root, version: version)) { key in
            let name = "\(root)/data/\(key)"
            guard let member = archive.member(named: name) else {
                throw CheckpointError.missingStorage(file: file, key: name)
            }
            return try archive.contents(of: member, in: buffer)
        }
    }
}
