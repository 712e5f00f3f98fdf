import Supernets
import Tensors

extension ProfiledNetwork {
    /// The TinyTL training network of `backbone` under `setup` at `resolution`×`resolution` (batch 1): lite
    /// residual branches inserted, norms replaced, a new classifier, and `setup.method`'s trainable set.
    ///
    /// Leaves run in the reference's forward order: in a `LiteResidualModule` the main branch first, then the
    /// branch's pooling, conv1, bn1, act, conv2 and final_bn (the up-sampling and additions are functional and
    /// invisible); the shortcut leaf after the block's conv. Spatial sizes are ⌈in / stride⌉ for every conv and
    /// ⌊in / ratio⌋ for the branch pooling.
    public init(_ backbone: TinyTLBackbone, setup: TinyTLSetup, resolution: Int) {
        var b = Builder(norm: setup.normalization)
        let branches = setup.liteResidual.map(backbone.liteResidualBranches) ?? [:]
        var h = b.convLayer("first_conv", backbone.firstConv, size: resolution)
        var channels = backbone.firstConv.outChannels
        for (i, block) in backbone.blocks.enumerated() {
            let input = channels * h * h
            if block.hasShortcut { b.steps.append(.enterResidual(inputElements: input)) }
            if let conv = block.conv {
                let branch = branches[i]
                let hOut = b.mbConv(branch == nil ? "blocks.\(i).conv" : "blocks.\(i).conv.main_branch", conv, size: h)
                if let branch, let options = setup.liteResidual {
                    b.liteResidual("blocks.\(i).conv.lite_residual", conv, branch, options, size: h)
                }
                h = hOut; channels = conv.outChannels
                if block.hasShortcut { b.free("blocks.\(i).shortcut", channels * h * h, channels * h * h) }
            }
            if block.hasShortcut { b.steps.append(.exitResidual) }
        }
        switch backbone.head {
        case let .featureMixThenPool(mix):
            h = b.convLayer("feature_mix_layer", mix, size: h)
            b.free("global_avg_pool", mix.outChannels * h * h, mix.outChannels)
        case let .poolThenFeatureMix(finalExpand, mix):
            h = b.convLayer("final_expand_layer", finalExpand, size: h)
            b.free("global_avg_pool", finalExpand.outChannels * h * h, finalExpand.outChannels)
            _ = b.convLayer("feature_mix_layer", mix, size: 1)
        case .poolOnly:
            b.free("global_avg_pool", channels * h * h, channels)
        }
        let features = backbone.features, classes = setup.classes ?? backbone.classes
        if setup.classifierDropout > 0 { b.free("classifier.dropout", features, features, section: .classifier) }
        b.steps.append(.leaf(ProfiledLeaf(
            path: "classifier.linear", kind: .linear, section: .classifier, inputElements: features, outputElements: classes,
            parameters: [ProfiledParameter(name: "weight", elements: features * classes), ProfiledParameter(name: "bias", elements: classes)])))
        self.init(steps: b.steps)
        setTrainable(for: setup.method)
    }
}

/// Appends leaves in forward order; sizes are per sample, `size` is the spatial side.
private struct Builder {
    let norm: NormalizationMode
    var steps: [ProfiledStep] = []

    init(norm: NormalizationMode) { self.norm = norm }

    static func out(_ size: Int, stride: Int) -> Int { (size + stride - 1) / stride }

    mutating func leaf(_ path: String, _ kind: ProfiledLeafKind, _ section: ProfiledSection, _ x: Int, _ y: Int, _ params: [ProfiledParameter]) {
        steps.append(.leaf(ProfiledLeaf(path: path, kind: kind, section: section, inputElements: x, outputElements: y, parameters: params)))
    }

    /// A Conv2d (padding k//2 or TF same: output ⌈size / stride⌉); returns the output side.
    @discardableResult
    mutating func conv(_ path: String, _ cin: Int, _ cout: Int, kernel: Int, stride: Int = 1, groups: Int = 1, bias: Bool = false,
                       size: Int, section: ProfiledSection = .featureExtractor) -> Int {
        precondition(cin % groups == 0 && cout % groups == 0, "\(path): \(cin)→\(cout) channels are not divisible by \(groups) groups")
        let o = Self.out(size, stride: stride)
        var params = [ProfiledParameter(name: "weight", elements: cout * (cin / groups) * kernel * kernel)]
        if bias { params.append(ProfiledParameter(name: "bias", elements: cout)) }
        leaf(path, .conv(groups: groups), section, cin * size * size, cout * o * o, params)
        return o
    }

