import CHDF5

/// The single owner of one libhdf5 identifier (`hid_t`): closes it exactly once, in ``close()`` or `deinit`.
///
/// Every file, group, dataset, attribute, dataspace, datatype and property list this module opens is
/// wrapped in one `HDF5Handle` right after the C call returns it, so no identifier can leak on a
/// thrown error. Public types (``HDF5File``, ``HDF5Group``, ``HDF5Dataset``) each hold one handle.
final class HDF5Handle: @unchecked Sendable {
    /// Which `H5?close` function releases the identifier.
    enum Kind: String, Sendable {
        case file, group, dataset, attribute, dataspace, datatype, propertyList = "property list"
    }

    let kind: Kind
    /// The identifier; negative once closed. Read and written only with the library lock held.
    private var rawID: hid_t

    /// Takes ownership of `id`, which must be valid (non-negative): check before wrapping.
    init(_ id: hid_t, _ kind: Kind) {
        precondition(id >= 0, "HDF5Handle wraps only valid identifiers")
        self.rawID = id
        self.kind = kind
    }

    /// Whether ``close()`` has already run.
    var isClosed: Bool { HDF5Library.withLock { rawID < 0 } }

    /// The live identifier. Call with the lock held.
    /// - Throws: ``HDF5Error/closed(file:path:)`` after ``close()``.
    func id(file: String, path: String) throws -> hid_t {
        guard rawID >= 0 else { throw HDF5Error.closed(file: file, path: path) }
        return rawID
    }

    /// The live identifier for internal temporaries that are never closed early. Call with the lock held.
    var unsafeID: hid_t {
        precondition(rawID >= 0, "internal HDF5 temporary used after close")
        return rawID
    }

    /// Closes the identifier now; later calls do nothing.
    /// - Throws: ``HDF5Error/libraryFailure(file:path:operation:message:)`` if libhdf5 reports a failure
    ///   (for a file: the final flush to disk failed).
    func close(file: String, path: String) throws {
        try HDF5Library.withLock {
            guard rawID >= 0 else { return }
            let status = Self.close(rawID, kind)
            rawID = -1
            if status < 0 {
                throw HDF5Error.libraryFailure(
                    file: file, path: path, operation: "close \(kind.rawValue)",
                    message: HDF5Library.takeErrorMessage() ?? "unknown error")
            }
        }
    }

    deinit {
        HDF5Library.withLock {
            if rawID >= 0 {
                if Self.close(rawID, kind) < 0 { HDF5Library.clearErrors() }
            }
        }
    }

    private static func close(_ id: hid_t, _ kind: Kind) -> herr_t {
        switch kind {
        case .file: return H5Fclose(id)
        case .group: return H5Gclose(id)
        case .dataset: return H5Dclose(id)
        case .attribute: return H5Aclose(id)
        case .dataspace: return H5Sclose(id)
        case .datatype: return H5Tclose(id)
        case .propertyList: return H5Pclose(id)
        }
    }
}

/// Wraps the result of a libhdf5 call that returns an identifier, or throws the library's error.
/// Call with the lock held.
func owned(
    _ id: hid_t, _ kind: HDF5Handle.Kind, file: String, path: String, operation: @autoclosure () -> String
) throws -> HDF5Handle {
    guard id >= 0 else {
        throw HDF5Error.libraryFailure(
            file: file, path: path, operation: operation(),
            message: HDF5Library.takeErrorMessage() ?? "unknown error")
    }
    return HDF5Handle(id, kind)
}

/// Throws the library's error if a libhdf5 status (`herr_t`) is negative. Call with the lock held.
func check(_ status: herr_t, file: String, path: String, operation: @autoclosure () -> String) throws {
    guard status >= 0 else {
        throw HDF5Error.libraryFailure(
            file: file, path: path, operation: operation(),
            message: HDF5Library.takeErrorMessage() ?? "unknown error")
    }
}
