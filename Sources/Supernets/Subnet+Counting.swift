extension SubnetStructure {
    /// Multiply-accumulates in millions at `resolution`, as OFA's analytic FLOPs model counts them (spec §4.5):
    /// convs in·out·k²·H_out²/groups (expansion at the input size), SE reduce and expand at 1×1, the
    /// classifier; no BN, activation, pooling, bias or residual costs.
    public func mflops(resolution: Int) -> Double {
        var total = 0.0
        var h = (resolution + firstConv.stride - 1) / firstConv.stride
        total += Double(3 * firstConv.outChannels * 9 * h * h)
        for block in blocks {
            let hOut = (h - 1) / block.stride + 1
            if block.expandRatio != 1 { total += Double(block.inChannels * block.midChannels * h * h) }
            total += Double(block.midChannels * block.kernel * block.kernel * hOut * hOut)
            if block.useSE {
                let se = makeDivisible(Double(block.midChannels / 4))
                total += Double(2 * block.midChannels * se)
            }
            total += Double(block.midChannels * block.outChannels * hOut * hOut)
            h = hOut
        }
        switch head {
        case let .poolBeforeFeatureMix(finalExpand, featureMix):
            total += Double(finalExpand.inChannels * finalExpand.outChannels * h * h)
            total += Double(featureMix.inChannels * featureMix.outChannels)
        case let .poolAfterFeatureMix(featureMix):
            total += Double(featureMix.inChannels * featureMix.outChannels * h * h)
        }
        total += Double(headFeatures * classes)
        return total / 1e6
    }
}

extension SubnetStructure {
    /// Parameters (weights, biases, BN γ and β; not running statistics), as `sum(p.numel() for p in
    /// net.parameters())` counts them for the static subnet.
    public var parameterCount: Int {
        var total = 3 * firstConv.outChannels * 9 + 2 * firstConv.outChannels
        for b in blocks {
            if b.expandRatio != 1 { total += b.inChannels * b.midChannels + 2 * b.midChannels }
            total += b.midChannels * b.kernel * b.kernel + 2 * b.midChannels
            if b.useSE {
                let se = makeDivisible(Double(b.midChannels / 4))
                total += 2 * b.midChannels * se + se + b.midChannels
            }
            total += b.midChannels * b.outChannels + 2 * b.outChannels
        }
        func fixed(_ c: FixedConv) -> Int { c.inChannels * c.outChannels * c.kernel * c.kernel + (c.hasBatchNorm ? 2 * c.outChannels : 0) }
        switch head {
        case let .poolBeforeFeatureMix(finalExpand, featureMix): total += fixed(finalExpand) + fixed(featureMix)
        case let .poolAfterFeatureMix(featureMix): total += fixed(featureMix)
        }
        return total + headFeatures * classes + classes
    }
}
