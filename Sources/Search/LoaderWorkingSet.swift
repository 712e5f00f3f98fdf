import Datasets
import Images

/// The bytes the data loader holds, besides the batch itself, while it makes one training image: what the
/// planner cannot see but the measured training includes.
///
/// Concretely, for the largest training image (W×H pixels, longest side L) at resolution r, uint8 RGB: the
/// decoded image (W·H·3; counted even though a warm cache usually avoids the decode), its random crop
/// (≤ W·H·3), the resize's intermediate pass (≤ L·r·3), the resized and the flipped image (2·r²·3).
public struct LoaderWorkingSet: Sendable, Equatable {
    /// Pixels of the largest image, and the longest side of any image.
    public var largestPixels: Int, longestSide: Int

    /// Images of at most `largestPixels` pixels and `longestSide` on their longest side.
    public init(largestPixels: Int, longestSide: Int) {
        self.largestPixels = largestPixels; self.longestSide = longestSide
    }

    /// Reads the header of every image in `samples` (in-memory images give their size directly).
    public init(samples: [Sample]) {
        var pixels = 0, side = 0
        for s in samples {
            let size: (width: Int, height: Int)?
            switch s.source {
            case .file(let url): size = RGBImage.size(ofFileAt: url)
            case .pixels(let image): size = (image.width, image.height)
            }
            guard let size else { continue }
            pixels = max(pixels, size.width * size.height)
            side = max(side, max(size.width, size.height))
        }
        largestPixels = pixels; longestSide = side
    }

    /// The working set at resolution `r`, bytes.
    public func bytes(resolution r: Int) -> Int { 3 * (2 * largestPixels + longestSide * r + 2 * r * r) }
}
