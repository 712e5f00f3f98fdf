import Foundation
import Images
import Tensors

/// One batch: images (N, r, r, 3) normalised, and their labels.
public struct Batch: Sendable {
    public var images: Tensor
    public var labels: [Int]
    /// Positions in the loader's sample list (for error reports and tests).
    public var indices: [Int]
}

/// Batches of one epoch, decoded and transformed on a background thread ahead of the consumer.
///
/// Order: a seeded shuffle of the samples per epoch (or the given order). Randomness of each sample's
/// transform comes from a generator seeded by (seed, epoch, sample index), so the batches are the same
/// whatever the timing. A sample that fails to decode is skipped and recorded (`skipped`), or, with
/// `strict`, ends the epoch with the error. The queue holds at most `prefetch` batches.
public final class BatchLoader: Sendable {
    /// Sample indices in the order of this epoch.
    public var order: [Int] { worker.order }
    private let worker: LoaderWorker

    /// - Parameters:
    ///   - shuffle: shuffle the samples with a generator seeded by (seed, epoch).
    ///   - dropLast: leave out a last, smaller batch (training); keep it for evaluation.
    ///   - cache: decoded images to reuse across epochs (nil: decode every time).
    ///   - strict: stop at the first image that does not decode instead of skipping it.
    ///   - prefetch: batches prepared ahead on a background thread; 0 loads each batch in `next()` on the caller's
    ///     thread, so at most one batch exists at a time (for measuring training memory).
    ///   - batches: deliver only batches `batches.lowerBound..<batches.upperBound` of the epoch's order (the
    ///     images before are not read), e.g. to resume an epoch or walk it in slices.
    public init(
        samples: [Sample], transform: ImageTransform, batchSize: Int, shuffle: Bool, dropLast: Bool = false, seed: UInt64,
        epoch: Int = 0, prefetch: Int = 4, cache: DecodedImageCache? = nil, strict: Bool = false, batches: Range<Int>? = nil
    ) {
        precondition(batchSize >= 1 && prefetch >= 0)
        var order = Array(samples.indices)
        if shuffle {
            var rng = SplitMix64(seed: loaderSeed(seed, UInt64(epoch), 0x5EED))
            order.shuffle(using: &rng)
        }
        if let batches {
            order = Array(order[min(batches.lowerBound * batchSize, order.count)..<min(batches.upperBound * batchSize, order.count)])
        }
        worker = LoaderWorker(samples: samples, order: order, transform: transform, batchSize: batchSize, dropLast: dropLast,
                              seed: seed, epoch: epoch, prefetch: prefetch, cache: cache, strict: strict)
        guard prefetch > 0 else { return }
        let thread = Thread { [worker] in worker.produce() }  // the thread holds the worker, not the loader
        thread.name = "ofa-search.loader"
        thread.start()
    }

    deinit { worker.cancel() }

    /// The next batch, waiting for the worker; nil at the end of the epoch.
    /// - Throws: the decoding error of a corrupt image when `strict`.
    public func next() throws -> Batch? {
        try worker.prefetch == 0 ? worker.makeBatch()?.get() : worker.next()
    }

    /// Sources of the samples skipped so far because they did not decode.
    public var skipped: [String] { worker.skipped }
}

/// The producer side of a `BatchLoader`: everything the background thread touches, guarded by one condition.
private final class LoaderWorker: @unchecked Sendable {
    let samples: [Sample], order: [Int], transform: ImageTransform
    let batchSize: Int, dropLast: Bool, seed: UInt64, epoch: Int, prefetch: Int, strict: Bool
    let cache: DecodedImageCache?
    private let condition = NSCondition()
    private var queue: [Result<Batch, Error>] = []
    private var finished = false, cancelled = false
    private var skippedSources: [String] = []
    /// Next position in `order` (touched only by the producing thread).
    private var position = 0

    init(samples: [Sample], order: [Int], transform: ImageTransform, batchSize: Int, dropLast: Bool, seed: UInt64, epoch: Int,
         prefetch: Int, cache: DecodedImageCache?, strict: Bool) {
        self.samples = samples; self.order = order; self.transform = transform; self.batchSize = batchSize
        self.dropLast = dropLast; self.seed = seed; self.epoch = epoch; self.prefetch = prefetch; self.cache = cache
        self.strict = strict
    }

    func next() throws -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !finished { condition.wait() }
        guard !queue.isEmpty else { return nil }
        let result = queue.removeFirst()
        condition.broadcast()
        return try result.get()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    var skipped: [String] { condition.withLock { skippedSources } }

    func produce() {
        while let result = makeBatch() {
            if case .failure = result { deliver(result, last: true); return }
            if !deliver(result, last: false) { return }
        }
        deliver(nil, last: true)
    }

    /// The next batch from `position` on (a decoding failure when `strict`), or nil at the end of the order.
    /// Called by one thread at a time: the background producer, or the consumer when loading synchronously.
    func makeBatch() -> Result<Batch, Error>? {
        let r = transform.resolution, perImage = r * r * 3
        while position < order.count {
            var values = [Float](repeating: 0, count: batchSize * perImage)
            var labels: [Int] = [], indices: [Int] = []
            while labels.count < batchSize && position < order.count {
                let index = order[position]
                position += 1
                let sample = samples[index]
                do {
                    let image = try cache?.image(index, load: sample.source.load) ?? sample.source.load()
                    var rng = SplitMix64(seed: loaderSeed(seed, UInt64(epoch), UInt64(index)))
                    let filled = labels.count
                    values.withUnsafeMutableBufferPointer { buffer in
                        transform.apply(image, rng: &rng, into: UnsafeMutableBufferPointer(rebasing: buffer[(filled * perImage)..<((filled + 1) * perImage)]))
                    }
                    labels.append(sample.label); indices.append(index)
                } catch {
                    if strict { position = order.count; return .failure(error) }
                    condition.withLock { skippedSources.append(sample.source.name) }
                }
            }
            if labels.isEmpty || (dropLast && labels.count < batchSize) { break }
            values.removeLast((batchSize - labels.count) * perImage)
            return .success(Batch(images: Tensor(shape: [labels.count, r, r, 3], values: values), labels: labels, indices: indices))
        }
        position = order.count
        return nil
    }

    /// Appends a result when there is room (waiting otherwise); returns false once cancelled.
    @discardableResult
    private func deliver(_ result: Result<Batch, Error>?, last: Bool) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= prefetch && !cancelled { condition.wait() }
        if cancelled { return false }
        if let result { queue.append(result) }
        if last { finished = true }
        condition.broadcast()
        return true
    }
}

/// A 64-bit mix of three values (SplitMix64 finaliser), for independent per-sample seeds.
func loaderSeed(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64 {
    var g = SplitMix64(seed: a ^ (b &* 0x9E37_79B9_7F4A_7C15) ^ (c &* 0xC2B2_AE3D_27D4_EB4F))
    return g.next()
}
