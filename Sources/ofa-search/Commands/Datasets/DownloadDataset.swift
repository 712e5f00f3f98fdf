import ArgumentParser
import Datasets
import Foundation
import Memory

/// `ofa-search datasets download`: fetch a dataset's official files, check their md5s, extract them.
struct DownloadDataset: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Download a dataset's official files, verify their md5s and extract them.",
        discussion: """
            flowers102 (alias flowers): imagelabels.mat, setid.mat and 102flowers.tgz (330 MB) from the Oxford \
            VGG site into <data-root>/flowers102/, giving jpg/image_00001.jpg … image_08189.jpg. An interrupted \
            download resumes (<file>.partial); files already present with the right md5 are not fetched again; \
            the archive is deleted once extracted unless --keep-archive. Progress goes to stderr, the summary to stdout.
            """)

    @Argument(help: "Dataset to download: flowers102 (alias flowers).")
    var name: String

    @Option(name: .customLong("data-root"), help: "Folder that receives <name>/ (default $OFA_DATA, else the per-user cache ~/.cache/ofa-search/datasets).",
            completion: .directory)
    var dataRoot: String?

    @Option(name: .customLong("base-url"), help: "Where the files are, for a mirror (default the official site).")
    var baseURL: String?

    @Flag(help: "Keep the archive after extracting it.")
    var keepArchive = false

    @Option(help: "Tries per file; a try that brings no new bytes ends them.")
    var attempts = 3

    func validate() throws {
        guard ["flowers102", "flowers"].contains(name.lowercased()) else {
            throw ValidationError("unknown dataset '\(name)' — only flowers102 (alias flowers) can be downloaded; for CIFAR see `ofa-search datasets list`")
        }
        if let baseURL {
            guard let url = URL(string: baseURL), let scheme = url.scheme, ["http", "https"].contains(scheme.lowercased()), url.host != nil else {
                throw ValidationError("--base-url must be an http(s) URL, got '\(baseURL)'")
            }
        }
        guard attempts >= 1 else { throw ValidationError("--attempts must be at least 1, got \(attempts)") }
    }

    /// `--data-root`, else `$OFA_DATA`, else the per-user cache.
    var root: URL {
        let env = ProcessInfo.processInfo.environment
        let parent = dataRoot.map { URL(fileURLWithPath: $0) }
            ?? env["OFA_DATA"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? DatasetRegistry.cacheDirectory()
        return parent.appendingPathComponent("flowers102").standardizedFileURL
    }

    func run() throws {
        try reportingErrors {
            let root = self.root
            var base = baseURL.flatMap { URL(string: $0) } ?? Flowers102.baseURL
            if !base.absoluteString.hasSuffix("/") { base = URL(string: base.absoluteString + "/")! }
            printError("flowers102: \(base.absoluteString) → \(root.path)")
            let reporter = DownloadReporter()
            let report = try DatasetDownloader.downloadFlowers102(
                into: root, baseURL: base, keepArchive: keepArchive, attempts: attempts,
                progress: reporter.report, log: { printError($0) })
            let data = try Flowers102.load(root: root)
            let counts = Split.allCases.map { "\($0.rawValue) \(data[$0].count)" }.joined(separator: ", ")
            print("flowers102 ready at \(root.path): \(data.classes.count) classes; \(counts) (downloaded \(report.downloaded.count), already present \(report.skipped.count))")
        }
    }
}

/// Prints download progress on stderr: a self-overwriting line on a terminal, else a line about every
/// second or every 10%, and one at the end of each file.
final class DownloadReporter: @unchecked Sendable {
    private let lock = NSLock()
    private let terminal = isatty(STDERR_FILENO) != 0
    private var lastLine = Date.distantPast
    private var lastTenth = -1
    private var file = ""

    var report: DownloadProgressHandler {
        { [self] progress in
            lock.lock()
            defer { lock.unlock() }
            if progress.file != file {
                file = progress.file
                lastTenth = -1
                lastLine = .distantPast
            }
            let now = Date()
            let tenth = progress.fraction.map { Int($0 * 10) } ?? -1
            let due = progress.finished || now.timeIntervalSince(lastLine) >= (terminal ? 0.2 : 1) || tenth > lastTenth
            guard due, progress.finished || progress.fraction != 1 else { return }  // the final report follows
            lastLine = now
            lastTenth = tenth
            let line = Self.format(progress)
            if terminal {
                FileHandleOutput.stderr("\r\u{1B}[K" + line + (progress.finished ? "\n" : ""))
            } else {
                FileHandleOutput.stderr(line + "\n")
            }
        }
    }

    /// "102flowers.tgz  123.40 MB / 344.90 MB  35%  5.21 MB/s  ETA 0:42".
    static func format(_ p: DownloadProgress) -> String {
        func size(_ bytes: Int64) -> String { ByteCount.format(Int(bytes)) }
        var parts = [p.file, p.total.map { "\(size(p.bytes)) / \(size($0))" } ?? size(p.bytes)]
        if let f = p.fraction { parts.append("\(Int(f * 100))%") }
        parts.append(String(format: "%.2f MB/s", p.bytesPerSecond / 1e6))
        if p.finished {
            parts.append("done")
        } else if let eta = p.secondsRemaining, eta.isFinite {
            let s = Int(eta.rounded())
            parts.append(s >= 3600 ? String(format: "ETA %d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "ETA %d:%02d", s / 60, s % 60))
        }
        return parts.joined(separator: "  ")
    }
}
