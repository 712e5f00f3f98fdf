import CHDF5

extension HDF5Container {
    /// Creates a dataset at `path` (and missing parent groups) and writes `values` into it.
    ///
    /// Layout: `values` is row-major (C order) for `shape`, as numpy and PyTorch store tensors; an empty
    /// `shape` makes a scalar dataset holding one value. `Float` values stored as ``HDF5DataType/float16``
    /// are rounded to nearest, ties to even, as numpy and PyTorch's `.half()` round.
    ///
    /// - Parameters:
    ///   - path: Where to create the dataset, e.g. "features/0/weight".
    ///   - values: `shape.reduce(1, *)` elements.
    ///   - shape: Dimensions; each ≥ 0.
    ///   - storedAs: The on-disk type; default `T.hdf5Type`. Floats may be stored as float16/32/64.
    ///   - compression: Gzip + shuffle, or nil to store contiguously. Ignored for scalar and empty datasets.
    ///   - chunkShape: Chunk dimensions; default ``HDF5Compression/defaultChunkShape(for:elementBytes:targetBytes:)``
    ///     when compressing, none otherwise.
    /// - Throws: ``HDF5Error/countMismatch(file:path:expected:found:)``,
    ///   ``HDF5Error/typeMismatch(file:path:expected:found:)``,
    ///   ``HDF5Error/objectExists(file:path:)``, ``HDF5Error/libraryFailure(file:path:operation:message:)``.
    @discardableResult
    public func createDataset<T: HDF5Element>(
        _ path: String, values: [T], shape: [Int], storedAs: HDF5DataType? = nil,
        compression: HDF5Compression? = nil, chunkShape: [Int]? = nil
    ) throws -> HDF5Dataset {
        try values.withUnsafeBufferPointer { buffer in
            try createDataset(
                path, from: buffer, shape: shape, storedAs: storedAs, compression: compression, chunkShape: chunkShape)
        }
    }

    /// Creates a dataset at `path` and writes the elements of `buffer` into it; see
    /// ``createDataset(_:values:shape:storedAs:compression:chunkShape:)``. Nothing is copied on the Swift side.
    @discardableResult
    public func createDataset<T: HDF5Element>(
        _ path: String, from buffer: UnsafeBufferPointer<T>, shape: [Int], storedAs: HDF5DataType? = nil,
        compression: HDF5Compression? = nil, chunkShape: [Int]? = nil
    ) throws -> HDF5Dataset {
        let type = storedAs ?? T.hdf5Type
        guard T.canWrite(to: type) else {
            throw HDF5Error.typeMismatch(
                file: filePath, path: absolutePath(path), expected: "\(T.self) values", found: type.description)
        }
        let expected = shape.reduce(1, *)
        guard buffer.count == expected else {
            throw HDF5Error.countMismatch(
                file: filePath, path: absolutePath(path), expected: expected, found: buffer.count)
        }
        return try HDF5Library.withLock {
            let dataset = try createDataset(
                path, type: type, shape: shape, compression: compression, chunkShape: chunkShape)
            try dataset.write(from: buffer)
            return dataset
        }
    }

