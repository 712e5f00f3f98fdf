import Foundation
import Images
import Tensors

/// Batches of preprocessed images from a folder, for batch-norm re-calibration.
enum CalibrationImages {
    struct NoImages: Error, CustomStringConvertible {
        let folder: String
        var description: String { "no JPEG or PNG images under \(folder) — point --calibrate at a folder of training images" }
    }

    struct NotAFolder: Error, CustomStringConvertible {
        let folder: String
        var description: String { "--calibrate \(folder) is not a folder — point it at a folder of training images" }
    }

    /// Up to `limit` images under `folder` (recursively, in path order), each resized so the shorter side is
    /// ⌈r/0.875⌉, centre-cropped to r×r and normalised; grouped into batches of `batch` (N, r, r, 3).
    static func batches(folder: String, limit: Int, batch: Int, resolution r: Int, mean: [Float], std: [Float]) throws -> [Tensor] {
        let root = URL(fileURLWithPath: folder)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw NotAFolder(folder: folder)
        }
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { throw NoImages(folder: folder) }
        let extensions: Set<String> = ["jpg", "jpeg", "png"]
        // Directories named like images (`x.jpg/`) are not images; symlinks to image files are.
        func isFile(_ url: URL) -> Bool {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
        let files = walker.compactMap { $0 as? URL }.filter { extensions.contains($0.pathExtension.lowercased()) && isFile($0) }
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
