import CHDF5

/// Something in an HDF5 file that can carry attributes: the file (its root group), a group or a dataset.
///
/// Each instance owns one libhdf5 identifier through an ``HDF5Handle``, which is closed by ``close()``
/// or when the instance is released. Closing a file while its groups or datasets are still alive is
/// allowed: libhdf5 keeps the file open until the last of them is closed.
public class HDF5Object: @unchecked Sendable {
    /// The absolute path of the file on disk.
    public let filePath: String
    /// The absolute path of the object inside the file, "/" for the root group.
    public let path: String
    let handle: HDF5Handle

    init(handle: HDF5Handle, filePath: String, path: String) {
        self.handle = handle
        self.filePath = filePath
        self.path = path
    }

    /// Whether ``close()`` has run.
    public var isClosed: Bool { handle.isClosed }

    /// Releases the libhdf5 identifier now instead of at deinit. Later calls do nothing; any other use
    /// afterwards throws ``HDF5Error/closed(file:path:)``.
    /// - Throws: ``HDF5Error/libraryFailure(file:path:operation:message:)`` if libhdf5 fails to close it.
    public func close() throws {
        try handle.close(file: filePath, path: path)
    }

    /// The live identifier. Call with the lock held.
    func liveID() throws -> hid_t {
        try handle.id(file: filePath, path: path)
    }

    /// The absolute object path of `relative` resolved against this object ("a/b" under "/x" is "/x/a/b").
    func absolutePath(_ relative: String) -> String {
        let joined = relative.hasPrefix("/") ? relative : path + "/" + relative
        let parts = joined.split(separator: "/").filter { $0 != "." }
        return "/" + parts.joined(separator: "/")
    }

    /// A ``HDF5Error/libraryFailure(file:path:operation:message:)`` for `relative`, with the library's
    /// current error message. Call with the lock held.
    func libraryFailure(_ operation: String, at relative: String = ".") -> HDF5Error {
        .libraryFailure(
            file: filePath, path: absolutePath(relative), operation: operation,
            message: HDF5Library.takeErrorMessage() ?? "unknown error")
    }
}
