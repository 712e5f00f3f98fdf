import Foundation
import Images
import Tensors

/// Batches of preprocessed images from a folder, for batch-norm re-calibration.
enum CalibrationImages {
    struct NoImages: Error, CustomStringConvertible {
        let folder: String
        var description: String { "no JPEG or PNG images under \(folder) — point --calibrate at a folder of training images" }
    }

    /// Up to `limit` images under `folder` (recursively, in path order), each resized so the shorter side is
    /// ⌈r/0.875⌉, centre-cropped to r×r and normalised; grouped into batches of `batch` (N, r, r, 3).
    static func batches(folder: String, limit: Int, batch: Int, resolution r: Int, mean: [Float], std: [Float]) throws -> [Tensor] {
        let root = URL(fileURLWithPath: folder)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { throw NoImages(folder: folder) }
        let extensions: Set<String> = ["jpg", "jpeg", "png"]
        let files = walker.compactMap { $0 as? URL }.filter { extensions.contains($0.pathExtension.lowercased()) }
            .sorted { $0.path < $1.path }.prefix(limit)
        guard !files.isEmpty else { throw NoImages(folder: folder) }
        let shorter = Int((Double(r) / 0.875).rounded(.up))
        var result: [Tensor] = []
        for start in stride(from: 0, to: files.count, by: batch) {
            let chunk = files[start..<min(start + batch, files.count)]
            var values: [Float] = []
            values.reserveCapacity(chunk.count * r * r * 3)
            for file in chunk {
                values += try RGBImage(contentsOf: file).resize(shorterSide: shorter).centerCrop(size: r).normalizedNHWC(mean: mean, std: std)
            }
            result.append(Tensor(shape: [chunk.count, r, r, 3], values: values))
        }
        return result
    }
}
