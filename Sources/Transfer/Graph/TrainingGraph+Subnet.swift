import Foundation
import Networks
import Supernets
import Tensors

extension TrainingGraph {
    /// The TinyTL training graph of a static subnet (any family) in frozen-BN mode.
    ///
    /// Concretely: the subnet's ops with every batch norm as a frozen-statistics affine, folded into its conv
    /// (w·a, bias b′ = β − mean·a) when both the conv weight and γ are frozen, kept as a separate `affine` op
    /// otherwise; activations as separate ops; for the lite-residual methods a lite residual branch in every
    /// block, or in the subnet blocks `liteResidualBlocks` names (`ArchConfig.liteResidualBlocks(in:method:)`;
    /// `TrainingGraph+LiteResidual.swift`); a new classifier Linear(features → `classes`) with weight
    /// U(−1/√in, 1/√in) and bias 0 (spec §0.6). Trainable sets follow `TransferMethod.trains(_:in:)`.
    ///
    /// Random draws (lite residual convs first, in block order, then the classifier) come from one SplitMix64
    /// seeded with `seed`.
    ///
    /// With `norm: .groupNorm` (TinyTL's GN + WS, spec §5.5) nothing is folded: every batch norm becomes a GroupNorm
    /// (`AffineOp.groups`) with its γ and β and the subnet's eps, and every bias-free conv standardises its weight at
    /// use (`ConvOp.standardize`); trainable sets are the same rules.
    ///
    /// `drawsFreshWeights: false` fills the new lite residual and classifier weights with zeros instead of random
    /// draws: the same ops, parameters and sizes at a fraction of the cost (the draws are half of building a
    /// lite-residual graph), for planning a candidate's memory; such a graph must not be trained.
    /// - Precondition: `subnet.weights` holds every tensor its structure names (true for extracted subnets).
    public init(subnet: Subnet, method: TransferMethod, classes: Int, seed: UInt64 = 0, norm: NormMode = .frozenBatchNorm,
                drawsFreshWeights: Bool = true, liteResidualBlocks: Set<Int>? = nil) {
        precondition(classes >= 1, "a classifier needs at least one class")
        var b = GraphBuilder(weights: subnet.weights, method: method, eps: Float(subnet.structure.bnEps),
                             padding: subnet.structure.padding, seed: seed, norm: norm)
        b.drawsFreshWeights = drawsFreshWeights
        let s = subnet.structure
        let branches = method.insertsLiteResidual
            ? liteResidualBranches(s).filter { liteResidualBlocks?.contains($0.key) ?? true } : [:]
        var x = b.convBN("first_conv.conv", bn: "first_conv.bn", ConvShape(s.firstConv), input: 0)
        for (j, block) in s.blocks.enumerated() {
            let blockInput = x
            let p = "blocks.\(j).conv"
            // With a lite residual the MBConv becomes `main_branch` (its weights are read under the subnet's names).
            b.rename = branches[j] == nil ? nil : (from: "\(p).", to: "\(p).main_branch.")
            if block.expandRatio != 1 {
                x = b.convBN("\(p).inverted_bottleneck.conv", bn: "\(p).inverted_bottleneck.bn",
                             ConvShape(inChannels: block.inChannels, outChannels: block.midChannels, kernel: 1, stride: 1,
                                       activation: block.activation, hasBatchNorm: true), input: x)
            }
            x = b.depthwiseBN("\(p).depth_conv", channels: block.midChannels, kernel: block.kernel, stride: block.stride,
                              activation: block.activation, input: x)
            if block.useSE { x = b.squeezeExcite("\(p).depth_conv.se.fc", channels: block.midChannels, input: x) }
            x = b.convBN("\(p).point_linear.conv", bn: "\(p).point_linear.bn",
                         ConvShape(inChannels: block.midChannels, outChannels: block.outChannels, kernel: 1, stride: 1,
                                   activation: .identity, hasBatchNorm: true), input: x)
            b.rename = nil
            if let branch = branches[j] {
                x = b.liteResidual("blocks.\(j).conv.lite_residual", branch, inChannels: block.inChannels,
                                   outChannels: block.outChannels, blockInput: blockInput, main: x)
            }
            if block.hasShortcut { x = b.append("blocks.\(j).shortcut_add", .add, [x, blockInput]) }
        }
        switch s.head {
        case let .poolBeforeFeatureMix(finalExpand, featureMix):
            x = b.convBN("final_expand_layer.conv", bn: "final_expand_layer.bn", ConvShape(finalExpand), input: x)
            x = b.append("global_avg_pool", .globalAvgPool, [x])
            x = b.convBN("feature_mix_layer.conv", bn: nil, ConvShape(featureMix), input: x)
        case let .poolAfterFeatureMix(featureMix):
            x = b.convBN("feature_mix_layer.conv", bn: "feature_mix_layer.bn", ConvShape(featureMix), input: x)
            x = b.append("global_avg_pool", .globalAvgPool, [x])
        }
        _ = b.classifier(inFeatures: s.headFeatures, classes: classes, input: x)
        self.init(parameters: b.parameters, ops: b.ops, inputChannels: 3, classes: classes, method: method,
                  batchNormEps: Float(s.bnEps), norm: norm)
    }
}