    mutating func norm(_ path: String, _ channels: Int, size: Int, section: ProfiledSection = .featureExtractor) {
        let n = channels * size * size
        leaf(path, norm.leafKind(channels: channels), section, n, n,
             [ProfiledParameter(name: "weight", elements: channels), ProfiledParameter(name: "bias", elements: channels)])
    }

    /// `build_activation`: nothing for identity.
    mutating func activation(_ path: String, _ act: Activation, _ elements: Int, section: ProfiledSection = .featureExtractor) {
        switch act {
        case .identity: return
        case .relu, .relu6: leaf(path, .reluMask, section, elements, elements, [])
        case .hswish, .hsigmoid, .sigmoid: leaf(path, .smoothActivation, section, elements, elements, [])
        }
    }

    mutating func free(_ path: String, _ x: Int, _ y: Int, section: ProfiledSection = .featureExtractor) {
        leaf(path, .parameterFree, section, x, y, [])
    }

    /// A `ConvLayer` (`conv`, `bn`, `act`); returns the output side.
    mutating func convLayer(_ path: String, _ c: TinyTLBackbone.Conv, size: Int) -> Int {
        let o = conv("\(path).conv", c.inChannels, c.outChannels, kernel: c.kernel, stride: c.stride, size: size)
        if c.hasNorm { norm("\(path).bn", c.outChannels, size: o) }
        activation("\(path).act", c.activation, c.outChannels * o * o)
        return o
    }

    /// An `MBConvLayer`: inverted_bottleneck (unless expand 1), depth_conv (+ SE), point_linear; returns the output side.
    mutating func mbConv(_ path: String, _ b: SubnetBlock, size: Int) -> Int {
        let mid = b.midChannels
        if b.expandRatio != 1 {
            conv("\(path).inverted_bottleneck.conv", b.inChannels, mid, kernel: 1, size: size)
            norm("\(path).inverted_bottleneck.bn", mid, size: size)
            activation("\(path).inverted_bottleneck.act", b.activation, mid * size * size)
        }
        let o = conv("\(path).depth_conv.conv", mid, mid, kernel: b.kernel, stride: b.stride, groups: mid, size: size)
        norm("\(path).depth_conv.bn", mid, size: o)
        activation("\(path).depth_conv.act", b.activation, mid * o * o)
        if b.useSE {
            let se = makeDivisible(Double(mid / 4))
            conv("\(path).depth_conv.se.fc.reduce", mid, se, kernel: 1, bias: true, size: 1)
            activation("\(path).depth_conv.se.fc.relu", .relu, se)
            conv("\(path).depth_conv.se.fc.expand", se, mid, kernel: 1, bias: true, size: 1)
            activation("\(path).depth_conv.se.fc.h_sigmoid", .hsigmoid, mid)
        }
        conv("\(path).point_linear.conv", mid, b.outChannels, kernel: 1, size: o)
        norm("\(path).point_linear.bn", b.outChannels, size: o)
        return o
    }

    /// A lite residual branch (`pooling`, `conv1`, `bn1`, `act`, `conv2`, `final_bn`) on the block input.
    mutating func liteResidual(_ path: String, _ b: SubnetBlock, _ branch: LiteResidualBranch, _ options: LiteResidualOptions, size: Int) {
        let pooled: Int
        if let ratio = branch.downsampleRatio {
            precondition(size >= ratio, "\(path): a \(size)×\(size) input cannot be average-pooled by \(ratio)")
            pooled = size / ratio
        } else {
            pooled = 1
        }
        free("\(path).pooling", b.inChannels * size * size, b.inChannels * pooled * pooled, section: .liteResidual)
        let mid = options.midChannels(inChannels: b.inChannels)
        let o = conv("\(path).conv1", b.inChannels, mid, kernel: branch.kernel, stride: branch.stride, groups: options.groups,
                     size: pooled, section: .liteResidual)
        norm("\(path).bn1", mid, size: o, section: .liteResidual)
        activation("\(path).act", options.activation, mid * o * o, section: .liteResidual)
        conv("\(path).conv2", mid, b.outChannels, kernel: 1, size: o, section: .liteResidual)
        norm("\(path).final_bn", b.outChannels, size: o, section: .liteResidualFinalNorm)
    }
}
