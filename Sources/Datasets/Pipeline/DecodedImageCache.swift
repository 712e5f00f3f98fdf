import Foundation
import Images

/// Decoded images kept in memory across epochs, for datasets small enough to hold (flowers5's 3,456
/// photos at 160 px take about 250 MB). Images are added until `capacityBytes` is reached; later ones
/// are decoded every time. Thread-safe.
public final class DecodedImageCache: @unchecked Sendable {
    public let capacityBytes: Int
    private var images: [Int: RGBImage] = [:]
    private var bytes = 0
    private let lock = NSLock()

    public init(capacityBytes: Int) { self.capacityBytes = capacityBytes }

    /// The cached image of sample `index`, or the result of `load`, cached when there is room.
    func image(_ index: Int, load: () throws -> RGBImage) rethrows -> RGBImage {
        if let hit = lock.withLock({ images[index] }) { return hit }
        let image = try load()
        lock.withLock {
            if bytes + image.pixels.count <= capacityBytes && images[index] == nil {
                images[index] = image
                bytes += image.pixels.count
            }
        }
        return image
    }

    /// Bytes of pixels held.
    public var storedBytes: Int { lock.withLock { bytes } }
}
