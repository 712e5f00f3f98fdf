import Foundation

/// Where `predict` finds weights when `--weights` is not given.
enum WeightsLocation {
    /// `$OFA_WEIGHTS_DIR` or `~/.cache/ofa-search/weights`, as filled by `Scripts/fetch-weights.sh`.
    static var cacheDirectory: URL {
        ProcessInfo.processInfo.environment["OFA_WEIGHTS_DIR"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/ofa-search/weights")
    }

    static let efficientNetLite0 = "efficientnet-lite0-57934424.pth"

    /// The default EfficientNet-Lite0 checkpoint, or an error saying where it was looked for.
    static func defaultEfficientNetLite0() throws -> URL {
        let url = cacheDirectory.appendingPathComponent(efficientNetLite0)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw WeightsNotFound(path: url.path)
        }
        return url
    }

    struct WeightsNotFound: Error, CustomStringConvertible {
        let path: String
        var description: String {
            "no weights given and none at \(path) — run `bash Scripts/fetch-weights.sh` or pass --weights <file.pth|.h5>"
        }
    }
}
