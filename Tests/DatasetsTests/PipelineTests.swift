import Datasets
import Foundation
import Images
import OFATestSupport
import Tensors
import Testing

/// Augmentation, evaluation transform and the background loader.
struct PipelineTests {
    static let mean: [Float] = [0.5, 0.5, 0.5], std: [Float] = [0.25, 0.25, 0.25]

    @Test func randomResizedCropBoxesFollowTorchvisionsRule() {
        var rng = SplitMix64(seed: 7)
        for (w, h) in [(160, 240), (500, 375), (64, 48), (1000, 20)] {
            for _ in 0..<200 {
                let box = ImageTransform.randomResizedCropBox(width: w, height: h, scale: 0.22...1, ratio: 0.75...(4.0 / 3), rng: &rng)
                #expect(box.left >= 0 && box.top >= 0 && box.width >= 1 && box.height >= 1)
                #expect(box.left + box.width <= w && box.top + box.height <= h)
                if w == 1000 {  // no 10-draw crop fits: the centre crop clamped to ratio 4/3
                    #expect(box.height == 20 && box.width == 27 && box.left == (1000 - 27) / 2)
                } else {
                    let fraction = Double(box.width * box.height) / Double(w * h)
                    #expect(fraction > 0.2 && fraction <= 1.03, "area fraction \(fraction)")
                }
            }
        }
    }

    @Test func evaluationTransformIsResizeThenCentreCrop() throws {
        let image = try RGBImage(contentsOf: TestPaths.fixture("images/chelsea-300x200.png"))
        var rng = SplitMix64(seed: 1)
        let t = ImageTransform.evaluate(resolution: 128, mean: Self.mean, std: Self.std)
        #expect(t.apply(image, rng: &rng) == image.resize(shorterSide: 147).centerCrop(size: 128))
        var values = [Float](repeating: 0, count: 128 * 128 * 3)
        values.withUnsafeMutableBufferPointer { t.apply(image, rng: &rng, into: $0) }
        #expect(values == image.resize(shorterSide: 147).centerCrop(size: 128).normalizedNHWC(mean: Self.mean, std: Self.std))
    }

    @Test func trainingTransformIsSeededAndFlipsMirror() throws {
        let image = try RGBImage(contentsOf: TestPaths.fixture("images/chelsea-300x200.png"))
        let t = ImageTransform.train(resolution: 96, mean: Self.mean, std: Self.std, colorDistortion: true)
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42), c = SplitMix64(seed: 43)
        let x = t.apply(image, rng: &a), y = t.apply(image, rng: &b), z = t.apply(image, rng: &c)
        #expect(x == y && x != z && x.width == 96 && x.height == 96)
        let flipped = image.flippedHorizontally()
        #expect(flipped.flippedHorizontally() == image)
        #expect(Array(flipped.pixels[0..<3]) == Array(image.pixels[((image.width - 1) * 3)..<(image.width * 3)]))
    }

    static func samples() -> [Sample] {
        let names = ["chelsea.jpg", "chelsea-444.jpg", "chelsea-gray.jpg", "chelsea-cmyk.jpg", "coffee-rgb.png", "coffee-palette.png", "coffee-gray.png"]
        return names.enumerated().map { Sample(source: .file(TestPaths.fixture("images/\($1)")), label: $0 % 3) }
    }

    static func drain(_ loader: BatchLoader) throws -> [Batch] {
        var batches: [Batch] = []
        while let b = try loader.next() { batches.append(b) }
        return batches
    }

    @Test func loaderCoversEverySampleOnceAndIsReproducible() throws {
        let t = ImageTransform.train(resolution: 32, mean: Self.mean, std: Self.std)
        let first = try Self.drain(BatchLoader(samples: Self.samples(), transform: t, batchSize: 3, shuffle: true, seed: 5, epoch: 2, prefetch: 1))
        let again = try Self.drain(BatchLoader(samples: Self.samples(), transform: t, batchSize: 3, shuffle: true, seed: 5, epoch: 2))
        #expect(first.map(\.labels.count) == [3, 3, 1])
        #expect(first.flatMap(\.indices).sorted() == Array(0..<7))
        #expect(first.map(\.images) == again.map(\.images) && first.map(\.indices) == again.map(\.indices))
        #expect(first[0].images.shape == [3, 32, 32, 3])
        let nextEpoch = try Self.drain(BatchLoader(samples: Self.samples(), transform: t, batchSize: 3, shuffle: true, seed: 5, epoch: 3))
        #expect(nextEpoch.flatMap(\.indices) != first.flatMap(\.indices) || nextEpoch.map(\.images) != first.map(\.images))
        let dropped = try Self.drain(BatchLoader(samples: Self.samples(), transform: t, batchSize: 3, shuffle: false, dropLast: true, seed: 5))
        #expect(dropped.map(\.labels.count) == [3, 3] && dropped.flatMap(\.indices) == Array(0..<6))
        // Synchronous loading (prefetch 0) and a range of batches give the same batches.
        let synchronous = try Self.drain(BatchLoader(samples: Self.samples(), transform: t, batchSize: 3, shuffle: true, seed: 5, epoch: 2, prefetch: 0))
        #expect(synchronous.map(\.images) == first.map(\.images) && synchronous.map(\.indices) == first.map(\.indices))
        let slice = try Self.drain(BatchLoader(samples: Self.samples(), transform: t, batchSize: 3, shuffle: true, seed: 5, epoch: 2, batches: 1..<2))
        #expect(slice.map(\.indices) == [first[1].indices] && slice.map(\.images) == [first[1].images])
    }

    @Test func corruptImagesAreSkippedOrStopAStrictEpoch() throws {
        var samples = Self.samples()
        samples.insert(Sample(source: .file(TestPaths.fixture("images/truncated.jpg")), label: 0), at: 2)
        let t = ImageTransform.evaluate(resolution: 32, mean: Self.mean, std: Self.std)
        let lenient = BatchLoader(samples: samples, transform: t, batchSize: 4, shuffle: false, seed: 0)
        let batches = try Self.drain(lenient)
        #expect(batches.map(\.labels.count) == [4, 3])
        #expect(lenient.skipped.count == 1 && lenient.skipped[0].hasSuffix("truncated.jpg"))
        let strict = BatchLoader(samples: samples, transform: t, batchSize: 4, shuffle: false, seed: 0, strict: true)
        #expect(throws: ImageError.self) { try Self.drain(strict) }
    }

    @Test func cacheKeepsDecodedImagesAcrossEpochsAndAbandonedLoadersStop() throws {
        let cache = DecodedImageCache(capacityBytes: 10_000_000)
        let t = ImageTransform.evaluate(resolution: 32, mean: Self.mean, std: Self.std)
        let a = try Self.drain(BatchLoader(samples: Self.samples(), transform: t, batchSize: 4, shuffle: false, seed: 0, cache: cache))
        #expect(cache.storedBytes > 0)
        let b = try Self.drain(BatchLoader(samples: Self.samples(), transform: t, batchSize: 4, shuffle: false, seed: 0, cache: cache))
        #expect(a.map(\.images) == b.map(\.images))
        for _ in 0..<5 {  // dropped after one batch: the worker must stop, not hang or crash
            let loader = BatchLoader(samples: Self.samples(), transform: t, batchSize: 1, shuffle: false, seed: 0, prefetch: 1)
            _ = try loader.next()
        }
    }
}
