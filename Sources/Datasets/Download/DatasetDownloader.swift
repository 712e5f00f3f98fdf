import Foundation

/// Downloads dataset files with resume, progress and md5 verification, and fetches whole datasets.
///
/// Concretely, for one file `dest`: bytes go to `dest.partial`; a later call (or the next of `attempts`
/// tries, made while each try brings new bytes) resumes it with `Range: bytes=N-`; a server that ignores
/// the range and answers 200 restarts it. When the transfer ends the md5 is checked: a match renames the
/// partial file to `dest`, a mismatch deletes it and throws ``DatasetError/checksum(file:expected:actual:)``.
///
/// The HTTP client is Foundation's `URLSession` (FoundationNetworking, libcurl on Linux): the official
/// Flowers-102 URLs are https, which a socket client of our own could not reach.
public enum DatasetDownloader {
    /// What a dataset download did, per file name.
    public struct Report: Sendable, Equatable {
        /// Files fetched over the network.
        public var downloaded: [String] = []
        /// Files already present with the right md5 (or archives already extracted).
        public var skipped: [String] = []
        /// Archives extracted.
        public var extracted: [String] = []
    }

    /// Downloads `url` to `destination` unless it is already there with `md5`.
    /// - Parameters:
    ///   - size: expected size when known, for progress before the server answers.
    ///   - attempts: tries in all; a try that brings no new bytes ends them early.
    ///   - timeout: seconds without data before a try fails.
    /// - Returns: false when the file was already present and correct (nothing fetched).
    /// - Throws: ``DatasetError/download(url:reason:hint:)`` (connection, HTTP status) with a hint saying
    ///   where the file was looked for and how to get it by hand; ``DatasetError/checksum(file:expected:actual:)``.
    @discardableResult
    public static func download(_ url: URL, to destination: URL, md5: String, size: Int64? = nil, attempts: Int = 3,
                                timeout: TimeInterval = 60, progress: DownloadProgressHandler? = nil) throws -> Bool {
        let fm = FileManager.default
        let expected = md5.lowercased()
        if fm.fileExists(atPath: destination.path), (try? MD5.hex(of: destination)) == expected { return false }
        try? fm.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        let partial = destination.appendingPathExtension("partial")
        let hint = "looked for \(destination.path); download \(url.absoluteString) yourself (a browser, or `curl -L -C - -o \(partial.path) \(url.absoluteString)` to resume), save it as \(destination.path) and run again, or use a mirror with --base-url"

        var tries = 0
        while true {
            tries += 1
            let transfer = HTTPTransfer(url: url, partial: partial, fileName: destination.lastPathComponent, expectedSize: size, progress: progress)
            let before = fileSize(partial)
            let outcome = transfer.run(timeout: timeout)
            switch outcome {
            case .complete:
                break
            case .rangeNotSatisfiable:
                if (try? MD5.hex(of: partial)) == expected { break }
                try? fm.removeItem(at: partial)  // longer than the file, or stale: start over
                if tries < attempts { continue }
                throw DatasetError.download(url: url.absoluteString, reason: "the server refused to resume a stale partial file (HTTP 416)", hint: hint)
            case let .failed(reason, retryable):
                if retryable && tries < attempts && fileSize(partial) > before { continue }
                if fileSize(partial) == 0 { try? fm.removeItem(at: partial) }
                throw DatasetError.download(url: url.absoluteString, reason: reason, hint: hint)
            }
            break
        }

        let actual: String
        do {
            actual = try MD5.hex(of: partial)
        } catch {
            throw DatasetError.download(url: url.absoluteString, reason: "cannot read \(partial.path) back: \((error as NSError).localizedDescription)", hint: hint)
        }
        guard actual == expected else {
            try? fm.removeItem(at: partial)
            throw DatasetError.checksum(file: destination.path, expected: expected, actual: actual)
        }
        do {
            if fm.fileExists(atPath: destination.path) { try fm.removeItem(at: destination) }
            try fm.moveItem(at: partial, to: destination)
        } catch {
            throw DatasetError.download(url: url.absoluteString, reason: "cannot move the download into place: \((error as NSError).localizedDescription)", hint: hint)
        }
        return true
    }

    /// Fetches Oxford Flowers-102 into `root` (which then holds `jpg/`, `imagelabels.mat`, `setid.mat`,
    /// the layout ``Flowers102/load(root:trainOnTrainPlusValid:)`` reads).
    ///
    /// Idempotent: a file already present with the right md5 is not fetched again, and the archive is
    /// neither fetched nor extracted when `root/jpg` exists (extraction renames `jpg` into place only once
    /// complete, so its presence means a finished extraction). After extraction the 330 MB archive is
    /// deleted unless `keepArchive`.
    /// - Parameters:
    ///   - baseURL: where the files are (the official site by default; a mirror, or a local server in tests).
    ///   - files: the files and md5s (``Flowers102/files`` by default).
    ///   - log: one line per step ("imagelabels.mat: present, md5 ok", "extracting …").
    /// - Throws: the errors of ``download(_:to:md5:size:attempts:timeout:progress:)`` and of
    ///   ``ArchiveExtractor/extract(_:into:)``.
    @discardableResult
    public static func downloadFlowers102(into root: URL, baseURL: URL = Flowers102.baseURL, files: [RemoteFile] = Flowers102.files,
                                          keepArchive: Bool = false, attempts: Int = 3, timeout: TimeInterval = 60,
                                          progress: DownloadProgressHandler? = nil,
                                          log: @Sendable (String) -> Void = { _ in }) throws -> Report {
        var report = Report()
        do {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        } catch {
            throw DatasetError.invalid("cannot create the dataset folder \(root.path): \((error as NSError).localizedDescription)")
        }
        for file in files {
            let destination = root.appendingPathComponent(file.name)
            if let folder = file.extractsTo, FileManager.default.fileExists(atPath: root.appendingPathComponent(folder).path) {
                log("\(file.name): already extracted to \(root.appendingPathComponent(folder).path)")
                report.skipped.append(file.name)
                continue
            }
            let fetched = try download(file.url(relativeTo: baseURL), to: destination, md5: file.md5, size: file.size,
                                       attempts: attempts, timeout: timeout, progress: progress)
            if fetched { report.downloaded.append(file.name) } else { report.skipped.append(file.name) }
            log(fetched ? "\(file.name): downloaded, md5 \(file.md5) ok" : "\(file.name): present, md5 ok")
            if file.extractsTo != nil {
                log("extracting \(file.name) into \(root.path)")
                let summary = try ArchiveExtractor.extract(destination, into: root)
                log("\(file.name): \(summary.files) files, \(summary.bytes) bytes extracted")
                report.extracted.append(file.name)
                if !keepArchive { try? FileManager.default.removeItem(at: destination) }
            }
        }
        return report
    }

    static func fileSize(_ url: URL) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.int64Value ?? 0
    }
}