/// Appends ops and parameters for OFA modules, reading weights by PyTorch name.
struct GraphBuilder {
    let weights: NamedTensors, method: TransferMethod, eps: Float, padding: Padding, norm: NormMode
    var rng: SplitMix64
    /// False: new weights are zeros (see `TrainingGraph.init(subnet:method:classes:seed:norm:drawsFreshWeights:)`).
    var drawsFreshWeights = true
    /// A prefix rewrite applied to the names of new ops and parameters (not to the weights read).
    var rename: (from: String, to: String)?
    var parameters: [GraphParameter] = []
    var ops: [GraphOp] = []

    init(weights: NamedTensors, method: TransferMethod, eps: Float, padding: Padding, seed: UInt64, norm: NormMode) {
        self.weights = weights; self.method = method; self.eps = eps; self.padding = padding; self.norm = norm
        self.rng = SplitMix64(seed: seed)
    }

    func tensor(_ name: String) -> [Float] {
        guard let t = weights[name] else { preconditionFailure("subnet has no tensor \(name)") }
        return t.values
    }

    /// Appends op `kind` on `inputs`, returning its value index.
    mutating func append(_ name: String, _ kind: OpKind, _ inputs: [Int]) -> Int {
        ops.append(GraphOp(name: renamed(name), kind: kind, inputs: inputs))
        return ops.count
    }

    mutating func parameter(_ name: String, _ role: ParameterRole, _ values: [Float], section: ParameterSection) -> Int {
        let trainable = method.trains(role == .foldedNormBias ? .normBias : role, in: section)
        parameters.append(GraphParameter(name: renamed(name), role: role, values: values, trainable: trainable))
        return parameters.count - 1
    }

    func renamed(_ name: String) -> String {
        guard let rename, name.hasPrefix(rename.from) else { return name }
        return rename.to + name.dropFirst(rename.from.count)
    }

    /// An activation op unless `activation` is the identity.
    mutating func activation(_ name: String, _ activation: Activation, input: Int) -> Int {
        activation == .identity ? input : append(name, .activation(activation), [input])
    }

    /// A batch norm's four tensors as (γ, β, mean, var).
    func batchNorm(_ bn: String) -> (gamma: [Float], beta: [Float], mean: [Float], variance: [Float]) {
        (tensor("\(bn).weight"), tensor("\(bn).bias"), tensor("\(bn).running_mean"), tensor("\(bn).running_var"))
    }

