import Networks
import Tensors

extension SearchSpace {
    /// The structure of the subnet `config` selects (no weights needed): for counting and for `net.config`.
    public func subnetStructure(_ config: ArchConfig) -> SubnetStructure {
        var blocks = [SubnetBlock(inChannels: firstBlock.inChannels, outChannels: firstBlock.outChannels, kernel: 3,
                                  stride: 1, expandRatio: 1, midChannels: firstBlock.inChannels,
                                  activation: firstBlock.activation, useSE: false, hasShortcut: firstBlockHasShortcut)]
        for j in config.activeSlots(in: self) {
            let slot = slots[j]
            blocks.append(SubnetBlock(inChannels: slot.inChannels, outChannels: slot.outChannels, kernel: config.ks[j], stride: slot.stride,
                                      expandRatio: config.e[j], midChannels: midChannels(slot, expand: config.e[j]),
                                      activation: slot.activation, useSE: slot.useSE, hasShortcut: slot.hasShortcut))
        }
        return SubnetStructure(family: family, firstConv: stem, blocks: blocks, head: head, classes: classes, bnEps: bnEps, padding: padding)
    }
}

extension Supernet {
    /// The static subnet of `config` (OFA `get_active_subnet(preserve_weight=True)`, spec §3.8): first `mid`
    /// channels of every elastic tensor, the active depthwise filter after kernel transformation, first
    /// `seMid` SE channels, blocks renumbered consecutively. `num_batches_tracked` is not carried.
    /// - Throws: `SupernetError` when `config` is outside the space (the resolution is not checked here).
    public func subnet(_ config: ArchConfig) throws -> Subnet {
        try config.validate(in: space, checkResolution: false)
        var out = NamedTensors(source: "\(weights.source) subnet \(config.json)")
        func copy(_ name: String, to target: String? = nil) { out.set(target ?? name, tensor(name)) }
        func copyBN(_ from: String, _ to: String, channels: Int) {
            for s in ["weight", "bias", "running_mean", "running_var"] {
                let t = tensor("\(from).\(s)")
                out.set("\(to).\(s)", Tensor(shape: [channels], values: Array(t.values[0..<channels])))
            }
        }
        for name in weights.names where name.hasPrefix("first_conv.") || name.hasPrefix("blocks.0.") { copy(name) }
        let structure = space.subnetStructure(config)
        for (j, slotIndex) in config.activeSlots(in: space).enumerated() {
            let slot = space.slots[slotIndex], k = config.ks[slotIndex], e = config.e[slotIndex]
            let mid = space.midChannels(slot, expand: e), maxMid = space.maxMid(slot), kmax = slot.kernelChoices.last!
            let from = "blocks.\(slotIndex + 1).conv", to = "blocks.\(j + 1).conv"
            out.set("\(to).inverted_bottleneck.conv.weight",
                    rows(tensor("\(from).inverted_bottleneck.conv.conv.weight"), keep: mid, columns: slot.inChannels, of: slot.inChannels))
            copyBN("\(from).inverted_bottleneck.bn.bn", "\(to).inverted_bottleneck.bn", channels: mid)
            var matrices: [String: [Float]] = [:]
            for m in space.transformMatrixNames(slot) {
                matrices[String(m.name.dropLast("_matrix".count))] = tensor("\(from).depth_conv.conv.\(m.name)").values
            }
            let filter = activeDepthwiseFilter(weight: tensor("\(from).depth_conv.conv.conv.weight").values, maxKernel: kmax,
                                               channels: mid, kernel: k, sizes: slot.kernelChoices, matrices: matrices)
            out.set("\(to).depth_conv.conv.weight", Tensor(shape: [mid, 1, k, k], values: filter))
            copyBN("\(from).depth_conv.bn.bn", "\(to).depth_conv.bn", channels: mid)
            if slot.useSE {
                let se = space.seMidChannels(mid), maxSE = space.seMidChannels(maxMid)
                out.set("\(to).depth_conv.se.fc.reduce.weight", rows(tensor("\(from).depth_conv.se.fc.reduce.weight"), keep: se, columns: mid, of: maxMid, trailing: [1, 1]))
                out.set("\(to).depth_conv.se.fc.reduce.bias", Tensor(shape: [se], values: Array(tensor("\(from).depth_conv.se.fc.reduce.bias").values[0..<se])))
                out.set("\(to).depth_conv.se.fc.expand.weight", rows(tensor("\(from).depth_conv.se.fc.expand.weight"), keep: mid, columns: se, of: maxSE, trailing: [1, 1]))
                out.set("\(to).depth_conv.se.fc.expand.bias", Tensor(shape: [mid], values: Array(tensor("\(from).depth_conv.se.fc.expand.bias").values[0..<mid])))
            }
            out.set("\(to).point_linear.conv.weight",
                    rows(tensor("\(from).point_linear.conv.conv.weight"), keep: slot.outChannels, columns: mid, of: maxMid))
            copyBN("\(from).point_linear.bn.bn", "\(to).point_linear.bn", channels: slot.outChannels)
        }
        for name in weights.names where ["final_expand_layer.", "feature_mix_layer.", "classifier."].contains(where: name.hasPrefix) { copy(name) }
        return Subnet(structure: structure, weights: out, resolution: config.r, mean: mean, std: std)
    }

    /// The first `keep` rows and first `columns` of `of` columns of a (rows, of, trailing…) tensor, as
    /// (keep, columns, trailing…); a 1x1 conv weight has trailing [1, 1].
    private func rows(_ t: Tensor, keep: Int, columns: Int, of width: Int, trailing: [Int] = [1, 1]) -> Tensor {
        var values = [Float]()
        values.reserveCapacity(keep * columns)
        for r in 0..<keep { values += t.values[(r * width)..<(r * width + columns)] }
        return Tensor(shape: [keep, columns] + trailing, values: values)
    }
}
