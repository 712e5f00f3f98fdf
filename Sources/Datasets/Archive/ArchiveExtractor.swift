import Foundation

/// Extracts `.tar`, `.tgz` and `.tar.gz` archives (compression detected from the first bytes) with nothing
/// left half-done.
///
/// Concretely: members are written into a temporary folder inside the destination
/// (`<directory>/.<archive name>.extracting`), and only when the whole archive has been read are its
/// top-level entries renamed into `directory`. On any error the temporary folder is removed. Regular files
/// and directories are extracted (ustar, pax and GNU long names); links and device files are refused, and
/// so is any member whose path is absolute or has a `..` component.
///
/// - Complexity: streaming; memory is a few MiB whatever the archive's size.
public enum ArchiveExtractor {
    /// What an extraction produced.
    public struct Summary: Sendable, Equatable {
        /// Regular files written.
        public var files: Int
        /// Directories created from directory members.
        public var directories: Int
        /// Bytes of file data written.
        public var bytes: Int64
        /// The top-level names moved into the destination, sorted.
        public var topLevel: [String]
    }

    /// Extracts `archive` into `directory` (created if needed).
    /// - Returns: counts and the top-level entries created.
    /// - Throws: ``DatasetError/archive(file:reason:)`` for a truncated or corrupt archive, an unsafe member
    ///   path, a link; ``DatasetError/invalid(_:)`` when a top-level entry already exists in `directory`.
    @discardableResult
    public static func extract(_ archive: URL, into directory: URL) throws -> Summary {
        let fm = FileManager.default
        let staging = directory.appendingPathComponent(".\(archive.lastPathComponent).extracting")
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true)
            if fm.fileExists(atPath: staging.path) { try fm.removeItem(at: staging) }  // left by a killed run
            try fm.createDirectory(at: staging, withIntermediateDirectories: false)
        } catch {
            throw DatasetError.invalid("cannot create \(staging.path): \((error as NSError).localizedDescription)")
        }
        defer { try? fm.removeItem(at: staging) }

        var summary = Summary(files: 0, directories: 0, bytes: 0, topLevel: [])
        do {
            try unpack(archive, into: staging, summary: &summary)
        } catch let failure as TarReader.Failure {
            throw DatasetError.archive(file: archive.path, reason: failure.description)
        } catch let failure as ZlibInflater.Failure {
            throw DatasetError.archive(file: archive.path, reason: failure.description)
        } catch let error as DatasetError {
            throw error
        } catch {
            throw DatasetError.archive(file: archive.path, reason: (error as NSError).localizedDescription)
        }

        let top = try fm.contentsOfDirectory(atPath: staging.path).sorted()
        if let clash = top.first(where: { fm.fileExists(atPath: directory.appendingPathComponent($0).path) }) {
            throw DatasetError.invalid("\(directory.appendingPathComponent(clash).path) already exists — remove it to extract \(archive.lastPathComponent) again")
        }
        for name in top {
            try fm.moveItem(at: staging.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        summary.topLevel = top
        return summary
    }

    /// The member path made relative and checked: nil for the archive root ("." or "./").
    /// - Throws: ``DatasetError/archive(file:reason:)`` for an absolute path or a `..` component.
    static func safeRelativePath(_ name: String, archive: URL) throws -> String? {
        let parts = name.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        if name.hasPrefix("/") || parts.contains("..") {
            throw DatasetError.archive(file: archive.path, reason: "member '\(name)' would be written outside the destination folder (absolute path or '..')")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "/")
    }

    private static func unpack(_ archive: URL, into staging: URL, summary: inout Summary) throws {
        let fm = FileManager.default
        let input = try ArchiveInput(url: archive)
        var reader = TarReader(input: input)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var sawMember = false
        var lastParent: URL?
        while let member = try reader.next() {
            sawMember = true
            guard let path = try safeRelativePath(member.name, archive: archive) else { continue }
            let target = staging.appendingPathComponent(path)
            switch member.kind {
            case .directory:
                try fm.createDirectory(at: target, withIntermediateDirectories: true)
                summary.directories += 1
            case .file:
                let parent = target.deletingLastPathComponent()
                if parent != lastParent {  // one mkdir per folder, not per file
                    try fm.createDirectory(at: parent, withIntermediateDirectories: true)
                    lastParent = parent
                }
                guard fm.createFile(atPath: target.path, contents: nil) else {
                    throw DatasetError.archive(file: archive.path, reason: "cannot create \(target.path) for member '\(member.name)'")
                }
                let out = try FileHandle(forWritingTo: target)
                defer { try? out.close() }
                while true {
                    let n = try buffer.withUnsafeMutableBytes { try reader.readData(into: $0) }
                    if n == 0 { break }
                    try buffer.withUnsafeBytes { try out.write(contentsOf: UnsafeRawBufferPointer(rebasing: $0[..<n])) }
                    summary.bytes += Int64(n)
                }
                summary.files += 1
            }
        }
        if !sawMember {
            throw DatasetError.archive(file: archive.path, reason: "no tar members (an empty or non-tar file)")
        }
        // Read on past the tar's end blocks so that zlib checks the gzip trailer (CRC-32 and length).
        while try buffer.withUnsafeMutableBytes({ try input.read(into: $0) }) > 0 {}
    }
}
