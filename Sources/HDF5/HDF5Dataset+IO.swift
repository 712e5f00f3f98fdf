import CHDF5

extension HDF5Dataset {
    /// Reads all elements, row-major, converting from the stored type (e.g. float16 → `Float`).
    /// - Throws: ``HDF5Error/typeMismatch(file:path:expected:found:)`` if the stored type cannot be read
    ///   as `T` (see ``HDF5Element``), ``HDF5Error/libraryFailure(file:path:operation:message:)``.
    public func read<T: HDF5Element>(_ type: T.Type = T.self) throws -> [T] {
        try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            try read(into: UnsafeMutableBufferPointer(rebasing: buffer[0..<count]))
            initialized = count
        }
    }

    /// Reads all elements after checking the dataset has exactly `expectedShape`.
    /// - Throws: ``HDF5Error/shapeMismatch(file:path:expected:found:)``, and as ``read(_:)``.
    public func read<T: HDF5Element>(_ type: T.Type = T.self, expectingShape expectedShape: [Int]) throws -> [T] {
        guard shape == expectedShape else {
            throw HDF5Error.shapeMismatch(file: filePath, path: path, expected: expectedShape, found: shape)
        }
        return try read(T.self)
    }

    /// Reads all elements directly into caller-owned memory (no intermediate array), e.g. a weight arena.
    ///
    /// `buffer` must hold exactly ``count`` elements; on return it holds them row-major.
    /// - Throws: ``HDF5Error/countMismatch(file:path:expected:found:)``,
    ///   ``HDF5Error/typeMismatch(file:path:expected:found:)``,
    ///   ``HDF5Error/libraryFailure(file:path:operation:message:)`` (e.g. a corrupt chunk).
    public func read<T: HDF5Element>(into buffer: UnsafeMutableBufferPointer<T>) throws {
        guard T.canRead(from: dataType) else {
            throw HDF5Error.typeMismatch(
                file: filePath, path: path, expected: T.readableDescription, found: dataType.description)
        }
        guard buffer.count == count else {
            throw HDF5Error.countMismatch(file: filePath, path: path, expected: count, found: buffer.count)
        }
        #if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
        if dataType == .float16, T.self == Float.self, try isLittleEndian() {
            // libhdf5's own half → float conversion is a slow soft path (~0.3 s for 4.7 M values); read the
            // halves as stored and widen them here.
            let halves = try [UInt16](unsafeUninitializedCapacity: count) { raw, initialized in
                try HDF5Library.withLock {
                    let id = try liveID()
                    let fileType = H5Dget_type(id)
                    defer { H5Tclose(fileType) }
                    guard count > 0, fileType >= 0, H5Dread(id, fileType, H5S_ALL, H5S_ALL, hid_t(H5P_DEFAULT), raw.baseAddress) >= 0 else {
                        throw libraryFailure("read float16 data")
                    }
                }
                initialized = count
            }
            let floats = UnsafeMutableRawBufferPointer(buffer).bindMemory(to: Float.self)
            for i in 0..<count { floats[i] = Float(Float16(bitPattern: halves[i])) }
            return
        }
        #endif
        try HDF5Library.withLock {
            let id = try liveID()
            guard count > 0, let base = buffer.baseAddress else { return }
            guard H5Dread(id, T.memoryTypeID, H5S_ALL, H5S_ALL, hid_t(H5P_DEFAULT), base) >= 0 else {
                throw libraryFailure("read \(dataType) data as \(T.self)")
            }
        }
    }

    /// Whether the stored element type is little-endian (the byte order `Float16(bitPattern:)` expects here).
    private func isLittleEndian() throws -> Bool {
        try HDF5Library.withLock {
            let fileType = H5Dget_type(try liveID())
            defer { H5Tclose(fileType) }
            return fileType >= 0 && H5Tget_order(fileType) == H5T_ORDER_LE
        }
    }

    /// Overwrites all elements with `values` (row-major, ``count`` of them).
    /// - Throws: as ``write(from:)``.
    public func write<T: HDF5Element>(_ values: [T]) throws {
        try values.withUnsafeBufferPointer { try write(from: $0) }
    }

    /// Overwrites all elements from caller-owned memory, converting to the stored type.
    /// - Throws: ``HDF5Error/countMismatch(file:path:expected:found:)``,
    ///   ``HDF5Error/typeMismatch(file:path:expected:found:)``,
    ///   ``HDF5Error/libraryFailure(file:path:operation:message:)`` (e.g. the file is open read-only).
    public func write<T: HDF5Element>(from buffer: UnsafeBufferPointer<T>) throws {
        guard T.canWrite(to: dataType) else {
            throw HDF5Error.typeMismatch(
                file: filePath, path: path, expected: "\(T.self) values", found: dataType.description)
        }
        guard buffer.count == count else {
            throw HDF5Error.countMismatch(file: filePath, path: path, expected: count, found: buffer.count)
        }
        if dataType == .float16, let halves = Self.halfBitPatterns(buffer) {
            return try HDF5Library.withLock {
                let id = try liveID()
                guard count > 0, let halfType = HDF5DataType.float16.makeFileType() else { return }
                // Memory type == file type: libhdf5 copies the bits without converting.
                guard H5Dwrite(id, halfType.unsafeID, H5S_ALL, H5S_ALL, hid_t(H5P_DEFAULT), halves) >= 0 else {
                    throw libraryFailure("write float16 data")
                }
            }
        }
        try HDF5Library.withLock {
            let id = try liveID()
            guard count > 0, let base = buffer.baseAddress else { return }
            guard H5Dwrite(id, T.memoryTypeID, H5S_ALL, H5S_ALL, hid_t(H5P_DEFAULT), base) >= 0 else {
                throw libraryFailure("write \(T.self) data as \(dataType)")
            }
        }
    }

    /// IEEE half bit patterns of `Float`/`Double` values, rounded to nearest with ties to even as numpy's
    /// `astype(float16)` and PyTorch's `.half()` round. (libhdf5 1.10's own float→half conversion rounds
    /// ties away from zero: 1 + 2⁻¹¹ would become 1 + 2⁻¹⁰.) Nil where Swift has no `Float16` (Intel macOS),
    /// which falls back to libhdf5's conversion.
    private static func halfBitPatterns<T: HDF5Element>(_ buffer: UnsafeBufferPointer<T>) -> [UInt16]? {
        #if arch(x86_64) && os(macOS)
        return nil
        #else
        if let floats = buffer as? UnsafeBufferPointer<Float> { return floats.map { Float16($0).bitPattern } }
        if let doubles = buffer as? UnsafeBufferPointer<Double> { return doubles.map { Float16($0).bitPattern } }
        return nil
        #endif
    }
}
