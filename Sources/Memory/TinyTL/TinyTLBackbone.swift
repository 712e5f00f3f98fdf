import Supernets
import Tensors

/// A pretrained network before TinyTL's transforms: first conv, blocks (ZeroLayer blocks allowed), head.
///
/// Mirrors OFA's static `ProxylessNASNets` / `MobileNetV3` (spec §0.5, §3.12); EfficientNet-Lite subnets fit
/// the ProxylessNAS shape (TF "same" padding gives the same ⌈in/stride⌉ sizes as symmetric padding).
public struct TinyTLBackbone: Equatable, Sendable {
    /// A `ConvLayer` (conv → optional norm → optional activation), no bias.
    public struct Conv: Equatable, Sendable {
        public var inChannels: Int, outChannels: Int, kernel: Int, stride: Int
        public var activation: Activation
        public var hasNorm: Bool

        public init(inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, activation: Activation, hasNorm: Bool = true) {
            self.inChannels = inChannels; self.outChannels = outChannels; self.kernel = kernel; self.stride = stride
            self.activation = activation; self.hasNorm = hasNorm
        }

        public init(_ fixed: FixedConv) {
            self.init(inChannels: fixed.inChannels, outChannels: fixed.outChannels, kernel: fixed.kernel, stride: fixed.stride,
                      activation: fixed.activation, hasNorm: fixed.hasBatchNorm)
        }
    }

    /// One `ResidualBlock`: an MBConv, or a ZeroLayer (nil) that returns its input and runs no leaves.
    public struct Block: Equatable, Sendable {
        public var conv: SubnetBlock?
        /// An identity shortcut (the profiler holds the block input while the block runs).
        public var hasShortcut: Bool

        public init(_ conv: SubnetBlock?, hasShortcut: Bool) { self.conv = conv; self.hasShortcut = hasShortcut }
    }

    /// What runs between the last block and the classifier.
    public enum Head: Equatable, Sendable {
        /// ProxylessNAS / EfficientNet-Lite: feature mix (conv, norm, act) → global pool.
        case featureMixThenPool(Conv)
        /// OFA-MobileNetV3: final expand (conv, norm, act) → global pool → feature mix (conv, act; no norm).
        case poolThenFeatureMix(finalExpand: Conv, featureMix: Conv)
        /// No feature mix (`feature_mix_layer = None`): global pool only.
        case poolOnly
    }

    public var firstConv: Conv
    public var blocks: [Block]
    public var head: Head
    public var classes: Int

    public init(firstConv: Conv, blocks: [Block], head: Head, classes: Int) {
        self.firstConv = firstConv; self.blocks = blocks; self.head = head; self.classes = classes
    }

    /// The static subnet `structure` describes (any family).
    public init(_ structure: SubnetStructure) {
        let head: Head
        switch structure.head {
        case let .poolAfterFeatureMix(featureMix): head = .featureMixThenPool(Conv(featureMix))
        case let .poolBeforeFeatureMix(finalExpand, featureMix): head = .poolThenFeatureMix(finalExpand: Conv(finalExpand), featureMix: Conv(featureMix))
        }
        self.init(firstConv: Conv(structure.firstConv), blocks: structure.blocks.map { Block($0, hasShortcut: $0.hasShortcut) },
                  head: head, classes: structure.classes)
    }

    /// Features entering the classifier.
    public var features: Int {
        switch head {
        case let .featureMixThenPool(mix), let .poolThenFeatureMix(_, mix): return mix.outChannels
        case .poolOnly: return blocks.last { $0.conv != nil }?.conv?.outChannels ?? firstConv.outChannels
        }
    }

    /// ProxylessNAS-Mobile (`proxylessnas/proxyless_mobile.config`, spec §5.2): stem 3→32, 22 blocks (3 and 4
    /// are ZeroLayers), feature mix 320→1280, ReLU6, no SE; 4,080,512 parameters with 1000 classes.
    public static func proxylessNASMobile(classes: Int = 1000) -> TinyTLBackbone {
        // (in, out, kernel, stride, expand); nil: ZeroLayer block.
        let table: [(Int, Int, Int, Int, Int)?] = [
            (32, 16, 3, 1, 1), (16, 32, 5, 2, 3), (32, 32, 3, 1, 3), nil, nil,
            (32, 40, 7, 2, 3), (40, 40, 3, 1, 3), (40, 40, 5, 1, 3), (40, 40, 5, 1, 3),
            (40, 80, 7, 2, 6), (80, 80, 5, 1, 3), (80, 80, 5, 1, 3), (80, 80, 5, 1, 3),
            (80, 96, 5, 1, 6), (96, 96, 5, 1, 3), (96, 96, 5, 1, 3), (96, 96, 5, 1, 3),
            (96, 192, 7, 2, 6), (192, 192, 7, 1, 6), (192, 192, 7, 1, 3), (192, 192, 7, 1, 3),
            (192, 320, 7, 1, 6),
        ]
        let blocks = table.enumerated().map { i, row -> Block in
            guard let (cin, cout, k, s, e) = row else { return Block(nil, hasShortcut: true) }
            let shortcut = i > 0 && s == 1 && cin == cout
            return Block(SubnetBlock(inChannels: cin, outChannels: cout, kernel: k, stride: s, expandRatio: e, midChannels: cin * e,
                                     activation: .relu6, useSE: false, hasShortcut: shortcut), hasShortcut: shortcut)
        }
        return TinyTLBackbone(
            firstConv: Conv(inChannels: 3, outChannels: 32, kernel: 3, stride: 2, activation: .relu6), blocks: blocks,
            head: .featureMixThenPool(Conv(inChannels: 320, outChannels: 1280, kernel: 1, activation: .relu6)), classes: classes)
    }

    /// `grouped_block_index`: blocks[1...] split before every block without shortcut (blocks[0] never belongs
    /// to a group); ZeroLayer blocks keep their shortcut and stay in their group.
    public var groupedBlockIndex: [[Int]] {
        var groups: [[Int]] = [], current: [Int] = []
        for i in blocks.indices.dropFirst() {
            if !blocks[i].hasShortcut && !current.isEmpty { groups.append(current); current = [] }
            current.append(i)
        }
        if !current.isEmpty { groups.append(current) }
        return groups
    }
}
