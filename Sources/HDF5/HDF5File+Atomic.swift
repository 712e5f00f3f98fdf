import Foundation

extension HDF5File {
    /// Creates the file at a temporary name beside `url` (`.<name>.partial`), lets `body` fill it, closes it
    /// and renames it into place, so a crash or an error never leaves a half-written file under `url`.
    /// - Throws: whatever `body` or libhdf5 throws; the temporary file is removed first.
    public static func writeAtomically(to url: URL, _ body: (HDF5File) throws -> Void) throws {
        let folder = url.deletingLastPathComponent()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw HDF5Error.cannotOpenFile(path: url.path, reason: "its folder \(folder.path) does not exist")
        }
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).partial")
        do {
            let file = try HDF5File.create(at: temporary)
            try body(file)
            try file.close()
            guard rename(temporary.path, url.path) == 0 else {
                throw HDF5Error.cannotOpenFile(path: url.path, reason: "cannot rename \(temporary.lastPathComponent) into place: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }
}
