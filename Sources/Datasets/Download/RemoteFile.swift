import Foundation

/// A file of a dataset's official download: its name under a base URL, its published md5, and whether
/// it is an archive to extract.
public struct RemoteFile: Sendable, Equatable {
    /// File name, relative to the base URL and to the dataset folder.
    public var name: String
    /// Published md5, 32 lower-case hex digits.
    public var md5: String
    /// Size in bytes when known (for progress before the server says).
    public var size: Int64?
    /// For an archive: the folder its extraction creates in the dataset folder (e.g. `jpg`). Its presence
    /// means the archive was extracted; the archive itself is then not needed.
    public var extractsTo: String?

    public init(name: String, md5: String, size: Int64? = nil, extractsTo: String? = nil) {
        self.name = name
        self.md5 = md5
        self.size = size
        self.extractsTo = extractsTo
    }

    /// `baseURL/name`.
    public func url(relativeTo baseURL: URL) -> URL {
        baseURL.appendingPathComponent(name)
    }
}

/// A progress report of one download, sent about every 100 ms and once at the end.
public struct DownloadProgress: Sendable, Equatable {
    /// The file being downloaded.
    public var file: String
    /// Bytes on disk so far, including those of a resumed partial file.
    public var bytes: Int64
    /// Expected total, when the server or the file description says.
    public var total: Int64?
    /// Transfer rate of this attempt, bytes per second.
    public var bytesPerSecond: Double
    /// Estimated seconds remaining, when the total is known and the rate is not zero.
    public var secondsRemaining: Double?
    /// True for the last report of a file.
    public var finished: Bool

    public init(file: String, bytes: Int64, total: Int64?, bytesPerSecond: Double, secondsRemaining: Double?, finished: Bool = false) {
        self.file = file
        self.bytes = bytes
        self.total = total
        self.bytesPerSecond = bytesPerSecond
        self.secondsRemaining = secondsRemaining
        self.finished = finished
    }

    /// Completed fraction in 0…1, when the total is known.
    public var fraction: Double? {
        guard let total, total > 0 else { return nil }
        return min(1, Double(bytes) / Double(total))
    }
}

/// Receives download progress (called on a background queue; keep it short).
public typealias DownloadProgressHandler = @Sendable (DownloadProgress) -> Void
