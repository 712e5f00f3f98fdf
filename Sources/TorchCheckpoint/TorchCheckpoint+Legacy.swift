import Foundation

extension TorchCheckpoint {
    /// The legacy magic number 0x1950a86a20f9469cfc6c as `LONG1` payload bytes (little-endian).
    static let legacyMagic: [UInt8] = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]
    /// The only legacy protocol version torch has written.
    static let legacyProtocolVersion = 1001

    /// Loads a legacy-format checkpoint (torch < 1.6, or `_use_new_zipfile_serialization=False`).
    ///
    /// Layout: five consecutive pickles, then raw storages:
    /// 1. the magic number 0x1950a86a20f9469cfc6c; 2. the protocol version 1001;
    /// 3. `sys_info`, a dict with `little_endian` and C type sizes;
    /// 4. the object, storages as persistent ids `('storage', torch.FloatStorage, key, location,
    ///    numel, view_metadata)`;
    /// 5. the list of storage keys;
    /// then, for each key in that order, an int64 little-endian element count followed by that many
    /// elements of the storage's type (the type of its first reference in pickle 4).
    ///
    /// - Throws: ``CheckpointError/bigEndian(file:)``, ``CheckpointError/truncated(file:detail:)`` when
    ///   storage bytes are cut short, ``CheckpointError/missingStorage(file:key:)``, and the
    ///   unpickler's errors.
    static func loadLegacy(_ buffer: UnsafeRawBufferPointer, file: URL) throws -> StateDict {
        var unpickler = Unpickler(UnsafeByteReader(buffer, file: file, region: "the legacy pickle"))
        guard case .bigInt(let magic) = try unpickler.load(), magic == legacyMagic else {
            throw CheckpointError.malformed(
                file: file, detail: "a Python pickle, but not one written by torch.save (no PyTorch magic number)")
        }
        let version = try unpickler.load()
        guard case .int(legacyProtocolVersion) = version else {
            throw CheckpointError.malformed(file: file, detail: "legacy protocol version \(version) is not supported (1001 is)")
        }
        if case .dict(let sysInfo) = try unpickler.load(), case .bool(false)? = sysInfo["little_endian"] {
            throw CheckpointError.bigEndian(file: file)
        }
        let object = try unpickler.load()
        guard case .list(let keyList) = try unpickler.load() else {
            throw CheckpointError.malformed(file: file, detail: "the list of storage keys is missing after the legacy pickle")
        }

        var reader = UnsafeByteReader(buffer, offset: unpickler.reader.offset, file: file, region: "the legacy storage data")
        var storages: [String: UnsafeRawBufferPointer] = [:]
        for item in keyList.items {
            guard case .string(let key) = item, let dtype = unpickler.storageDTypes[key] else {
                throw CheckpointError.malformed(file: file, detail: "storage key \(item.typeName) is listed but never referenced")
            }
            let count = try reader.integer(Int64.self, for: "the element count of storage \(key)")
            let (byteCount, overflow) = Int(clamping: count).multipliedReportingOverflow(by: dtype.elementSize)
            guard count >= 0, !overflow else {
                throw CheckpointError.malformed(file: file, detail: "storage \(key) claims \(count) elements")
            }
            storages[key] = try reader.bytes(byteCount, for: "storage \(key) (\(count) \(dtype) elements)")
        }
        return try stateDict(from: object, file: file, format: .legacy) { key in
            guard let bytes = storages[key] else { throw CheckpointError.missingStorage(file: file, key: key) }
            return bytes
        }
    }
}
