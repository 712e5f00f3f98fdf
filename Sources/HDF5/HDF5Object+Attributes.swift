import CHDF5

extension HDF5Object {
    /// Sets attribute `name`, replacing any attribute of that name (whatever its type).
    ///
    /// Strings are stored as scalar variable-length UTF-8 (h5py reads them as `str`); a string is cut at
    /// an embedded NUL. Attribute names are stored as UTF-8. For a file, attributes go on the root group.
    /// - Throws: ``HDF5Error/closed(file:path:)``, ``HDF5Error/libraryFailure(file:path:operation:message:)``
    ///   (e.g. the file is open read-only).
    public func setAttribute(_ name: String, _ value: HDF5AttributeValue) throws {
        try HDF5Library.withLock {
            let location = try liveID()
            if H5Aexists(location, name) > 0 && H5Adelete(location, name) < 0 {
                throw libraryFailure("replace attribute '\(name)'")
            }
            HDF5Library.clearErrors()
            switch value {
            case .string(let text):
                let type = try makeStringType(cset: H5T_CSET_UTF8)
                let attribute = try createAttribute(name, type: type, shape: [], in: location)
                try text.withCString { characters in
                    // libhdf5 copies the characters; the pointer is only borrowed for this call.
                    var pointer: UnsafePointer<CChar>? = characters
                    if H5Awrite(attribute.unsafeID, type.unsafeID, &pointer) < 0 {
                        throw libraryFailure("write attribute '\(name)'")
                    }
                }
            case .int64(let number): try writeNumbers([number], shape: [], name: name, in: location)
            case .double(let number): try writeNumbers([number], shape: [], name: name, in: location)
            case .floats(let numbers): try writeNumbers(numbers, shape: [numbers.count], name: name, in: location)
            case .int64s(let numbers): try writeNumbers(numbers, shape: [numbers.count], name: name, in: location)
            case .doubles(let numbers): try writeNumbers(numbers, shape: [numbers.count], name: name, in: location)
            }
        }
    }

    /// Reads attribute `name` in whichever form it is stored (see ``HDF5AttributeValue``).
    /// - Throws: ``HDF5Error/attributeNotFound(file:path:name:)``,
    ///   ``HDF5Error/typeMismatch(file:path:expected:found:)``
    ///   for types with no ``HDF5AttributeValue`` form (compound, string arrays, ...).
    public func attribute(_ name: String) throws -> HDF5AttributeValue {
        try HDF5Library.withLock {
            let attribute = try openAttribute(name)
            let type = try owned(H5Aget_type(attribute.unsafeID), .datatype, file: filePath, path: path,
                                 operation: "read the type of attribute '\(name)'")
            let space = try owned(H5Aget_space(attribute.unsafeID), .dataspace, file: filePath, path: path,
                                  operation: "read the shape of attribute '\(name)'")
            let rank = H5Sget_simple_extent_ndims(space.unsafeID)
            let count = Int(max(0, H5Sget_simple_extent_npoints(space.unsafeID)))
            let stored = HDF5DataType.of(typeID: type.unsafeID)
            let isScalar = rank == 0 && count == 1
            switch stored {
            case .string where isScalar: return .string(try readString(attribute, fileType: type, name: name))
            case _ where stored.isInteger && stored != .uint64:
                let values: [Int64] = try readNumbers(attribute, count: count, name: name)
                return isScalar ? .int64(values[0]) : .int64s(values)
            case .float64 where !isScalar:
                return .doubles(try readNumbers(attribute, count: count, name: name))
            case _ where stored.isFloatingPoint:
                if isScalar { return .double(try readNumbers(attribute, count: 1, name: name)[0]) }
                return .floats(try readNumbers(attribute, count: count, name: name))
            default:
                throw HDF5Error.typeMismatch(
                    file: filePath, path: attributePath(name), expected: "a string or numbers",
                    found: "\(stored)\(isScalar ? "" : " array of \(count)")")
            }
        }
    }

