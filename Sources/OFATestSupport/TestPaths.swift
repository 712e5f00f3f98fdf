import Foundation
import TorchCheckpoint

/// Locations the tests read from: committed fixtures, the shared data folder beside the repository,
/// and the per-user weights cache filled by `Scripts/fetch-weights.sh`.
public enum TestPaths {
    /// The repository root, found from this source file's path (Sources/OFATestSupport/TestPaths.swift).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Tests/Fixtures/<name>`.
    public static func fixture(_ name: String) -> URL {
        repositoryRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(name)
    }

    /// Set (`OFA_REQUIRE_ASSETS=1`, as CI does) when `../shared` and the pretrained weights must be present: tests
    /// that need them are then enabled whatever is on disk, so a missing asset fails them instead of skipping them.
    public static var assetsRequired: Bool { ProcessInfo.processInfo.environment["OFA_REQUIRE_ASSETS"] == "1" }

    /// Whether tests that read ``shared`` run: it is present, or assets are required.
    public static var sharedEnabled: Bool { shared != nil || assetsRequired }

    /// Whether tests that read ``efficientNetLite0Checkpoint`` run: it is present, or assets are required.
    public static var weightsEnabled: Bool { efficientNetLite0Checkpoint != nil || assetsRequired }

    /// `../shared` beside the repository, or `$OFA_SHARED`; nil when absent.
    public static var shared: URL? {
        let candidate = ProcessInfo.processInfo.environment["OFA_SHARED"].map { URL(fileURLWithPath: $0) }
            ?? repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
        return FileManager.default.fileExists(atPath: candidate.path) ? candidate : nil
    }

    /// The ImageNet EfficientNet-Lite0 checkpoint in the weights cache `Scripts/fetch-weights.sh` fills
    /// (``WeightsCache``); nil when absent.
    public static var efficientNetLite0Checkpoint: URL? {
        let file = WeightsCache.efficientNetLite0Path()
        return FileManager.default.fileExists(atPath: file.path) ? file : nil
    }
}
