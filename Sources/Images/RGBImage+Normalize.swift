extension RGBImage {
    /// ImageNet channel means used by torchvision's pretrained models (R, G, B).
    public static let imageNetMean: [Float] = [0.485, 0.456, 0.406]
    /// ImageNet channel standard deviations used by torchvision's pretrained models (R, G, B).
    public static let imageNetStd: [Float] = [0.229, 0.224, 0.225]

    /// Float32 pixels normalised per channel, in HWC (NHWC with N = 1) layout.
    ///
    /// Concretely: `out[(y·W + x)·3 + c] = (Float(p) / 255 − mean[c]) / std[c]`, each operation rounded in
    /// Float32 in that order, which is bit-identical to torchvision's `ToTensor()` (`float().div(255)`)
    /// followed by `Normalize(mean, std)` (`sub_(mean).div_(std)`), transposed to HWC.
    ///
    /// Layout: HWC (the engine's NHWC activations); ``normalizedCHW(mean:std:)`` gives PyTorch's CHW.
    /// - Parameters:
    ///   - mean: Three channel means (default ImageNet's).
    ///   - std: Three channel standard deviations (default ImageNet's).
    public func normalizedNHWC(mean: [Float] = imageNetMean, std: [Float] = imageNetStd) -> [Float] {
        var out = [Float](repeating: 0, count: pixels.count)
        out.withUnsafeMutableBufferPointer { writeNormalizedNHWC(into: $0, mean: mean, std: std) }
        return out
    }

    /// Writes ``normalizedNHWC(mean:std:)`` into `buffer` (for example one slot of a batch), which must
    /// hold exactly `width * height * 3` floats.
    public func writeNormalizedNHWC(into buffer: UnsafeMutableBufferPointer<Float>,
                                    mean: [Float] = imageNetMean, std: [Float] = imageNetStd) {
        precondition(buffer.count == pixels.count, "writeNormalizedNHWC: buffer holds \(buffer.count), need \(pixels.count)")
        let table = Self.normalizationTable(mean: mean, std: std)
        table.withUnsafeBufferPointer { t in
            pixels.withUnsafeBufferPointer { p in
                let n = width * height
                for i in 0..<n {
                    buffer[3 * i] = t[Int(p[3 * i])]
                    buffer[3 * i + 1] = t[256 + Int(p[3 * i + 1])]
                    buffer[3 * i + 2] = t[512 + Int(p[3 * i + 2])]
                }
            }
        }
    }

    /// Float32 pixels normalised per channel, in PyTorch's CHW layout (`ToTensor()` + `Normalize`).
    ///
    /// Same values as ``normalizedNHWC(mean:std:)``; `out[c·H·W + y·W + x]`.
    public func normalizedCHW(mean: [Float] = imageNetMean, std: [Float] = imageNetStd) -> [Float] {
        let table = Self.normalizationTable(mean: mean, std: std)
        let n = width * height
        var out = [Float](repeating: 0, count: 3 * n)
        for i in 0..<n {
            for c in 0..<3 { out[c * n + i] = table[c * 256 + Int(pixels[3 * i + c])] }
        }
        return out
    }

    /// The 3 x 256 lookup table `(Float(v) / 255 - mean[c]) / std[c]`.
    static func normalizationTable(mean: [Float], std: [Float]) -> [Float] {
        precondition(mean.count == 3 && std.count == 3, "normalize: need 3 means and 3 stds, got \(mean.count) and \(std.count)")
        var table = [Float](repeating: 0, count: 3 * 256)
        for c in 0..<3 {
            for v in 0..<256 { table[c * 256 + v] = (Float(v) / 255 - mean[c]) / std[c] }
        }
        return table
    }
}
