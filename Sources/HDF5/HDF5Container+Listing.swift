import CHDF5

/// One entry of a group: the link name and what it points to.
public struct HDF5Child: Hashable, Sendable, CustomStringConvertible {
    /// The link name (one path component, UTF-8).
    public let name: String
    /// What the link points to.
    public let kind: HDF5ObjectKind

    /// An entry named `name` of `kind`.
    public init(name: String, kind: HDF5ObjectKind) {
        self.name = name
        self.kind = kind
    }

    public var description: String { "\(name) (\(kind))" }
}

extension HDF5Container {
    /// The links directly inside this group, in name order (byte-wise, as h5py lists them).
    ///
    /// Uses `H5Gget_info` and `H5Lget_name_by_idx` (HDF5 1.10 has no `H5Literate2`).
    /// - Throws: ``HDF5Error/closed(file:path:)``, ``HDF5Error/libraryFailure(file:path:operation:message:)``.
    public func children() throws -> [HDF5Child] {
        try HDF5Library.withLock { try children(of: ".", in: try liveID()) }
    }

    /// The links inside the group at `path` (relative to this container), in name order.
    /// - Throws: ``HDF5Error/objectNotFound(file:path:)``, ``HDF5Error/wrongObjectKind(file:path:expected:found:)``.
    public func children(of path: String) throws -> [HDF5Child] {
        try HDF5Library.withLock {
            let location = try liveID()
            try requireKind(.group, at: path, in: location)
            return try children(of: path, in: location)
        }
    }

    /// Every dataset below this container, as paths relative to it ("a/b/weight"), depth first in name
    /// order, like h5py's `visit`. A group reachable twice through hard links is walked once.
    /// - Throws: ``HDF5Error/closed(file:path:)``, ``HDF5Error/libraryFailure(file:path:operation:message:)``.
    public func datasetPaths() throws -> [String] {
        try HDF5Library.withLock {
            let location = try liveID()
            var paths: [String] = []
            var visited: Set<haddr_t> = []
            try collectDatasets(under: ".", prefix: "", in: location, into: &paths, visited: &visited)
            return paths
        }
    }

    // MARK: - Helpers (call with the lock held)

    private func collectDatasets(
        under group: String, prefix: String, in location: hid_t, into paths: inout [String],
        visited: inout Set<haddr_t>
    ) throws {
        var info = H5O_info_t()
        if H5Oget_info_by_name2(location, group, &info, UInt32(H5O_INFO_BASIC), hid_t(H5P_DEFAULT)) >= 0 {
            guard visited.insert(info.addr).inserted else { return }
        } else {
            HDF5Library.clearErrors()
        }
        for child in try children(of: group, in: location) {
            let relative = prefix.isEmpty ? child.name : prefix + "/" + child.name
            switch child.kind {
            case .dataset: paths.append(relative)
            case .group:
                try collectDatasets(under: relative, prefix: relative, in: location, into: &paths, visited: &visited)
            default: break
            }
        }
    }

    /// Lists the group `group` (a path relative to `location`; "." for itself).
    func children(of group: String, in location: hid_t) throws -> [HDF5Child] {
        var info = H5G_info_t()
        guard H5Gget_info_by_name(location, group, &info, hid_t(H5P_DEFAULT)) >= 0 else {
            throw libraryFailure("list group", at: group)
        }
        var result: [HDF5Child] = []
        result.reserveCapacity(Int(info.nlinks))
        for index in 0..<info.nlinks {
            let length = H5Lget_name_by_idx(
                location, group, H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, hid_t(H5P_DEFAULT))
            guard length >= 0 else { throw libraryFailure("read link name \(index)", at: group) }
            var bytes = [CChar](repeating: 0, count: Int(length) + 1)
            guard H5Lget_name_by_idx(
                location, group, H5_INDEX_NAME, H5_ITER_INC, index, &bytes, bytes.count, hid_t(H5P_DEFAULT)) >= 0
            else { throw libraryFailure("read link name \(index)", at: group) }
            let name = String(decoding: bytes.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            var object = H5O_info_t()
            let kind: HDF5ObjectKind
            if H5Oget_info_by_idx2(
                location, group, H5_INDEX_NAME, H5_ITER_INC, index, &object, UInt32(H5O_INFO_BASIC),
                hid_t(H5P_DEFAULT)) >= 0
            {
                kind = HDF5ObjectKind(object.type)
            } else {
                HDF5Library.clearErrors()
                kind = .unresolvedLink
            }
            result.append(HDF5Child(name: name, kind: kind))
        }
        return result
    }
}
