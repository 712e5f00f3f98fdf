import CHDF5

/// A dataset: an n-dimensional array of numbers with a fixed shape and stored type, plus attributes.
///
/// Values are row-major (C order), as numpy and PyTorch lay out tensors. ``shape`` and ``dataType``
/// are read once, when the dataset is opened.
public final class HDF5Dataset: HDF5Object, @unchecked Sendable {
    /// Dimensions; empty for a scalar dataset.
    public let shape: [Int]
    /// The type the elements are stored as.
    public let dataType: HDF5DataType
    /// Number of elements: the product of ``shape`` (1 for a scalar).
    public let count: Int

    /// Reads the shape and type of an open dataset. Call with the lock held.
    init(opened handle: HDF5Handle, filePath: String, path: String) throws {
        let id = handle.unsafeID
        let space = try owned(H5Dget_space(id), .dataspace, file: filePath, path: path, operation: "read the dataspace")
        let rank = H5Sget_simple_extent_ndims(space.unsafeID)
        guard rank >= 0 else {
            throw HDF5Error.libraryFailure(
                file: filePath, path: path, operation: "read the shape",
                message: HDF5Library.takeErrorMessage() ?? "unknown error")
        }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        _ = H5Sget_simple_extent_dims(space.unsafeID, &dims, nil)
        let type = try owned(H5Dget_type(id), .datatype, file: filePath, path: path, operation: "read the datatype")
        self.shape = dims.map { Int($0) }
        self.dataType = HDF5DataType.of(typeID: type.unsafeID)
        self.count = Int(max(0, H5Sget_simple_extent_npoints(space.unsafeID)))
        super.init(handle: handle, filePath: filePath, path: path)
    }

    /// The chunk dimensions, or nil for contiguous (or compact) storage.
    /// - Throws: ``HDF5Error/closed(file:path:)``, ``HDF5Error/libraryFailure(file:path:operation:message:)``.
    public func chunkShape() throws -> [Int]? {
        try HDF5Library.withLock {
            let dcpl = try creationList()
            guard H5Pget_layout(dcpl.unsafeID) == H5D_CHUNKED else { return nil }
            var dims = [hsize_t](repeating: 0, count: max(shape.count, 1))
            let rank = H5Pget_chunk(dcpl.unsafeID, Int32(dims.count), &dims)
            guard rank >= 0 else { throw libraryFailure("read the chunk shape") }
            return dims.prefix(Int(rank)).map { Int($0) }
        }
    }

    /// The gzip/shuffle filters on this dataset, or nil if it is not gzip-compressed.
    /// - Throws: ``HDF5Error/closed(file:path:)``, ``HDF5Error/libraryFailure(file:path:operation:message:)``.
    public func compression() throws -> HDF5Compression? {
        try HDF5Library.withLock {
            let dcpl = try creationList()
            var level: Int?
            var shuffle = false
            for index in 0..<max(0, H5Pget_nfilters(dcpl.unsafeID)) {
                var flags: UInt32 = 0
                var valueCount = 8
                var values = [UInt32](repeating: 0, count: valueCount)
                var config: UInt32 = 0
                let filter = H5Pget_filter2(
                    dcpl.unsafeID, UInt32(index), &flags, &valueCount, &values, 0, nil, &config)
                if filter == H5Z_FILTER_DEFLATE { level = valueCount > 0 ? Int(values[0]) : 6 }
                if filter == H5Z_FILTER_SHUFFLE { shuffle = true }
                if filter < 0 { throw libraryFailure("read filter \(index)") }
            }
            return level.map { HDF5Compression(gzipLevel: $0, shuffle: shuffle) }
        }
    }

    /// The dataset creation property list (owned). Call with the lock held.
    private func creationList() throws -> HDF5Handle {
        try owned(
            H5Dget_create_plist(try liveID()), .propertyList, file: filePath, path: path,
            operation: "read the creation properties")
    }
}
