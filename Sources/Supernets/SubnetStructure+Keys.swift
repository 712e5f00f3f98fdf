extension SubnetStructure {
    /// The static subnet's `state_dict` without `num_batches_tracked` (spec §3.8): names and PyTorch shapes.
    public var staticKeys: [(name: String, shape: [Int])] {
        var keys: [(String, [Int])] = []
        func bn(_ prefix: String, _ c: Int) {
            for s in ["weight", "bias", "running_mean", "running_var"] { keys.append(("\(prefix).\(s)", [c])) }
        }
        func fixed(_ prefix: String, _ c: FixedConv) {
            keys.append(("\(prefix).conv.weight", [c.outChannels, c.inChannels, c.kernel, c.kernel]))
            if c.hasBatchNorm { bn("\(prefix).bn", c.outChannels) }
        }
        fixed("first_conv", firstConv)
        for (j, b) in blocks.enumerated() {
            let p = "blocks.\(j).conv"
            if b.expandRatio != 1 {
                keys.append(("\(p).inverted_bottleneck.conv.weight", [b.midChannels, b.inChannels, 1, 1])); bn("\(p).inverted_bottleneck.bn", b.midChannels)
            }
            keys.append(("\(p).depth_conv.conv.weight", [b.midChannels, 1, b.kernel, b.kernel])); bn("\(p).depth_conv.bn", b.midChannels)
            if b.useSE {
                let se = makeDivisible(Double(b.midChannels / 4))
                keys.append(("\(p).depth_conv.se.fc.reduce.weight", [se, b.midChannels, 1, 1])); keys.append(("\(p).depth_conv.se.fc.reduce.bias", [se]))
                keys.append(("\(p).depth_conv.se.fc.expand.weight", [b.midChannels, se, 1, 1])); keys.append(("\(p).depth_conv.se.fc.expand.bias", [b.midChannels]))
            }
            keys.append(("\(p).point_linear.conv.weight", [b.outChannels, b.midChannels, 1, 1])); bn("\(p).point_linear.bn", b.outChannels)
        }
        switch head {
        case let .poolBeforeFeatureMix(finalExpand, featureMix): fixed("final_expand_layer", finalExpand); fixed("feature_mix_layer", featureMix)
        case let .poolAfterFeatureMix(featureMix): fixed("feature_mix_layer", featureMix)
        }
        keys.append(("classifier.linear.weight", [classes, headFeatures])); keys.append(("classifier.linear.bias", [classes]))
        return keys
    }
}
