import Foundation

/// The convolution filters of Pillow's `Image.resize` (`Image.Resampling`), with Pillow's supports.
///
/// Concretely: output pixel `xx` of a resize from `inSize` to `outSize` is a weighted sum of input pixels
/// `x` with weights `filter((x - center + 0.5) / max(1, scale))`, where `scale = inSize / outSize` and
/// `center = (xx + 0.5) * scale`; the support widens by `scale` when downscaling (antialiasing).
/// `Image.NEAREST` is not a convolution in Pillow and is not offered here.
///
/// ### References
/// Pillow `src/libImaging/Resample.c` (`bilinear_filter`, `bicubic_filter`, ...), as of Pillow 13.
public enum ResamplingFilter: String, CaseIterable, Sendable {
    /// `Image.BOX`: each output pixel is the mean of the input pixels it covers.
    case box
    /// `Image.BILINEAR` (triangle filter, support 1): torchvision's default interpolation.
    case bilinear
    /// `Image.HAMMING`: Hamming-windowed sinc, support 1.
    case hamming
    /// `Image.BICUBIC`: Keys cubic convolution with a = -0.5, support 2.
    case bicubic
    /// `Image.LANCZOS`: 3-lobed Lanczos windowed sinc, support 3.
    case lanczos

    /// Half-width of the filter at scale 1, in input pixels.
    var support: Double {
        switch self {
        case .box: return 0.5
        case .bilinear, .hamming: return 1
        case .bicubic: return 2
        case .lanczos: return 3
        }
    }

    /// The filter kernel, in `Double` exactly as Pillow evaluates it (same operation order).
    @inline(__always)
    func weight(_ x: Double) -> Double {
        switch self {
        case .box:
            return x > -0.5 && x <= 0.5 ? 1 : 0
        case .bilinear:
            let x = Swift.abs(x)
            return x < 1 ? 1 - x : 0
        case .hamming:
            var x = Swift.abs(x)
            if x == 0 { return 1 }
            if x >= 1 { return 0 }
            x = x * Double.pi
            // Pillow writes `0.54f + 0.46f * cos(x)`: float literals promoted to double.
            return sin(x) / x * (Double(Float(0.54)) + Double(Float(0.46)) * cos(x))
        case .bicubic:
            let a = -0.5
            let x = Swift.abs(x)
            if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
            if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
            return 0
        case .lanczos:
            return -3 <= x && x < 3 ? Self.sinc(x) * Self.sinc(x / 3) : 0
        }
    }

    private static func sinc(_ x: Double) -> Double {
        if x == 0 { return 1 }
        let px = x * Double.pi
        return sin(px) / px
    }
}
