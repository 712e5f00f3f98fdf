import Networks
import Tensors

extension SearchSpace {
    /// EfficientNet-Lite0 made elastic (DESIGN.md §5): its k5 positions take kernel {3, 5} (3 by centre crop),
    /// its 6x blocks take expand {3, 4, 6} (middle channels ordered by importance when the supernet is built),
    /// and each stage may drop trailing blocks: depth {1,2} of 2, {1,2,3} of 3, {2,3,4} of 4 blocks.
    /// ReLU6, no SE, TensorFlow "SAME" padding, BN eps 1e-3, as the ImageNet weights were trained.
    public static func effnetLite0Elastic(classes: Int = 1000) -> SearchSpace {
        let lite = EfficientNetLite0.stages
        var slots: [BlockSlot] = [], stages: [Stage] = []
        for stage in lite.dropFirst() {
            var indices: [Int] = []
            for r in 0..<stage.repeats {
                indices.append(slots.count)
                slots.append(BlockSlot(
                    inChannels: r == 0 ? stage.inChannels : stage.outChannels, outChannels: stage.outChannels,
                    stride: r == 0 ? stage.stride : 1, activation: .relu6, useSE: false,
                    kernelChoices: stage.kernel == 5 ? [3, 5] : [3]))
            }
            let depths = stage.repeats <= 3 ? Array(1...stage.repeats) : Array((stage.repeats - 2)...stage.repeats)
            stages.append(Stage(slots: indices, depthChoices: depths))
        }
        let first = lite[0]
        return SearchSpace(
            family: .effnetLite0Elastic, widthMult: 1.0, classes: classes,
            stem: FixedConv(inChannels: 3, outChannels: EfficientNetLite0.stemChannels, kernel: 3, stride: 2, activation: .relu6, hasBatchNorm: true),
            firstBlock: BlockSlot(inChannels: first.inChannels, outChannels: first.outChannels, stride: 1, activation: .relu6,
                                  useSE: false, kernelChoices: [3]),
            firstBlockHasShortcut: false,
            slots: slots, stages: stages, expandChoices: [3, 4, 6],
            head: .poolAfterFeatureMix(featureMix: FixedConv(inChannels: lite.last!.outChannels, outChannels: EfficientNetLite0.headChannels,
                                                             kernel: 1, stride: 1, activation: .relu6, hasBatchNorm: true)),
            bnEps: EfficientNetLite0.batchNormEps, padding: .tfSame, resolutionRange: 128...224, resolutionStep: 4,
            defaultResolution: EfficientNetLite0.resolution)
    }
}
