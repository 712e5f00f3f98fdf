/// How a convolution or pooling pads its input.
public enum Padding: Equatable, Sendable {
    /// `k // 2` on every side (PyTorch `padding=k//2`, as OFA and TinyTL use).
    case symmetric
    /// TensorFlow "SAME": output ⌈in / stride⌉, total padding max((out−1)·s + k − in, 0), the smaller half
    /// on top/left (asymmetric for stride 2), as EfficientNet-Lite's TF-trained weights expect.
    case tfSame
    /// The same explicit padding on every side.
    case explicit(Int)
}

/// Shapes of one 2-D convolution (or pooling window) over an NHWC input.
///
/// Output extents follow PyTorch: out = ⌊(in + padBefore + padAfter − k) / stride⌋ + 1.
public struct ConvGeometry: Equatable, Sendable {
    public let batch: Int, inHeight: Int, inWidth: Int, inChannels: Int
    public let outChannels: Int, kernel: Int, stride: Int, groups: Int
    public let padTop: Int, padLeft: Int, outHeight: Int, outWidth: Int

    /// - Precondition: channels divide by `groups`; the window fits the padded input.
    public init(
        batch: Int, height: Int, width: Int, inChannels: Int, outChannels: Int,
        kernel: Int, stride: Int = 1, groups: Int = 1, padding: Padding = .symmetric
    ) {
        precondition(inChannels % groups == 0 && outChannels % groups == 0, "channels \(inChannels)->\(outChannels) not divisible by groups \(groups)")
        precondition(kernel >= 1 && stride >= 1, "kernel \(kernel), stride \(stride)")
        self.batch = batch; inHeight = height; inWidth = width
        self.inChannels = inChannels; self.outChannels = outChannels
        self.kernel = kernel; self.stride = stride; self.groups = groups
        func extent(_ size: Int) -> (padBefore: Int, out: Int) {
            switch padding {
            case .symmetric: return (kernel / 2, (size + 2 * (kernel / 2) - kernel) / stride + 1)
            case .explicit(let p): return (p, (size + 2 * p - kernel) / stride + 1)
            case .tfSame:
                let out = (size + stride - 1) / stride
                let total = Swift.max((out - 1) * stride + kernel - size, 0)
                return (total / 2, out)
            }
        }
        (padTop, outHeight) = extent(height)
        (padLeft, outWidth) = extent(width)
        precondition(outHeight >= 1 && outWidth >= 1, "kernel \(kernel) does not fit \(height)x\(width)")
    }

    /// Elements of the input (N, H, W, Cin).
    public var inputCount: Int { batch * inHeight * inWidth * inChannels }
    /// Elements of the output (N, Ho, Wo, Cout).
    public var outputCount: Int { batch * outHeight * outWidth * outChannels }
    /// Output pixels over the batch (rows of the GEMM).
    public var outputPixels: Int { batch * outHeight * outWidth }
    /// Weight elements in (O, kh, kw, I/groups).
    public var weightCount: Int { outChannels * kernel * kernel * (inChannels / groups) }
    /// True for a 1x1, stride-1, ungrouped, unpadded conv: a plain GEMM on the input.
    public var isPointwise: Bool { kernel == 1 && stride == 1 && groups == 1 && padTop == 0 && padLeft == 0 }
    /// True for a depthwise conv (one input and one output channel per group).
    public var isDepthwise: Bool { groups == inChannels && groups == outChannels }
}
