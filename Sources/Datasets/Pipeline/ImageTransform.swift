import Foundation
import Images
import Tensors

/// How an image becomes a network input of `resolution`² pixels: the training augmentation of the
/// reference or the deterministic evaluation transform, then normalisation.
public struct ImageTransform: Sendable {
    public enum Kind: Sendable, Equatable {
        /// torchvision `RandomResizedCrop(r, scale, ratio)` then `RandomHorizontalFlip()`, optionally colour
        /// distortion (TinyTL's training transform, scale (0.22, 1) and ratio (3/4, 4/3) by default).
        case train(scale: ClosedRange<Double>, ratio: ClosedRange<Double>, colorDistortion: Bool)
        /// Resize the shorter side to ⌈r / 0.875⌉, then centre-crop r×r (OFA/TinyTL evaluation).
        case evaluate
    }

    public var kind: Kind
    public var resolution: Int
    /// Per-channel mean and std on [0, 1] pixels (the supernet's metadata).
    public var mean: [Float], std: [Float]

    public init(kind: Kind, resolution: Int, mean: [Float], std: [Float]) {
        self.kind = kind; self.resolution = resolution; self.mean = mean; self.std = std
    }

    /// TinyTL's training transform: scale (0.22, 1), ratio (3/4, 4/3), horizontal flip.
    public static func train(resolution: Int, mean: [Float], std: [Float], colorDistortion: Bool = false) -> ImageTransform {
        ImageTransform(kind: .train(scale: 0.22...1, ratio: (3.0 / 4)...(4.0 / 3), colorDistortion: colorDistortion),
                       resolution: resolution, mean: mean, std: std)
    }

    /// The evaluation transform.
    public static func evaluate(resolution: Int, mean: [Float], std: [Float]) -> ImageTransform {
        ImageTransform(kind: .evaluate, resolution: resolution, mean: mean, std: std)
    }

    /// The transformed image (uint8, `resolution`²), drawing any randomness from `rng`.
    public func apply(_ image: RGBImage, rng: inout SplitMix64) -> RGBImage {
        let r = resolution
        switch kind {
        case .evaluate:
            return image.resize(shorterSide: Int((Double(r) / 0.875).rounded(.up))).centerCrop(size: r)
        case let .train(scale, ratio, colorDistortion):
            let box = Self.randomResizedCropBox(width: image.width, height: image.height, scale: scale, ratio: ratio, rng: &rng)
            var out = image.crop(left: box.left, top: box.top, width: box.width, height: box.height).resize(width: r, height: r)
            if Double.random(in: 0..<1, using: &rng) < 0.5 { out = out.flippedHorizontally() }
            if colorDistortion { out = out.colorDistorted(rng: &rng) }
            return out
        }
    }

    /// Writes the normalised (H, W, C) values of the transformed image into `destination` (`resolution`²·3 floats).
    public func apply(_ image: RGBImage, rng: inout SplitMix64, into destination: UnsafeMutableBufferPointer<Float>) {
        apply(image, rng: &rng).writeNormalizedNHWC(into: destination, mean: mean, std: std)
    }

    /// torchvision `RandomResizedCrop.get_params`: up to 10 draws of an area fraction in `scale` and a
    /// log-uniform aspect ratio in `ratio`, w = round(√(area·ratio)), h = round(√(area/ratio)), accepted when it
    /// fits, placed uniformly; otherwise the centre crop clamped to the ratio range.
    public static func randomResizedCropBox(
        width: Int, height: Int, scale: ClosedRange<Double>, ratio: ClosedRange<Double>, rng: inout SplitMix64
    ) -> (left: Int, top: Int, width: Int, height: Int) {
        let area = Double(width * height)
        let logRatio = log(ratio.lowerBound)...log(ratio.upperBound)
        for _ in 0..<10 {
            let target = area * Double.random(in: scale, using: &rng)
            let aspect = exp(Double.random(in: logRatio, using: &rng))
            let w = Int((target * aspect).squareRoot().rounded(.toNearestOrEven))
            let h = Int((target / aspect).squareRoot().rounded(.toNearestOrEven))
            if w > 0 && w <= width && h > 0 && h <= height {
                let top = Int.random(in: 0...(height - h), using: &rng), left = Int.random(in: 0...(width - w), using: &rng)
                return (left, top, w, h)
            }
        }
        let inRatio = Double(width) / Double(height)
        var w = width, h = height
        if inRatio < ratio.lowerBound {
            h = Int((Double(w) / ratio.lowerBound).rounded(.toNearestOrEven))
        } else if inRatio > ratio.upperBound {
            w = Int((Double(h) * ratio.upperBound).rounded(.toNearestOrEven))
        }
        return ((width - w) / 2, (height - h) / 2, w, h)
    }
}

extension RGBImage {
    /// The image mirrored left to right.
    public func flippedHorizontally() -> RGBImage {
        var out = self
        pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let row = y * width * 3
                    for x in 0..<width {
                        let s = row + (width - 1 - x) * 3, d = row + x * 3
                        dst[d] = src[s]; dst[d + 1] = src[s + 1]; dst[d + 2] = src[s + 2]
                    }
                }
            }
        }
        return out
    }

    /// Colour distortion as TinyTL's optional "tf" jitter: brightness shifted by δ ∈ U(−32/255, 32/255) of
    /// full scale, then saturation scaled by s ∈ U(0.5, 1.5) around each pixel's luma (ITU-R 601-2, as
    /// Pillow's `convert("L")`), clamped to 0…255.
    public func colorDistorted(rng: inout SplitMix64) -> RGBImage {
        let delta = Float.random(in: -32...32, using: &rng), s = Float.random(in: 0.5...1.5, using: &rng)
        var out = self
        out.pixels.withUnsafeMutableBufferPointer { p in
            for i in stride(from: 0, to: p.count, by: 3) {
                let r = Float(p[i]) + delta, g = Float(p[i + 1]) + delta, b = Float(p[i + 2]) + delta
                let luma = 0.299 * r + 0.587 * g + 0.114 * b
                p[i] = UInt8(clamping: Int((luma + (r - luma) * s).rounded()))
                p[i + 1] = UInt8(clamping: Int((luma + (g - luma) * s).rounded()))
                p[i + 2] = UInt8(clamping: Int((luma + (b - luma) * s).rounded()))
            }
        }
        return out
    }
}
