import CHDF5
import Foundation

/// An open HDF5 file; as an ``HDF5Container`` it is also the root group "/".
///
/// Files are written with libhdf5's default (oldest compatible) format, so h5py, HDFView and older
/// libhdf5 versions read them.
///
/// ```swift
/// let file = try HDF5File.create("/tmp/w.h5")
/// try file.createDataset("features/0/weight", values: w, shape: [32, 3, 3, 3],
///                        compression: .gzip(level: 4))
/// try file.close()
/// ```
public final class HDF5File: HDF5Container, @unchecked Sendable {
    /// What ``create(_:mode:)`` does when the file already exists.
    public enum CreateMode: Sendable {
        /// Replace the existing file.
        case truncate
        /// Fail with ``HDF5Error/fileExists(path:)``.
        case exclusive
    }

    /// How ``open(_:mode:)`` opens an existing file.
    public enum AccessMode: Sendable {
        case readOnly, readWrite
    }

    /// The mode the file is open in (``AccessMode/readWrite`` for created files).
    public let mode: AccessMode

    private init(handle: HDF5Handle, filePath: String, mode: AccessMode) {
        self.mode = mode
        super.init(handle: handle, filePath: filePath, path: "/")
    }

    /// Creates a new, empty file open for reading and writing.
    /// - Parameters:
    ///   - path: File path; relative paths resolve against the current directory.
    ///   - mode: ``CreateMode/truncate`` (default) replaces an existing file; ``CreateMode/exclusive`` refuses to.
    /// - Throws: ``HDF5Error/fileExists(path:)`` (exclusive mode), ``HDF5Error/cannotOpenFile(path:reason:)``
    ///   (missing folder, no permission, the file is open elsewhere).
    public static func create(_ path: String, mode: CreateMode = .truncate) throws -> HDF5File {
        let path = absolute(path)
        return try HDF5Library.withLock {
            if mode == .exclusive && FileManager.default.fileExists(atPath: path) {
                throw HDF5Error.fileExists(path: path)
            }
            let flags = mode == .truncate ? chdf5_acc_trunc() : chdf5_acc_excl()
            let id = H5Fcreate(path, flags, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT))
            guard id >= 0 else {
                throw HDF5Error.cannotOpenFile(
                    path: path, reason: HDF5Library.takeErrorMessage() ?? "H5Fcreate failed")
            }
            return HDF5File(handle: HDF5Handle(id, .file), filePath: path, mode: .readWrite)
        }
    }

    /// Creates a new file at a file URL; see ``create(_:mode:)``.
    public static func create(at url: URL, mode: CreateMode = .truncate) throws -> HDF5File {
        try create(url.path, mode: mode)
    }

    /// Opens an existing file.
    /// - Parameters:
    ///   - path: File path; relative paths resolve against the current directory.
    ///   - mode: ``AccessMode/readOnly`` (default) or ``AccessMode/readWrite``.
    /// - Throws: ``HDF5Error/fileNotFound(path:)``, ``HDF5Error/notHDF5(path:)``,
    ///   ``HDF5Error/truncated(path:detail:)``, or ``HDF5Error/cannotOpenFile(path:reason:)``.
    public static func open(_ path: String, mode: AccessMode = .readOnly) throws -> HDF5File {
        let path = absolute(path)
        return try HDF5Library.withLock {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw HDF5Error.fileNotFound(path: path)
            }
            if isDirectory.boolValue { throw HDF5Error.cannotOpenFile(path: path, reason: "it is a directory") }
            let signature = H5Fis_hdf5(path)
            if signature == 0 { throw HDF5Error.notHDF5(path: path) }
            if signature < 0 {
                throw HDF5Error.cannotOpenFile(
                    path: path, reason: HDF5Library.takeErrorMessage() ?? "cannot read the file")
            }
            let flags = mode == .readOnly ? chdf5_acc_rdonly() : chdf5_acc_rdwr()
            let id = H5Fopen(path, flags, hid_t(H5P_DEFAULT))
            guard id >= 0 else { throw openFailure(path: path) }
            return HDF5File(handle: HDF5Handle(id, .file), filePath: path, mode: mode)
        }
    }

    /// Opens an existing file at a file URL; see ``open(_:mode:)``.
    public static func open(at url: URL, mode: AccessMode = .readOnly) throws -> HDF5File {
        try open(url.path, mode: mode)
    }

    /// Writes buffered data and metadata to disk (the file stays open).
    /// - Throws: ``HDF5Error/libraryFailure(file:path:operation:message:)``.
    public func flush() throws {
        try HDF5Library.withLock {
            try check(H5Fflush(try liveID(), H5F_SCOPE_GLOBAL), file: filePath, path: "/", operation: "flush")
        }
    }

    /// Flushes (when writable) and closes the file. Groups and datasets still alive keep libhdf5's file
    /// open until they are released, but everything written so far is on disk when this returns.
    /// - Throws: ``HDF5Error/libraryFailure(file:path:operation:message:)`` if the flush or close fails.
    public override func close() throws {
        if mode == .readWrite && !isClosed { try flush() }
        try super.close()
    }

    /// The error for a failed H5Fopen on a file that has an HDF5 signature. Call with the lock held.
    private static func openFailure(path: String) -> HDF5Error {
        let message = HDF5Library.takeErrorMessage() ?? "H5Fopen failed"
        let lower = message.lowercased()
        if lower.contains("truncated") || lower.contains("eof") || lower.contains("addr overflow") {
            return .truncated(path: path, detail: message)
        }
        if lower.contains("signature") { return .notHDF5(path: path) }
        return .cannotOpenFile(path: path, reason: message)
    }

    private static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
