import Memory
import Supernets
import Testing

/// Spec §6.4: a one-block ProxylessNASNets at 16×16, bias-only and fully trainable.
struct WorkedExampleTests {
    /// Stem 3→8 k3 s2 BN ReLU6; one MBConv 8→8 k3 e2 (mid 16) with identity shortcut; no feature mix; Linear 8→4.
    static let backbone = TinyTLBackbone(
        firstConv: .init(inChannels: 3, outChannels: 8, kernel: 3, stride: 2, activation: .relu6),
        blocks: [.init(SubnetBlock(inChannels: 8, outChannels: 8, kernel: 3, stride: 1, expandRatio: 2, midChannels: 16,
                                   activation: .relu6, useSE: false, hasShortcut: true), hasShortcut: true)],
        head: .poolOnly, classes: 4)

    static func network(_ method: TransferMethod) -> ProfiledNetwork {
        ProfiledNetwork(backbone, setup: TinyTLSetup(method: method, normalization: .batchNorm, classifierDropout: 0), resolution: 16)
    }

    @Test func biasOnlyLedgerMatchesTheTable() {
        let rows = TinyTLMemoryProfiler.ledger(Self.network(.bias), requireBackward: true).filter { $0.kind != nil }
        // (check = tmp + G + Rs, G after) per leaf, from the table of §6.4.
        let expected: [(String, Float, Float, Float)] = [
            ("first_conv.conv", 5120, 5120, 0), ("first_conv.bn", 2048, 2048, 0), ("first_conv.act", 2048, 2048, 64),
            ("blocks.0.conv.inverted_bottleneck.conv", 6144, 8256, 64), ("blocks.0.conv.inverted_bottleneck.bn", 4096, 6208, 64),
            ("blocks.0.conv.inverted_bottleneck.act", 4096, 6208, 192), ("blocks.0.conv.depth_conv.conv", 4352, 6592, 192),
            ("blocks.0.conv.depth_conv.bn", 4096, 6336, 192), ("blocks.0.conv.depth_conv.act", 4096, 6336, 320),
            ("blocks.0.conv.point_linear.conv", 6144, 8512, 320), ("blocks.0.conv.point_linear.bn", 2048, 4416, 320),
            ("blocks.0.shortcut", 0, 2368, 320), ("global_avg_pool", 0, 320, 320), ("classifier.linear", 48, 368, 352),
        ]
        #expect(rows.map(\.label) == expected.map(\.0))
        for (row, (label, tmp, check, saved)) in zip(rows, expected) {
            #expect(row.tmp == tmp && row.check == check && row.savedTotal == saved, "\(label): \(row)")
        }
    }

    @Test func biasOnlyTotals() {
        let cost = TinyTLMemoryProfiler.profile(Self.network(.bias), requireBackward: true)
        #expect(cost.peakActivationBytes == 8512 && cost.gradActivationBytes == 352)
        #expect(cost.trainableParameterCount == 84 && cost.trainableParameterBytes == 336)
        #expect(cost.frozenParameterCount == 664 && cost.frozenParameterBytes == 664)
        #expect(cost.parameterBytes == 1000 && cost.memoryBytes(batchSize: 8) == 69_096)
    }

    @Test func fullyTrainableTotals() {
        let cost = TinyTLMemoryProfiler.profile(Self.network(.full), requireBackward: true)
        #expect(cost.gradActivationBytes == 25_952 && cost.peakActivationBytes == 27_968)
        #expect(cost.parameterBytes == 2_992 && cost.memoryBytes(batchSize: 8) == 226_736)
    }
}
