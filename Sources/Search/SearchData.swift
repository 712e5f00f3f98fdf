import Datasets
import Foundation
import Supernets
import Tensors

/// The images a search touches: search-train and a held-out validation split carved from the dataset's training
/// split (seeded, stratified), a fixed calibration subset for batch-norm re-calibration, and the test split, which
/// only the final winner sees. Decoded images are cached across epochs and candidates.
public struct SearchData: Sendable {
    public let name: String
    public let classes: [String]
    public let searchTrain: [Sample], validation: [Sample], test: [Sample]
    /// The dataset split `test` comes from: `test`, or `valid` for datasets without a test split.
    public let testSplit: Split
    /// The full training split (search-train + validation), for the winner's final training.
    public let train: [Sample]
    /// Calibration images for batch-norm re-calibration (a seeded subset of search-train).
    public let calibration: [Sample]
    public let mean: [Float], std: [Float]
    let trainCache: DecodedImageCache, validationCache: DecodedImageCache, calibrationCache: DecodedImageCache

    /// Splits `dataset`'s train split: `validationFraction` of every class (at least one image of each class
    /// that has two or more) goes to validation (`holdingOut(fraction:classes:seed:)`, as `train --holdout`).
    public init(dataset: LabeledImages, validationFraction: Double, calibrationImages: Int, seed: UInt64,
                mean: [Float], std: [Float], cacheBytes: Int) {
        let train = dataset[.train]
        name = dataset.name; classes = dataset.classes
        self.train = train
        testSplit = dataset[.test].isEmpty ? .valid : .test
        test = dataset[testSplit]
        (searchTrain, validation) = train.holdingOut(fraction: validationFraction, classes: dataset.classes.count,
                                                     seed: seed)
        calibration = searchTrain.seededSample(calibrationImages, seed: seed ^ 0xCA11)
        self.mean = mean; self.std = std
        trainCache = DecodedImageCache(capacityBytes: cacheBytes * 3 / 4)
        validationCache = DecodedImageCache(capacityBytes: cacheBytes / 4)
        calibrationCache = DecodedImageCache(capacityBytes: cacheBytes / 8)
    }

    /// Every batch of `samples` under the evaluation transform at `resolution` (centre crop), in order.
    func evaluationBatches(_ samples: [Sample], resolution: Int, batch: Int, cache: DecodedImageCache?) throws -> [Batch] {
        let loader = BatchLoader(samples: samples, transform: .evaluate(resolution: resolution, mean: mean, std: std),
                                 batchSize: batch, shuffle: false, seed: 0, cache: cache)
        var out: [Batch] = []
        while let b = try loader.next() { out.append(b) }
        return out
    }

    /// The first `images` calibration images (default all) at `resolution`, in batches of at most 50.
    public func calibrationBatches(resolution: Int, images: Int? = nil) throws -> [Tensor] {
        let samples = Array(calibration.prefix(images ?? calibration.count))
        return try evaluationBatches(samples, resolution: resolution, batch: 50, cache: calibrationCache).map(\.images)
    }

    /// The validation images at `resolution`.
    public func validationBatches(resolution: Int, batch: Int) throws -> [Batch] {
        try evaluationBatches(validation, resolution: resolution, batch: batch, cache: validationCache)
    }

    /// A training loader over `samples` (TinyTL's augmentation) for one epoch, or batches `batches` of it.
    func trainingLoader(_ samples: [Sample], resolution: Int, batch: Int, seed: UInt64, epoch: Int, batches: Range<Int>? = nil) -> BatchLoader {
        BatchLoader(samples: samples, transform: .train(resolution: resolution, mean: mean, std: std), batchSize: batch,
                    shuffle: true, dropLast: true, seed: seed, epoch: epoch, cache: trainCache, batches: batches)
    }

    /// A fingerprint of the data a search used: SHA-256 over class names and every sample's source and label
    /// in split order (train, then test).
    public var fingerprint: String {
        var text = classes.joined(separator: "\n") + "\n"
        for (split, samples) in [("train", train), ("test", test)] {
            for s in samples { text += "\(split)\t\(URL(fileURLWithPath: s.source.name).lastPathComponent)\t\(s.label)\n" }
        }
        return Supernets.SHA256.hex(of: Data(text.utf8))
    }
}
