/// The `state_dict` of a supernet as the reference builds it (spec §1.5, §2.3): names and PyTorch shapes.
extension SearchSpace {
    /// Every parameter and buffer in reference order. `num_batches_tracked` buffers are included when
    /// `withBatchCounters` is true (they count towards the reference's key totals, 475 / 446) and are
    /// otherwise left out: inference and transfer never read them.
    public func supernetKeys(withBatchCounters: Bool = false) -> [(name: String, shape: [Int])] {
        var keys: [(String, [Int])] = []
        func bn(_ prefix: String, _ c: Int) {
            for s in ["weight", "bias", "running_mean", "running_var"] { keys.append(("\(prefix).\(s)", [c])) }
            if withBatchCounters { keys.append(("\(prefix).num_batches_tracked", [])) }
        }
        func fixed(_ prefix: String, _ conv: FixedConv) {
            keys.append(("\(prefix).conv.weight", [conv.outChannels, conv.inChannels, conv.kernel, conv.kernel]))
            if conv.hasBatchNorm { bn("\(prefix).bn", conv.outChannels) }
        }
        fixed("first_conv", stem)
        let b0 = firstBlock
        keys.append(("blocks.0.conv.depth_conv.conv.weight", [b0.inChannels, 1, 3, 3])); bn("blocks.0.conv.depth_conv.bn", b0.inChannels)
        keys.append(("blocks.0.conv.point_linear.conv.weight", [b0.outChannels, b0.inChannels, 1, 1])); bn("blocks.0.conv.point_linear.bn", b0.outChannels)
        for (j, slot) in slots.enumerated() {
            let p = "blocks.\(j + 1).conv", mid = maxMid(slot), kmax = slot.kernelChoices.last!
            keys.append(("\(p).inverted_bottleneck.conv.conv.weight", [mid, slot.inChannels, 1, 1])); bn("\(p).inverted_bottleneck.bn.bn", mid)
            for name in transformMatrixNames(slot) { keys.append(("\(p).depth_conv.conv.\(name.name)", [name.size, name.size])) }
            keys.append(("\(p).depth_conv.conv.conv.weight", [mid, 1, kmax, kmax])); bn("\(p).depth_conv.bn.bn", mid)
            if slot.useSE {
                let se = seMidChannels(mid)
                keys.append(("\(p).depth_conv.se.fc.reduce.weight", [se, mid, 1, 1])); keys.append(("\(p).depth_conv.se.fc.reduce.bias", [se]))
                keys.append(("\(p).depth_conv.se.fc.expand.weight", [mid, se, 1, 1])); keys.append(("\(p).depth_conv.se.fc.expand.bias", [mid]))
            }
            keys.append(("\(p).point_linear.conv.conv.weight", [slot.outChannels, mid, 1, 1])); bn("\(p).point_linear.bn.bn", slot.outChannels)
        }
        switch head {
        case let .poolBeforeFeatureMix(finalExpand, featureMix):
            fixed("final_expand_layer", finalExpand); fixed("feature_mix_layer", featureMix)
        case let .poolAfterFeatureMix(featureMix):
            fixed("feature_mix_layer", featureMix)
        }
        keys.append(("classifier.linear.weight", [classes, headFeatures])); keys.append(("classifier.linear.bias", [classes]))
        return keys
    }

    /// Features entering the classifier.
    public var headFeatures: Int {
        switch head {
        case let .poolBeforeFeatureMix(_, featureMix): return featureMix.outChannels
        case let .poolAfterFeatureMix(featureMix): return featureMix.outChannels
        }
    }

    /// The kernel transformation matrices of an OFA position with kernels {3,5,7}, in the reference's
    /// registration order (`5to3_matrix` before `7to5_matrix`). The elastic EfficientNet-Lite0 has none:
    /// its 5 → 3 is a plain centre crop.
    func transformMatrixNames(_ slot: BlockSlot) -> [(name: String, size: Int)] {
        guard family != .effnetLite0Elastic else { return [] }
        let ks = slot.kernelChoices
        return zip(ks.dropLast(), ks.dropFirst()).map { ("\($1)to\($0)_matrix", $0 * $0) }
    }
}