    /// The names of this object's attributes, in name order.
    /// - Throws: ``HDF5Error/closed(file:path:)``, ``HDF5Error/libraryFailure(file:path:operation:message:)``.
    public func attributeNames() throws -> [String] {
        try HDF5Library.withLock {
            let location = try liveID()
            var info = H5O_info_t()
            guard H5Oget_info2(location, &info, UInt32(H5O_INFO_NUM_ATTRS)) >= 0 else {
                throw libraryFailure("count attributes")
            }
            return try (0..<info.num_attrs).map { index in
                let length = H5Aget_name_by_idx(
                    location, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, hid_t(H5P_DEFAULT))
                guard length >= 0 else { throw libraryFailure("read attribute name \(index)") }
                var bytes = [CChar](repeating: 0, count: Int(length) + 1)
                guard H5Aget_name_by_idx(
                    location, ".", H5_INDEX_NAME, H5_ITER_INC, index, &bytes, bytes.count, hid_t(H5P_DEFAULT)) >= 0
                else { throw libraryFailure("read attribute name \(index)") }
                return String(decoding: bytes.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
        }
    }

    /// Whether attribute `name` exists.
    /// - Throws: ``HDF5Error/closed(file:path:)``.
    public func hasAttribute(_ name: String) throws -> Bool {
        try HDF5Library.withLock {
            let found = H5Aexists(try liveID(), name)
            if found < 0 { throw libraryFailure("look up attribute '\(name)'") }
            return found > 0
        }
    }

    /// Deletes attribute `name`.
    /// - Throws: ``HDF5Error/attributeNotFound(file:path:name:)``,
    ///   ``HDF5Error/libraryFailure(file:path:operation:message:)``.
    public func deleteAttribute(_ name: String) throws {
        try HDF5Library.withLock {
            guard try hasAttribute(name) else {
                throw HDF5Error.attributeNotFound(file: filePath, path: path, name: name)
            }
            if H5Adelete(try liveID(), name) < 0 { throw libraryFailure("delete attribute '\(name)'") }
        }
    }

    // MARK: - Helpers (call with the lock held)

    /// How error payloads name an attribute: "/group/dataset @name".
    func attributePath(_ name: String) -> String { "\(path) @\(name)" }

    func openAttribute(_ name: String) throws -> HDF5Handle {
        guard try hasAttribute(name) else { throw HDF5Error.attributeNotFound(file: filePath, path: path, name: name) }
        return try owned(
            H5Aopen(try liveID(), name, hid_t(H5P_DEFAULT)), .attribute, file: filePath, path: path,
            operation: "open attribute '\(name)'")
    }

    private func makeStringType(cset: H5T_cset_t) throws -> HDF5Handle {
        let type = try owned(H5Tcopy(chdf5_c_s1()), .datatype, file: filePath, path: path, operation: "copy C_S1")
        try check(H5Tset_size(type.unsafeID, chdf5_variable()), file: filePath, path: path,
                  operation: "make a variable-length string type")
        try check(H5Tset_cset(type.unsafeID, cset), file: filePath, path: path, operation: "set the string encoding")
        return type
    }

    private func createAttribute(
        _ name: String, type: HDF5Handle, shape: [Int], in location: hid_t
    ) throws -> HDF5Handle {
        let space = try owned(
            shape.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, [hsize_t(shape[0])], nil),
            .dataspace, file: filePath, path: path, operation: "create an attribute dataspace")
        let acpl = try owned(H5Pcreate(chdf5_p_attribute_create()), .propertyList, file: filePath, path: path,
                             operation: "create an attribute property list")
        try check(H5Pset_char_encoding(acpl.unsafeID, H5T_CSET_UTF8), file: filePath, path: path,
                  operation: "set UTF-8 attribute names")
        return try owned(
            H5Acreate2(location, name, type.unsafeID, space.unsafeID, acpl.unsafeID, hid_t(H5P_DEFAULT)),
            .attribute, file: filePath, path: path, operation: "create attribute '\(name)'")
    }

    private func writeNumbers<T: HDF5Element>(_ values: [T], shape: [Int], name: String, in location: hid_t) throws {
        guard let fileType = T.hdf5Type.makeFileType() else { preconditionFailure("no file type for \(T.self)") }
        let attribute = try createAttribute(name, type: fileType, shape: shape, in: location)
        guard !values.isEmpty else { return }
        try values.withUnsafeBufferPointer { buffer in
            if H5Awrite(attribute.unsafeID, T.memoryTypeID, buffer.baseAddress) < 0 {
                throw libraryFailure("write attribute '\(name)'")
            }
        }
    }

    private func readNumbers<T: HDF5Element>(_ attribute: HDF5Handle, count: Int, name: String) throws -> [T] {
        guard count > 0 else { return [] }
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            if H5Aread(attribute.unsafeID, T.memoryTypeID, buffer.baseAddress) < 0 {
                throw libraryFailure("read attribute '\(name)' as \(T.self)")
            }
            initialized = count
        }
    }

    /// Reads a scalar string attribute, variable- or fixed-length, in its stored encoding.
    private func readString(_ attribute: HDF5Handle, fileType: HDF5Handle, name: String) throws -> String {
        let cset = H5Tget_cset(fileType.unsafeID)
        if H5Tis_variable_str(fileType.unsafeID) > 0 {
            let memoryType = try makeStringType(cset: cset)
            var pointer: UnsafeMutablePointer<CChar>? = nil
            guard H5Aread(attribute.unsafeID, memoryType.unsafeID, &pointer) >= 0 else {
                throw libraryFailure("read string attribute '\(name)'")
            }
            // +1: libhdf5 malloc'ed the characters for us; we own them and free them with H5free_memory.
            defer { if let pointer { _ = H5free_memory(pointer) } }
            return pointer.map { String(cString: $0) } ?? ""
        }
        let size = H5Tget_size(fileType.unsafeID)
        var bytes = [UInt8](repeating: 0, count: size + 1)
        guard H5Aread(attribute.unsafeID, fileType.unsafeID, &bytes) >= 0 else {
            throw libraryFailure("read string attribute '\(name)'")
        }
        let end = bytes.firstIndex(of: 0) ?? size
        return String(decoding: bytes[..<end], as: UTF8.self).trimmingTrailingSpaces()
    }
}

extension String {
    /// Fixed-length strings may be space-padded (H5T_STR_SPACEPAD).
    fileprivate func trimmingTrailingSpaces() -> String {
        var result = Substring(self)
        while result.last == " " { result.removeLast() }
        return String(result)
    }
}