    /// Conv (PyTorch weight at `<conv>.weight`) → batch norm `bn` (folded or kept) → activation.
    mutating func convBN(_ conv: String, bn: String?, _ c: ConvShape, groups: Int = 1, padding: Padding? = nil,
                         torchWeight: [Float]? = nil, bnValues: (gamma: [Float], beta: [Float], mean: [Float], variance: [Float])? = nil,
                         section: ParameterSection = .featureExtractor, bnSection: ParameterSection? = nil, input: Int) -> Int {
        let w = WeightLayout.convFromTorch(torchWeight ?? tensor("\(conv).weight"), outChannels: c.outChannels,
                                           inPerGroup: c.inChannels / groups, kernel: c.kernel)
        let module = String(conv.dropLast(".conv".count))
        func op(weight: Int, bias: Int?) -> OpKind {
            .conv(ConvOp(inChannels: c.inChannels, outChannels: c.outChannels, kernel: c.kernel, stride: c.stride, groups: groups,
                         padding: padding ?? self.padding, weight: weight, bias: bias, standardize: norm != .frozenBatchNorm && bias == nil))
        }
        guard let bn else {
            let weight = parameter("\(conv).weight", .weight, w, section: section)
            let y = append(conv, op(weight: weight, bias: nil), [input])
            return activation("\(module).act", c.activation, input: y)
        }
        let v = bnValues ?? batchNorm(bn)
        let normSection = bnSection ?? section
        let foldable = norm == .frozenBatchNorm && !method.trains(.weight, in: section) && !method.trains(.normWeight, in: normSection)
        if foldable {
            let f = foldBatchNorm(weight: w, bias: nil, outChannels: c.outChannels, gamma: v.gamma, beta: v.beta, mean: v.mean,
                                  variance: v.variance, eps: Double(eps))
            let weight = parameter("\(conv).weight", .foldedWeight, f.weight, section: section)
            let bias = parameter("\(bn).bias", .foldedNormBias, f.bias, section: normSection)
            let y = append(conv, op(weight: weight, bias: bias), [input])
            return activation("\(module).act", c.activation, input: y)
        }
        let weight = parameter("\(conv).weight", .weight, w, section: section)
        let y = append(conv, op(weight: weight, bias: nil), [input])
        let z = affine(bn, channels: c.outChannels, v, section: normSection, input: y)
        return activation("\(module).act", c.activation, input: z)
    }

    /// A frozen-statistics batch norm as a separate affine op, or in GN mode the GroupNorm replacing it
    /// (`replace_bn_with_gn`: C / min_divisible_value(C, channels per group) groups, γ and β kept, statistics dropped).
    mutating func affine(_ bn: String, channels: Int, _ v: (gamma: [Float], beta: [Float], mean: [Float], variance: [Float]),
                         section: ParameterSection, input: Int) -> Int {
        if case .groupNorm(let perGroup, _) = norm {
            let gamma = parameter("\(bn).weight", .normWeight, v.gamma, section: section)
            let beta = parameter("\(bn).bias", .normBias, v.beta, section: section)
            var divisor = min(perGroup, channels)
            while channels % divisor != 0 { divisor -= 1 }
            return append(bn, .affine(AffineOp(channels: channels, gamma: gamma, beta: beta, mean: gamma, variance: beta, eps: eps,
                                               groups: channels / divisor)), [input])
        }
        let gamma = parameter("\(bn).weight", .normWeight, v.gamma, section: section)
        let beta = parameter("\(bn).bias", .normBias, v.beta, section: section)
        let mean = parameter("\(bn).running_mean", .runningMean, v.mean, section: section)
        let variance = parameter("\(bn).running_var", .runningVariance, v.variance, section: section)
        return append(bn, .affine(AffineOp(channels: channels, gamma: gamma, beta: beta, mean: mean, variance: variance, eps: eps)), [input])
    }

