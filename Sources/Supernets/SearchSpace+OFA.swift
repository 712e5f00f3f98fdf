import Tensors

extension SearchSpace {
    /// OFA-MobileNetV3 (`OFAMobileNetV3`, spec §1): ks {3,5,7}, e {3,4,6}, d {2,3,4}, BN eps 1e-5.
    public static func ofaMobileNetV3(widthMult: Double = 1.0, classes: Int = 1000) -> SearchSpace {
        let base = [16, 16, 24, 40, 80, 112, 160, 960, 1280]
        let w = base.map { makeDivisible(Double($0) * widthMult) }
        let strides = [2, 2, 2, 1, 2], acts: [Activation] = [.relu, .relu, .hswish, .hswish, .hswish]
        let se = [false, true, false, true, true]
        var slots: [BlockSlot] = [], stages: [Stage] = []
        var cin = w[1]
        for s in 0..<5 {
            var indices: [Int] = []
            for b in 0..<4 {
                indices.append(slots.count)
                slots.append(BlockSlot(inChannels: cin, outChannels: w[s + 2], stride: b == 0 ? strides[s] : 1,
                                       activation: acts[s], useSE: se[s], kernelChoices: [3, 5, 7]))
                cin = w[s + 2]
            }
            stages.append(Stage(slots: indices, depthChoices: [2, 3, 4]))
        }
        return SearchSpace(
            family: .ofaMobileNetV3, widthMult: widthMult, classes: classes,
            stem: FixedConv(inChannels: 3, outChannels: w[0], kernel: 3, stride: 2, activation: .hswish, hasBatchNorm: true),
            firstBlock: BlockSlot(inChannels: w[0], outChannels: w[1], stride: 1, activation: .relu, useSE: false, kernelChoices: [3]),
            firstBlockHasShortcut: w[0] == w[1],
            slots: slots, stages: stages, expandChoices: [3, 4, 6],
            head: .poolBeforeFeatureMix(
                finalExpand: FixedConv(inChannels: w[6], outChannels: w[7], kernel: 1, stride: 1, activation: .hswish, hasBatchNorm: true),
                featureMix: FixedConv(inChannels: w[7], outChannels: w[8], kernel: 1, stride: 1, activation: .hswish, hasBatchNorm: false)),
            bnEps: 1e-5, padding: .symmetric, resolutionRange: 128...224, resolutionStep: 4, defaultResolution: 224)
    }

    /// OFA-ProxylessNAS (`OFAProxylessNASNets`, spec §2): 21 positions, the last stage a single block
    /// (depth 1), all ReLU6, no SE, BN eps 1e-3.
    public static func ofaProxylessNAS(widthMult: Double = 1.3, classes: Int = 1000) -> SearchSpace {
        let base = [32, 16, 24, 40, 80, 96, 192, 320, 1280]
        let md = { (v: Int) in makeDivisible(Double(v) * widthMult) }
        let stemWidth = md(base[0]), firstWidth = md(base[1]), last = md(base[8])
        let widths = base[2..<8].map(md)
        let strides = [2, 2, 2, 1, 2, 1], counts = [4, 4, 4, 4, 4, 1]
        var slots: [BlockSlot] = [], stages: [Stage] = []
        var cin = firstWidth
        for s in 0..<6 {
            var indices: [Int] = []
            for b in 0..<counts[s] {
                indices.append(slots.count)
                slots.append(BlockSlot(inChannels: cin, outChannels: widths[s], stride: b == 0 ? strides[s] : 1,
                                       activation: .relu6, useSE: false, kernelChoices: [3, 5, 7]))
                cin = widths[s]
            }
            stages.append(Stage(slots: indices, depthChoices: counts[s] == 1 ? [1] : [2, 3, 4]))
        }
        return SearchSpace(
            family: .ofaProxylessNAS, widthMult: widthMult, classes: classes,
            stem: FixedConv(inChannels: 3, outChannels: stemWidth, kernel: 3, stride: 2, activation: .relu6, hasBatchNorm: true),
            firstBlock: BlockSlot(inChannels: stemWidth, outChannels: firstWidth, stride: 1, activation: .relu6, useSE: false, kernelChoices: [3]),
            firstBlockHasShortcut: false,
            slots: slots, stages: stages, expandChoices: [3, 4, 6],
            head: .poolAfterFeatureMix(featureMix: FixedConv(inChannels: widths[5], outChannels: last, kernel: 1, stride: 1,
                                                             activation: .relu6, hasBatchNorm: true)),
            bnEps: 1e-3, padding: .symmetric, resolutionRange: 128...224, resolutionStep: 4, defaultResolution: 224)
    }
}
