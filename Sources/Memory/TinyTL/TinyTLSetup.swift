import Supernets
import Tensors

/// Which normalization the training network uses (spec §5.5).
public enum NormalizationMode: Equatable, Sendable {
    /// BatchNorm2d everywhere.
    case batchNorm
    /// `replace_bn_with_gn`: every BatchNorm2d becomes GroupNorm with C / min_divisible_value(C, cpg) groups.
    /// Weight standardisation, which TinyTL adds with it, changes no profiler number (MyConv2d counts as Conv2d).
    case groupNorm(channelsPerGroup: Int)

    /// The leaf kind of a norm over `channels` channels.
    func leafKind(channels: Int) -> ProfiledLeafKind {
        switch self {
        case .batchNorm: return .batchNorm
        case let .groupNorm(cpg): return .groupNorm(groups: channels / minDivisibleValue(channels, cpg))
        }
    }
}

/// OFA's `min_divisible_value(n1, v1)`: n1 if v1 ≥ n1, else the largest divisor of n1 not above v1.
func minDivisibleValue(_ n: Int, _ v: Int) -> Int {
    if v >= n { return n }
    var d = v
    while n % d != 0 { d -= 1 }
    return d
}

/// The lite residual branch TinyTL inserts (`insert_lite_residual`, spec §5.3–§5.4; defaults of the script).
public struct LiteResidualOptions: Equatable, Sendable {
    /// Average-pooling factor before the branch (a branch whose assumed resolution is 1 pools globally, kernel 1).
    public var downsampleRatio: Int = 2
    /// Middle channels = make_divisible(int(in · expand), 8).
    public var expand: Double = 1
    /// Kernel before shrinking by the assumed resolution.
    public var maxKernel: Int = 5
    public var groups: Int = 2
    public var activation: Activation = .relu
    /// The hard-coded resolution the kernel rule assumes (128), whatever the real input size.
    public var assumedResolution: Int = 128
    /// Stride per block group, zipped with the groups (groups beyond the list get no branch), as the
    /// reference's hard-coded `[2, 2, 2, 1, 2, 1]`; equal to the first block's stride in all three families.
    public var groupStrides: [Int] = [2, 2, 2, 1, 2, 1]

    public init() {}
}

/// How TinyTL turns a pretrained backbone into its training network.
public struct TinyTLSetup: Equatable, Sendable {
    public var method: TransferMethod
    /// nil: no lite residual branches.
    public var liteResidual: LiteResidualOptions?
    public var normalization: NormalizationMode
    /// Classes of the new classifier (nil keeps the backbone's).
    public var classes: Int?
    /// Classifier dropout rate: above 0 adds a `classifier.dropout` leaf (which costs nothing).
    public var classifierDropout: Double

    /// - Parameters:
    ///   - insertLiteResidual: whether to insert lite residual branches (`liteResidualOptions`); nil inserts
    ///     them only where the method trains them (as the OFA-Proxyless rows of §6.5).
    ///   - normalization: GroupNorm with 8 channels per group by default (TinyTL's GN + WS).
    ///   - classifierDropout: 0.2 by default (the script's `--dropout`).
    public init(method: TransferMethod, insertLiteResidual: Bool? = nil, liteResidualOptions: LiteResidualOptions = LiteResidualOptions(),
                normalization: NormalizationMode = .groupNorm(channelsPerGroup: 8), classes: Int? = nil,
                classifierDropout: Double = 0.2) {
        self.method = method
        self.liteResidual = (insertLiteResidual ?? method.trainsLiteResidual) ? liteResidualOptions : nil
        self.normalization = normalization; self.classes = classes; self.classifierDropout = classifierDropout
    }

    /// `tinytl_fgvc_train.py --net proxyless_mobile`: lite residual branches for every method, GN(8) + WS,
    /// dropout 0.2 (the setting of the ProxylessNAS-Mobile table of §6.5).
    public static func trainScript(_ method: TransferMethod, classes: Int? = nil) -> TinyTLSetup {
        TinyTLSetup(method: method, insertLiteResidual: true, classes: classes)
    }
}
