import Networks
import Tensors

extension Subnet {
    /// The subnet as a network for the forward engine.
    ///
    /// With `foldBatchNorm` (inference and frozen-BN transfer) every batch norm is folded into its conv;
    /// without, each stays a separate `.batchNorm` node carrying its `state_dict` prefix, so that running
    /// statistics can be re-calibrated (`recalibrated(on:)`).
    public func network(foldBatchNorm: Bool = true) -> Network {
        var builder = NetworkBuilder(weights: weights, eps: structure.bnEps, padding: structure.padding, fold: foldBatchNorm)
        let s = structure
        var x = builder.conv("first_conv.conv", bn: "first_conv.bn", s.firstConv, input: 0)
        for (j, block) in s.blocks.enumerated() {
            let p = "blocks.\(j).conv", blockInput = x
            if block.expandRatio != 1 {
                x = builder.conv("\(p).inverted_bottleneck.conv", bn: "\(p).inverted_bottleneck.bn",
                                 FixedConv(inChannels: block.inChannels, outChannels: block.midChannels, kernel: 1, stride: 1,
                                           activation: block.activation, hasBatchNorm: true), input: x)
            }
            x = builder.depthwise("\(p).depth_conv.conv", bn: "\(p).depth_conv.bn", channels: block.midChannels,
                                  kernel: block.kernel, stride: block.stride, activation: block.activation, input: x)
            if block.useSE { x = builder.squeezeExcite("\(p).depth_conv.se.fc", channels: block.midChannels, input: x) }
            x = builder.conv("\(p).point_linear.conv", bn: "\(p).point_linear.bn",
                             FixedConv(inChannels: block.midChannels, outChannels: block.outChannels, kernel: 1, stride: 1,
                                       activation: .identity, hasBatchNorm: true), input: x)
            if block.hasShortcut { x = builder.add("blocks.\(j)", x, blockInput) }
        }
        switch s.head {
        case let .poolBeforeFeatureMix(finalExpand, featureMix):
            x = builder.conv("final_expand_layer.conv", bn: "final_expand_layer.bn", finalExpand, input: x)
            x = builder.pool(x)
            x = builder.conv("feature_mix_layer.conv", bn: nil, featureMix, input: x)
        case let .poolAfterFeatureMix(featureMix):
            x = builder.conv("feature_mix_layer.conv", bn: "feature_mix_layer.bn", featureMix, input: x)
            x = builder.pool(x)
        }
        _ = builder.linear("classifier.linear", inFeatures: s.headFeatures, outFeatures: s.classes, input: x)
        return Network(nodes: builder.nodes, inputChannels: 3)
    }
}

/// Appends nodes for OFA modules, folding or keeping batch norms. Weights are read by PyTorch name.
struct NetworkBuilder {
    let weights: NamedTensors, eps: Double, padding: Padding, fold: Bool
    var nodes: [Node] = []

    init(weights: NamedTensors, eps: Double, padding: Padding, fold: Bool) {
        self.weights = weights; self.eps = eps; self.padding = padding; self.fold = fold
    }

    private func t(_ name: String) -> [Float] {
        guard let tensor = weights[name] else { preconditionFailure("subnet has no tensor \(name)") }
        return tensor.values
    }

    /// Appends `layer`, returning the new value's index.
    private mutating func append(_ name: String, _ layer: Layer, _ inputs: [Int]) -> Int {
        nodes.append(Node(name: name, layer: layer, inputs: inputs))
        return nodes.count
    }

    /// A conv (weight `<name>.weight`, PyTorch layout) followed by BN `<bn>` (nil: none, and no bias).
    mutating func conv(_ name: String, bn: String?, _ c: FixedConv, input: Int) -> Int {
        let w = WeightLayout.convFromTorch(t("\(name).weight"), outChannels: c.outChannels, inPerGroup: c.inChannels, kernel: c.kernel)
        guard let bn else {
            return append(name, .conv(ConvLayer(weight: w, bias: nil, inChannels: c.inChannels, outChannels: c.outChannels, kernel: c.kernel,
                                                stride: c.stride, groups: 1, padding: padding, activation: c.activation)), [input])
        }
        if fold {
            let f = foldBatchNorm(weight: w, bias: nil, outChannels: c.outChannels, gamma: t("\(bn).weight"), beta: t("\(bn).bias"),
                                  mean: t("\(bn).running_mean"), variance: t("\(bn).running_var"), eps: eps)
            return append(name, .conv(ConvLayer(weight: f.weight, bias: f.bias, inChannels: c.inChannels, outChannels: c.outChannels,
                                                kernel: c.kernel, stride: c.stride, groups: 1, padding: padding, activation: c.activation)), [input])
        }
        let x = append(name, .conv(ConvLayer(weight: w, bias: nil, inChannels: c.inChannels, outChannels: c.outChannels, kernel: c.kernel,
                                             stride: c.stride, groups: 1, padding: padding, activation: .identity)), [input])
        return batchNorm(bn, activation: c.activation, input: x)
    }

    /// A depthwise conv (weight (C,1,k,k)) followed by BN `<bn>`.
    mutating func depthwise(_ name: String, bn: String, channels: Int, kernel: Int, stride: Int, activation: Activation, input: Int) -> Int {
        let w = WeightLayout.depthwiseFromTorch(t("\(name).weight"), channels: channels, kernel: kernel)
        if fold {
            let f = foldBatchNorm(weight: w, bias: nil, outChannels: channels, channelLast: true, gamma: t("\(bn).weight"), beta: t("\(bn).bias"),
                                  mean: t("\(bn).running_mean"), variance: t("\(bn).running_var"), eps: eps)
            return append(name, .depthwise(DepthwiseLayer(weight: f.weight, bias: f.bias, channels: channels, kernel: kernel, stride: stride,
                                                          padding: padding, activation: activation)), [input])
        }
        let x = append(name, .depthwise(DepthwiseLayer(weight: w, bias: nil, channels: channels, kernel: kernel, stride: stride,
                                                       padding: padding, activation: .identity)), [input])
        return batchNorm(bn, activation: activation, input: x)
    }

    mutating func batchNorm(_ key: String, activation: Activation, input: Int) -> Int {
        append(key, .batchNorm(BatchNormLayer(key: key, gamma: t("\(key).weight"), beta: t("\(key).bias"), mean: t("\(key).running_mean"),
                                              variance: t("\(key).running_var"), eps: Float(eps), activation: activation)), [input])
    }

    mutating func squeezeExcite(_ prefix: String, channels: Int, input: Int) -> Int {
        let reduceBias = t("\(prefix).reduce.bias")
        return append(prefix, .squeezeExcite(SqueezeExciteLayer(
            reduceWeight: t("\(prefix).reduce.weight"), reduceBias: reduceBias, expandWeight: t("\(prefix).expand.weight"),
            expandBias: t("\(prefix).expand.bias"), channels: channels, mid: reduceBias.count)), [input])
    }

    mutating func add(_ name: String, _ a: Int, _ b: Int) -> Int { append("\(name).residual", .add, [a, b]) }

    mutating func pool(_ input: Int) -> Int { append("global_avg_pool", .globalAvgPool, [input]) }

    mutating func linear(_ name: String, inFeatures: Int, outFeatures: Int, input: Int) -> Int {
        append(name, .linear(LinearLayer(weight: t("\(name).weight"), bias: t("\(name).bias"), inFeatures: inFeatures, outFeatures: outFeatures)), [input])
    }
}