    /// Creates a dataset of `type` and `shape` without writing to it (unwritten elements read as 0);
    /// fill it with ``HDF5Dataset/write(_:)`` or ``HDF5Dataset/write(from:)``.
    /// - Throws: ``HDF5Error/objectExists(file:path:)``, ``HDF5Error/typeMismatch(file:path:expected:found:)``
    ///   for a non-numeric type, ``HDF5Error/libraryFailure(file:path:operation:message:)``.
    /// - Precondition: dimensions ≥ 0; `chunkShape`, if given, has the same rank with 1 ≤ chunk ≤ dimension.
    public func createDataset(
        _ path: String, type: HDF5DataType, shape: [Int], compression: HDF5Compression? = nil,
        chunkShape: [Int]? = nil
    ) throws -> HDF5Dataset {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        return try HDF5Library.withLock {
            let location = try liveID()
            let objectPath = absolutePath(path)
            if try linkExists(path, in: location) { throw HDF5Error.objectExists(file: filePath, path: objectPath) }
            guard let fileType = type.makeFileType() else {
                throw HDF5Error.typeMismatch(
                    file: filePath, path: objectPath, expected: "a numeric type", found: type.description)
            }
            let space = try makeDataspace(shape, at: path)
            let dcpl = try owned(
                H5Pcreate(chdf5_p_dataset_create()), .propertyList, file: filePath, path: objectPath,
                operation: "create a dataset property list")
            // No modification times in object headers: the same tensors give the same file bytes.
            guard H5Pset_obj_track_times(dcpl.unsafeID, false) >= 0 else { throw libraryFailure("disable time tracking", at: path) }
            let count = shape.reduce(1, *)
            if !shape.isEmpty && count > 0 && (compression != nil || chunkShape != nil) {
                let chunk = chunkShape
                    ?? HDF5Compression.defaultChunkShape(for: shape, elementBytes: type.byteCount ?? 1)
                precondition(
                    chunk.count == shape.count && zip(chunk, shape).allSatisfy { $0 >= 1 && $0 <= $1 },
                    "chunk shape \(chunk) does not fit dataset shape \(shape)")
                let dims = chunk.map { hsize_t($0) }
                guard H5Pset_chunk(dcpl.unsafeID, Int32(dims.count), dims) >= 0 else {
                    throw libraryFailure("set chunk shape \(chunk)", at: path)
                }
                if let compression {
                    if compression.shuffle && H5Pset_shuffle(dcpl.unsafeID) < 0 {
                        throw libraryFailure("enable the shuffle filter", at: path)
                    }
                    if H5Pset_deflate(dcpl.unsafeID, UInt32(compression.gzipLevel)) < 0 {
                        throw libraryFailure("enable gzip (is zlib support built in?)", at: path)
                    }
                }
            }
            let lcpl = try linkCreationList()
            let id = H5Dcreate2(
                location, path, fileType.unsafeID, space.unsafeID, lcpl.unsafeID, dcpl.unsafeID, hid_t(H5P_DEFAULT))
            guard id >= 0 else { throw libraryFailure("create dataset", at: path) }
            return try HDF5Dataset(opened: HDF5Handle(id, .dataset), filePath: filePath, path: objectPath)
        }
    }

    /// Opens the existing dataset at `path`.
    /// - Throws: ``HDF5Error/objectNotFound(file:path:)``, ``HDF5Error/wrongObjectKind(file:path:expected:found:)``.
    public func openDataset(_ path: String) throws -> HDF5Dataset {
        try HDF5Library.withLock {
            let location = try liveID()
            try requireKind(.dataset, at: path, in: location)
            let id = H5Dopen2(location, path, hid_t(H5P_DEFAULT))
            guard id >= 0 else { throw libraryFailure("open dataset", at: path) }
            return try HDF5Dataset(opened: HDF5Handle(id, .dataset), filePath: filePath, path: absolutePath(path))
        }
    }

    /// Reads the whole dataset at `path` with its shape and stored type.
    /// - Throws: as ``openDataset(_:)`` and ``HDF5Dataset/read(_:)``.
    public func read<T: HDF5Element>(_ type: T.Type, at path: String) throws -> HDF5Array<T> {
        let dataset = try openDataset(path)
        return HDF5Array(shape: dataset.shape, values: try dataset.read(T.self), storedType: dataset.dataType)
    }

    /// A simple (or, for an empty shape, scalar) dataspace. Call with the lock held.
    func makeDataspace(_ shape: [Int], at path: String) throws -> HDF5Handle {
        let id = shape.isEmpty
            ? H5Screate(H5S_SCALAR)
            : H5Screate_simple(Int32(shape.count), shape.map { hsize_t($0) }, nil)
        guard id >= 0 else { throw libraryFailure("create dataspace \(shape)", at: path) }
        return HDF5Handle(id, .dataspace)
    }
}

/// A whole dataset read into memory: row-major values, the shape, and the type it was stored as.
public struct HDF5Array<Element: HDF5Element>: Equatable, Sendable {
    /// Dimensions; empty for a scalar.
    public var shape: [Int]
    /// `shape.reduce(1, *)` elements, row-major.
    public var values: [Element]
    /// The on-disk type the values were converted from.
    public var storedType: HDF5DataType

    /// Wraps values with their shape and stored type (no checks).
    public init(shape: [Int], values: [Element], storedType: HDF5DataType) {
        self.shape = shape
        self.values = values
        self.storedType = storedType
    }
}
