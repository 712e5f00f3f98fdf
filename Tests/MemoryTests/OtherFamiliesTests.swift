import Memory
import Supernets
import Testing

/// Networks built from any `SubnetStructure`: parameters agree with the structure's own count, SE conv biases
/// train under `bias`, and lite residual branches go where `grouped_block_index` puts them.
struct OtherFamiliesTests {
    static let spaces: [SearchSpace] = [.ofaMobileNetV3(widthMult: 1.0), .ofaMobileNetV3(widthMult: 1.2),
                                        .ofaProxylessNAS(widthMult: 1.3), .effnetLite0Elastic()]

    @Test(arguments: spaces)
    func parameterCountsMatchTheStructure(_ space: SearchSpace) {
        for arch in [ArchConfig.max(space), .min(space), .random(space, seed: 7)] {
            let structure = space.subnetStructure(arch)
            let plain = TinyTLSetup(method: .full, insertLiteResidual: false, normalization: .batchNorm, classifierDropout: 0)
            #expect(ProfiledNetwork(TinyTLBackbone(structure), setup: plain, resolution: 224).parameterCount == structure.parameterCount)
        }
    }

    @Test func mobileNetV3BiasTrainsSEBiases() {
        let space = SearchSpace.ofaMobileNetV3(widthMult: 1.0, classes: 102)
        let structure = space.subnetStructure(.max(space))
        let network = ProfiledNetwork(TinyTLBackbone(structure), setup: TinyTLSetup(method: .bias), resolution: 224)
        let se = structure.blocks.filter(\.useSE).reduce(0) { $0 + makeDivisible(Double($1.midChannels / 4)) + $1.midChannels }
        let norms = network.leaves.filter { $0.kind.isNorm }.reduce(0) { $0 + $1.parameters[1].elements }
        #expect(se > 0 && network.trainableParameterCount == se + norms + 1280 * 102 + 102)
        // The SE path runs at 1×1: reduce conv, ReLU mask, expand conv, Hsigmoid.
        let kinds = network.leaves.filter { $0.path.contains(".se.") }.prefix(4).map(\.kind)
        #expect(kinds == [.conv(groups: 1), .reluMask, .conv(groups: 1), .smoothActivation])
    }

    @Test(arguments: spaces)
    func liteResidualOnEveryGroupedBlock(_ space: SearchSpace) {
        let structure = space.subnetStructure(.max(space))
        let network = ProfiledNetwork(TinyTLBackbone(structure), setup: TinyTLSetup(method: .liteResidualBias), resolution: 224)
        let branches = network.leaves.filter { $0.path.hasSuffix("lite_residual.conv1") }.count
        // Groups beyond the six hard-coded strides get none (MobileNetV3 has five groups, the others six).
        #expect(branches == structure.blocks.count - 1)
        #expect(TinyTLMemoryProfiler.profile(network, requireBackward: true).peakActivationBytes > 0)
    }
}