    /// `<prefix>.conv` depthwise (weight (C,1,k,k)) → `<prefix>.bn` → activation.
    mutating func depthwiseBN(_ prefix: String, channels: Int, kernel: Int, stride: Int, activation act: Activation, input: Int) -> Int {
        let w = WeightLayout.depthwiseFromTorch(tensor("\(prefix).conv.weight"), channels: channels, kernel: kernel)
        let v = batchNorm("\(prefix).bn")
        func op(weight: Int, bias: Int?) -> OpKind {
            .depthwise(DepthwiseOp(channels: channels, kernel: kernel, stride: stride, padding: padding, weight: weight, bias: bias,
                                   standardize: norm != .frozenBatchNorm && bias == nil))
        }
        if norm == .frozenBatchNorm && !method.trains(.weight, in: .featureExtractor) && !method.trains(.normWeight, in: .featureExtractor) {
            let f = foldBatchNorm(weight: w, bias: nil, outChannels: channels, channelLast: true, gamma: v.gamma, beta: v.beta,
                                  mean: v.mean, variance: v.variance, eps: Double(eps))
            let weight = parameter("\(prefix).conv.weight", .foldedWeight, f.weight, section: .featureExtractor)
            let bias = parameter("\(prefix).bn.bias", .foldedNormBias, f.bias, section: .featureExtractor)
            let y = append("\(prefix).conv", op(weight: weight, bias: bias), [input])
            return activation("\(prefix).act", act, input: y)
        }
        let weight = parameter("\(prefix).conv.weight", .weight, w, section: .featureExtractor)
        let y = append("\(prefix).conv", op(weight: weight, bias: nil), [input])
        let z = affine("\(prefix).bn", channels: channels, v, section: .featureExtractor, input: y)
        return activation("\(prefix).act", act, input: z)
    }

    mutating func squeezeExcite(_ prefix: String, channels: Int, input: Int) -> Int {
        let reduceBias = tensor("\(prefix).reduce.bias")
        let se = SqueezeExciteOp(
            channels: channels, mid: reduceBias.count,
            reduceWeight: parameter("\(prefix).reduce.weight", .weight, tensor("\(prefix).reduce.weight"), section: .featureExtractor),
            reduceBias: parameter("\(prefix).reduce.bias", .bias, reduceBias, section: .featureExtractor),
            expandWeight: parameter("\(prefix).expand.weight", .weight, tensor("\(prefix).expand.weight"), section: .featureExtractor),
            expandBias: parameter("\(prefix).expand.bias", .bias, tensor("\(prefix).expand.bias"), section: .featureExtractor))
        return append(String(prefix.dropLast(".fc".count)), .squeezeExcite(se), [input])
    }

    /// The new classifier: weight U(−1/√in, 1/√in), bias 0 (`init_models`, spec §0.6).
    mutating func classifier(inFeatures: Int, classes: Int, input: Int) -> Int {
        let bound = 1 / Float(inFeatures).squareRoot()
        let w = drawsFreshWeights ? (0..<(classes * inFeatures)).map { _ in Float.random(in: -bound...bound, using: &rng) }
            : [Float](repeating: 0, count: classes * inFeatures)
        let weight = parameter("classifier.linear.weight", .weight, w, section: .classifier)
        let bias = parameter("classifier.linear.bias", .bias, [Float](repeating: 0, count: classes), section: .classifier)
        return append("classifier.linear", .linear(LinearOp(inFeatures: inFeatures, outFeatures: classes, weight: weight, bias: bias)), [input])
    }

    /// A standard normal draw (Box–Muller on two uniforms).
    mutating func normal() -> Float {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng), u2 = Double.random(in: 0..<1, using: &rng)
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }
}

/// The shape of a conv + optional BN + activation module (the builder's view of `FixedConv`).
struct ConvShape {
    var inChannels: Int, outChannels: Int, kernel: Int, stride: Int
    var activation: Activation
    var hasBatchNorm: Bool
}

extension ConvShape {
    init(_ f: FixedConv) {
        self.init(inChannels: f.inChannels, outChannels: f.outChannels, kernel: f.kernel, stride: f.stride,
                  activation: f.activation, hasBatchNorm: f.hasBatchNorm)
    }
}
