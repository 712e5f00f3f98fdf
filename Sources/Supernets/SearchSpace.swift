import Tensors

/// The three supernet families `ofa-search` knows.
public enum SupernetFamily: String, Codable, Sendable, CaseIterable {
    /// `OFAMobileNetV3` (published: `ofa_mbv3_d234_e346_k357_w1.0`, `_w1.2`).
    case ofaMobileNetV3 = "ofa-mbv3"
    /// `OFAProxylessNASNets` (published: `ofa_proxyless_d234_e346_k357_w1.3`).
    case ofaProxylessNAS = "ofa-proxyless"
    /// EfficientNet-Lite0 made elastic from its ImageNet weights (DESIGN.md §5).
    case effnetLite0Elastic = "effnet-lite0-elastic"
}

/// A fixed conv with batch norm and activation (stem, final expand, feature mix).
public struct FixedConv: Equatable, Sendable {
    public var inChannels: Int, outChannels: Int, kernel: Int, stride: Int
    public var activation: Activation
    /// False for OFA-MobileNetV3's feature-mix layer (no BN, no bias).
    public var hasBatchNorm: Bool
}

/// One physical elastic block position: fixed in/out channels and stride, elastic kernel and expand ratio.
public struct BlockSlot: Equatable, Sendable {
    public var inChannels: Int, outChannels: Int, stride: Int
    public var activation: Activation
    public var useSE: Bool
    /// Kernel sizes this position may take, ascending (OFA: [3,5,7]; EfficientNet-Lite0: [3] or [3,5]).
    public var kernelChoices: [Int]
    /// Identity shortcut iff stride 1 and in == out.
    public var hasShortcut: Bool { stride == 1 && inChannels == outChannels }
}

/// A stage: consecutive slots of which the first `depth` run (depth drops trailing blocks only).
public struct Stage: Equatable, Sendable {
    /// Indices into `SearchSpace.slots`.
    public var slots: [Int]
    /// Allowed depths, ascending.
    public var depthChoices: [Int]
}

/// Where the head pools: OFA-MobileNetV3 pools before its feature-mix conv, the others after.
public enum HeadLayout: Equatable, Sendable {
    /// final expand (conv+BN+act) → pool → feature mix (conv, act; no BN, no bias) → classifier.
    case poolBeforeFeatureMix(finalExpand: FixedConv, featureMix: FixedConv)
    /// feature mix (conv+BN+act) → pool → classifier.
    case poolAfterFeatureMix(featureMix: FixedConv)
}

/// The structure of a supernet: everything that does not depend on weights.
///
/// Positions follow the reference exactly: `slots[j]` is physical block `blocks.(j+1)`; `blocks.0` is the
/// fixed first block. Channel counts are the published construction rules (`ofa_mbv3.py`, `ofa_proxyless.py`).
public struct SearchSpace: Equatable, Sendable {
    public var family: SupernetFamily
    public var widthMult: Double
    public var classes: Int
    public var stem: FixedConv
    /// The fixed first block: MBConv with expand 1 (depthwise k3 + projection).
    public var firstBlock: BlockSlot
    /// Whether the first block has an identity shortcut: OFA-MobileNetV3 when in == out; never in
    /// OFA-ProxylessNAS (`ResidualBlock(first_block_conv, None)`) or EfficientNet-Lite0 (32 → 16).
    public var firstBlockHasShortcut: Bool
    public var slots: [BlockSlot]
    public var stages: [Stage]
    public var expandChoices: [Int]
    public var head: HeadLayout
    public var bnEps: Double
    public var padding: Padding
    /// Resolutions a search may choose (inclusive range, step `resolutionStep`).
    public var resolutionRange: ClosedRange<Int>
    public var resolutionStep: Int
    public var defaultResolution: Int

    /// Middle channels of `slot` at expand ratio `e`: make_divisible(round(in·e), 8) (OFA's elastic rule).
    public func midChannels(_ slot: BlockSlot, expand e: Int) -> Int {
        makeDivisible(Double(pythonRound(Double(slot.inChannels) * Double(e))))
    }

    /// Middle channels of the squeeze-excite branch for `mid` channels: make_divisible(mid // 4, 8).
    public func seMidChannels(_ mid: Int) -> Int { makeDivisible(Double(mid / 4)) }

    /// Largest kernel and expand ratio: the sizes the supernet's tensors are stored at.
    public func maxMid(_ slot: BlockSlot) -> Int { midChannels(slot, expand: expandChoices.max()!) }

    /// The resolutions a search may choose.
    public var resolutions: [Int] { Array(stride(from: resolutionRange.lowerBound, through: resolutionRange.upperBound, by: resolutionStep)) }

    /// Channels entering the head (output of the last slot).
    public var lastBlockChannels: Int { slots.last!.outChannels }

    /// Number of distinct subnets (kernel × expand per position of the longest stage prefixes, depths and
    /// resolutions), counting positions beyond the active depth once per depth.
    public var subnetCount: Double {
        var total = 1.0
        for stage in stages {
            var perDepth = 0.0
            for d in stage.depthChoices {
                perDepth += stage.slots.prefix(d).reduce(1.0) { $0 * Double(slots[$1].kernelChoices.count * expandChoices.count) }
            }
            total *= perDepth
        }
        return total * Double(resolutions.count)
    }
}
