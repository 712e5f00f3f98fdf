import Datasets
import Foundation
import Tensors

/// Decode + augment throughput of the loader (one worker thread) on a class-folder tree such as
/// `../shared/datasets/flowers5/train`, at 128 and 160 px: one JSON line per case.
func dataTimings(folder: String) throws {
    let root = URL(fileURLWithPath: folder)
    let classes = try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }.sorted()
    var samples: [Sample] = []
    for (label, name) in classes.enumerated() {
        let dir = root.appendingPathComponent(name)
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() where file.lowercased().hasSuffix(".jpg") {
            samples.append(Sample(source: .file(dir.appendingPathComponent(file)), label: label))
        }
    }
    guard !samples.isEmpty else { throw DatasetError.invalid("no JPEG images in class folders under \(folder)") }
    let mean: [Float] = [0.485, 0.456, 0.406], std: [Float] = [0.229, 0.224, 0.225]
    for resolution in [128, 160] {
        let cache = DecodedImageCache(capacityBytes: 1 << 30)
        let cases: [(String, ImageTransform, DecodedImageCache?)] = [
            ("train", .train(resolution: resolution, mean: mean, std: std), nil),
            ("train+colour", .train(resolution: resolution, mean: mean, std: std, colorDistortion: true), nil),
            ("eval", .evaluate(resolution: resolution, mean: mean, std: std), nil),
            ("train, cache filling", .train(resolution: resolution, mean: mean, std: std), cache),
            ("train, cached", .train(resolution: resolution, mean: mean, std: std), cache),
        ]
        for (label, transform, cache) in cases {
            let start = DispatchTime.now().uptimeNanoseconds
            let loader = BatchLoader(samples: samples, transform: transform, batchSize: 32, shuffle: true, seed: 1, cache: cache)
            var count = 0
            while let batch = try loader.next() { count += batch.labels.count }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            print(#"{"loader": "\#(label)", "resolution": \#(resolution), "images": \#(count), "worker_threads": 1, "images_per_second": \#((Double(count) / seconds).rounded())}"#)
        }
    }
}
