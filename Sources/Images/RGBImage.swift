/// An 8-bit RGB image: the Swift counterpart of a Pillow image after `convert('RGB')`.
///
/// Concretely: `pixels[(y * width + x) * 3 + c]` is channel `c` (0 = R, 1 = G, 2 = B) of the pixel in
/// row `y`, column `x`.
///
/// Layout: interleaved, row-major HWC, no row padding; `pixels.count == width * height * 3`. This is
/// `numpy.asarray(pil_image)` byte for byte.
public struct RGBImage: Equatable, Hashable, Sendable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Interleaved RGB bytes, row-major (HWC).
    public var pixels: [UInt8]

    /// Wraps existing HWC bytes; traps if `pixels.count != width * height * 3` (a programmer error).
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0, "RGBImage: negative size \(width)x\(height)")
        precondition(pixels.count == width * height * 3,
                     "RGBImage: \(pixels.count) bytes for \(width)x\(height)x3 = \(width * height * 3)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A `width` x `height` image with every byte set to `value`.
    public init(width: Int, height: Int, repeating value: UInt8 = 0) {
        self.init(width: width, height: height, pixels: [UInt8](repeating: value, count: width * height * 3))
    }

    /// The (R, G, B) triple at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
        precondition(x >= 0 && x < width && y >= 0 && y < height, "RGBImage: (\(x), \(y)) outside \(width)x\(height)")
        let i = (y * width + x) * 3
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }

    /// The `width` x `height` rectangle whose top-left corner is column `left`, row `top`.
    ///
    /// Concretely: Pillow's `im.crop((left, top, left + width, top + height))` for a rectangle inside the
    /// image (Pillow pads outside pixels with zeros; here that is a precondition failure).
    public func crop(left: Int, top: Int, width: Int, height: Int) -> RGBImage {
        precondition(left >= 0 && top >= 0 && width >= 0 && height >= 0
                     && left + width <= self.width && top + height <= self.height,
                     "RGBImage.crop: (\(left), \(top), \(width)x\(height)) outside \(self.width)x\(self.height)")
        var out = [UInt8](repeating: 0, count: width * height * 3)
        let rowBytes = width * 3
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let s = ((top + y) * self.width + left) * 3
                    for i in 0..<rowBytes { dst[y * rowBytes + i] = src[s + i] }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }
}

extension RGBImage: CustomStringConvertible {
    public var description: String { "RGBImage(\(width)x\(height))" }
}
