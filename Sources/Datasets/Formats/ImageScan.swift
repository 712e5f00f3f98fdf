import Foundation
import Images

/// Decodes a list of samples to check that they load and to measure their sizes (`datasets info`/`verify`).
///
/// Concretely: every sample's ``ImageSource/load()`` is called once, on all cores
/// (`DispatchQueue.concurrentPerform` over chunks of 16 samples); the decoded pixels are dropped at once,
/// so memory stays at one image per core. Results keep the samples' order.
public struct ImageScan: Sendable {
    /// One sample that could not be decoded.
    public struct Failure: Sendable, Equatable {
        /// The file path (``ImageSource/name``).
        public let source: String
        /// The decoder's one-line message.
        public let reason: String
    }

    /// Width and height in pixels of each decoded sample, in sample order (failures left out).
    public private(set) var sizes: [(width: Int, height: Int)] = []
    /// The samples that failed, in sample order.
    public private(set) var failures: [Failure] = []
    /// Samples scanned.
    public private(set) var count = 0

    /// Scans `samples`; `progress(done, total)` is called after each chunk, from any thread, one call at a time.
    public init(_ samples: [Sample], progress: (@Sendable (Int, Int) -> Void)? = nil) {
        enum Outcome { case size(Int, Int), failed(String) }
        let chunk = 16, total = samples.count
        var outcomes = [Outcome?](repeating: nil, count: total)
        let lock = NSLock()
        var done = 0
        outcomes.withUnsafeMutableBufferPointer { out in
            let out = out
            DispatchQueue.concurrentPerform(iterations: (total + chunk - 1) / chunk) { c in
                let range = (c * chunk)..<min(total, (c + 1) * chunk)
                for i in range {
                    do {
                        let image = try samples[i].source.load()
                        out[i] = .size(image.width, image.height)
                    } catch {
                        out[i] = .failed("\(error)")
                    }
                }
                lock.lock()
                done += range.count
                progress?(done, total)
                lock.unlock()
            }
        }
        count = total
        for (i, o) in outcomes.enumerated() {
            switch o {
            case .size(let w, let h)?: sizes.append((w, h))
            case .failed(let reason)?: failures.append(Failure(source: samples[i].source.name, reason: reason))
            case nil: preconditionFailure("ImageScan: sample \(i) not scanned")
            }
        }
    }

    /// Minimum, median (the lower middle for an even count) and maximum of `values`; nil when empty.
    public static func summary(_ values: [Int]) -> (min: Int, median: Int, max: Int)? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return (sorted[0], sorted[(sorted.count - 1) / 2], sorted[sorted.count - 1])
    }
}
