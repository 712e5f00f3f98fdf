import Networks
import Tensors

/// One MBConv block of a static subnet (OFA `MBConvLayer` inside a `ResidualBlock`).
public struct SubnetBlock: Equatable, Sendable {
    public var inChannels: Int, outChannels: Int, kernel: Int, stride: Int
    /// Expand ratio; 1 means no expansion conv (the fixed first block).
    public var expandRatio: Int
    /// Middle channels (input channels when `expandRatio` is 1).
    public var midChannels: Int
    public var activation: Activation
    public var useSE: Bool
    /// Identity shortcut. Elastic blocks have one iff stride 1 and in == out; the fixed first block has one
    /// only in OFA-MobileNetV3 (OFA-ProxylessNAS builds it with none, even when its widths agree).
    public var hasShortcut: Bool

    public init(inChannels: Int, outChannels: Int, kernel: Int, stride: Int, expandRatio: Int, midChannels: Int,
                activation: Activation, useSE: Bool, hasShortcut: Bool) {
        self.inChannels = inChannels; self.outChannels = outChannels; self.kernel = kernel; self.stride = stride
        self.expandRatio = expandRatio; self.midChannels = midChannels; self.activation = activation; self.useSE = useSE
        self.hasShortcut = hasShortcut
    }
}

/// The structure of a static subnet: what OFA's `net.config` describes.
public struct SubnetStructure: Equatable, Sendable {
    public var family: SupernetFamily
    public var firstConv: FixedConv
    public var blocks: [SubnetBlock]
    public var head: HeadLayout
    public var classes: Int
    public var bnEps: Double
    public var padding: Padding
    /// Features entering the classifier.
    public var headFeatures: Int {
        switch head {
        case let .poolBeforeFeatureMix(_, featureMix), let .poolAfterFeatureMix(featureMix): return featureMix.outChannels
        }
    }
}

/// A static subnet: its structure and its weights under the reference's static names (`blocks.j.conv.…`,
/// blocks compacted to the active ones, spec §3.8), PyTorch layouts.
public struct Subnet: Sendable {
    public var structure: SubnetStructure
    public var weights: NamedTensors
    /// The resolution the subnet was chosen for.
    public var resolution: Int
    public var mean: [Float], std: [Float]

    public init(structure: SubnetStructure, weights: NamedTensors, resolution: Int, mean: [Float], std: [Float]) {
        self.structure = structure; self.weights = weights; self.resolution = resolution; self.mean = mean; self.std = std
    }
}

/// PyTorch names of OFA's activations (`build_activation`).
extension Activation {
    var ofaName: String {
        switch self {
        case .identity: return "none"
        case .relu: return "relu"
        case .relu6: return "relu6"
        case .hswish: return "h_swish"
        case .hsigmoid: return "h_sigmoid"
        case .sigmoid: return "sigmoid"
        }
    }

    init?(ofaName: String?) {
        switch ofaName {
        case nil, "none": self = .identity
        case "relu": self = .relu
        case "relu6": self = .relu6
        case "h_swish": self = .hswish
        case "h_sigmoid": self = .hsigmoid
        case "sigmoid": self = .sigmoid
        default: return nil
        }
    }
}
