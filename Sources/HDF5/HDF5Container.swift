import CHDF5

/// A file's root or a group: something that holds named groups and datasets.
///
/// Paths are "/"-separated. Relative paths ("a/b/c") resolve against this container, absolute ones
/// ("/a/b") against the file's root. Creating an object creates missing intermediate groups, as h5py does.
public class HDF5Container: HDF5Object, @unchecked Sendable {
    /// Creates a new group at `path`, and any missing groups above it.
    /// - Throws: ``HDF5Error/objectExists(file:path:)`` if something is already there.
    @discardableResult
    public func createGroup(_ path: String) throws -> HDF5Group {
        try HDF5Library.withLock {
            let location = try liveID()
            if try linkExists(path, in: location) {
                throw HDF5Error.objectExists(file: filePath, path: absolutePath(path))
            }
            let lcpl = try linkCreationList()
            let id = H5Gcreate2(location, path, lcpl.unsafeID, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT))
            guard id >= 0 else { throw libraryFailure("create group", at: path) }
            return HDF5Group(handle: HDF5Handle(id, .group), filePath: filePath, path: absolutePath(path))
        }
    }

    /// Opens the existing group at `path`.
    /// - Throws: ``HDF5Error/objectNotFound(file:path:)``, ``HDF5Error/wrongObjectKind(file:path:expected:found:)``.
    public func openGroup(_ path: String) throws -> HDF5Group {
        try HDF5Library.withLock {
            let location = try liveID()
            try requireKind(.group, at: path, in: location)
            let id = H5Gopen2(location, path, hid_t(H5P_DEFAULT))
            guard id >= 0 else { throw libraryFailure("open group", at: path) }
            return HDF5Group(handle: HDF5Handle(id, .group), filePath: filePath, path: absolutePath(path))
        }
    }

    /// Opens the group at `path`, creating it (and missing parents) if absent; h5py's `require_group`.
    /// - Throws: ``HDF5Error/wrongObjectKind(file:path:expected:found:)`` if a dataset is there.
    public func requireGroup(_ path: String) throws -> HDF5Group {
        try HDF5Library.withLock {
            try linkExists(path, in: try liveID()) ? try openGroup(path) : try createGroup(path)
        }
    }

    /// Whether a link named `path` exists (each intermediate group is checked in turn).
    /// - Throws: ``HDF5Error/closed(file:path:)``.
    public func contains(_ path: String) throws -> Bool {
        try HDF5Library.withLock { try linkExists(path, in: try liveID()) }
    }

    /// What the link at `path` points to.
    /// - Throws: ``HDF5Error/objectNotFound(file:path:)``.
    public func kind(of path: String) throws -> HDF5ObjectKind {
        try HDF5Library.withLock {
            let location = try liveID()
            guard try linkExists(path, in: location) else {
                throw HDF5Error.objectNotFound(file: filePath, path: absolutePath(path))
            }
            return objectKind(at: path, in: location)
        }
    }

    // MARK: - Helpers (call with the lock held)

    /// Checks each prefix of `path` with H5Lexists, which fails rather than answering false when a
    /// parent is missing.
    func linkExists(_ path: String, in location: hid_t) throws -> Bool {
        let parts = path.split(separator: "/").filter { $0 != "." }
        guard !parts.isEmpty else { return true }  // "", "." or "/": the container itself or the root
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in parts {
            prefix += (prefix.isEmpty || prefix == "/" ? "" : "/") + part
            if H5Lexists(location, prefix, hid_t(H5P_DEFAULT)) <= 0 {
                HDF5Library.clearErrors()
                return false
            }
        }
        return true
    }

    /// The kind of the object a link resolves to, ``HDF5ObjectKind/unresolvedLink`` if it does not.
    func objectKind(at path: String, in location: hid_t) -> HDF5ObjectKind {
        var info = H5O_info_t()
        guard H5Oget_info_by_name2(location, path, &info, UInt32(H5O_INFO_BASIC), hid_t(H5P_DEFAULT)) >= 0 else {
            HDF5Library.clearErrors()
            return .unresolvedLink
        }
        return HDF5ObjectKind(info.type)
    }

    /// Throws unless `path` exists and is of `kind`.
    func requireKind(_ kind: HDF5ObjectKind, at path: String, in location: hid_t) throws {
        guard try linkExists(path, in: location) else {
            throw HDF5Error.objectNotFound(file: filePath, path: absolutePath(path))
        }
        let found = objectKind(at: path, in: location)
        if found == .unresolvedLink { throw HDF5Error.objectNotFound(file: filePath, path: absolutePath(path)) }
        guard found == kind else {
            throw HDF5Error.wrongObjectKind(file: filePath, path: absolutePath(path), expected: kind, found: found)
        }
    }

    /// A link-creation property list that creates missing intermediate groups and marks names UTF-8.
    func linkCreationList() throws -> HDF5Handle {
        let lcpl = try owned(
            H5Pcreate(chdf5_p_link_create()), .propertyList, file: filePath, path: path,
            operation: "create a link property list")
        try check(
            H5Pset_create_intermediate_group(lcpl.unsafeID, 1), file: filePath, path: path,
            operation: "enable intermediate groups")
        try check(
            H5Pset_char_encoding(lcpl.unsafeID, H5T_CSET_UTF8), file: filePath, path: path,
            operation: "set UTF-8 link names")
        return lcpl
    }
}

/// A group inside an HDF5 file.
public final class HDF5Group: HDF5Container, @unchecked Sendable {}

extension HDF5ObjectKind {
    init(_ type: H5O_type_t) {
        switch type {
        case H5O_TYPE_GROUP: self = .group
        case H5O_TYPE_DATASET: self = .dataset
        case H5O_TYPE_NAMED_DATATYPE: self = .namedDatatype
        default: self = .other
        }
    }
}
