import Foundation
import TorchCheckpoint

/// Where `predict` finds weights when `--weights` is not given.
enum WeightsLocation {
    /// The EfficientNet-Lite0 checkpoint in ``WeightsCache``, or an error saying where it was looked for.
    static func defaultEfficientNetLite0() throws -> URL {
        let url = WeightsCache.efficientNetLite0Path()
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
