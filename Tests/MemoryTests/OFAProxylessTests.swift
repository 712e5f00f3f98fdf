import Memory
import Supernets
import Testing

/// The OFA-Proxyless w1.3 rows of spec §6.5: extracted subnets, lite residual for L+B only, GN(8), 102-class
/// head with dropout 0.2, batch 8; bytes as printed (truncated integers).
struct OFAProxylessTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var subnet: String, method: TransferMethod, resolution: Int
        var trainable: Int, paramBytes: Int, peakBytes: Int, gradBytes: Int, memoryBytes: Int
        var testDescription: String { "\(subnet) \(method.rawValue) @\(resolution)" }
    }

    static let space = SearchSpace.ofaProxylessNAS(widthMult: 1.3, classes: 102)

    static func arch(_ name: String) -> ArchConfig {
        switch name {
        case "max": return .max(space)
        case "min": return .min(space)
        default: return ArchConfig(ks: space.slots.map { _ in 5 }, e: space.slots.map { _ in 4 }, d: [3, 3, 3, 3, 3, 1], r: 224)
        }
    }

    @Test(arguments: [
        Row(subnet: "max", method: .last, resolution: 224, trainable: 169_830, paramBytes: 6_956_376, peakBytes: 8_429_568, gradBytes: 6_656, memoryBytes: 74_392_920),
        Row(subnet: "max", method: .bias, resolution: 224, trainable: 201_838, paramBytes: 7_052_400, peakBytes: 8_555_008, gradBytes: 1_540_552, memoryBytes: 75_492_464),
        Row(subnet: "max", method: .liteResidualBias, resolution: 224, trainable: 3_326_590, paramBytes: 19_554_096, peakBytes: 8_555_008, gradBytes: 4_965_651, memoryBytes: 87_994_160),
        Row(subnet: "max", method: .liteResidualBias, resolution: 128, trainable: 3_326_590, paramBytes: 19_554_096, peakBytes: 2_793_472, gradBytes: 1_641_120, memoryBytes: 41_901_872),
        Row(subnet: "max", method: .full, resolution: 224, trainable: 6_446_886, paramBytes: 25_787_544, peakBytes: 109_326_824, gradBytes: 109_017_528, memoryBytes: 900_402_136),
        Row(subnet: "min", method: .liteResidualBias, resolution: 224, trainable: 1_778_190, paramBytes: 9_157_864, peakBytes: 4_942_336, gradBytes: 2_362_035, memoryBytes: 48_696_552),
        Row(subnet: "mid", method: .liteResidualBias, resolution: 224, trainable: 2_548_958, paramBytes: 13_569_104, peakBytes: 6_146_560, gradBytes: 3_496_851, memoryBytes: 62_741_584),
    ])
    func referenceRow(_ row: Row) {
        let backbone = TinyTLBackbone(Self.space.subnetStructure(Self.arch(row.subnet)))
        let network = ProfiledNetwork(backbone, setup: TinyTLSetup(method: row.method), resolution: row.resolution)
        let cost = TinyTLMemoryProfiler.profile(network, requireBackward: row.method.requiresBackward)
        #expect(network.trainableParameterCount == row.trainable)
        #expect(Int(cost.parameterBytes) == row.paramBytes)
        #expect(Int(cost.peakActivationBytes) == row.peakBytes)
        #expect(Int(cost.gradActivationBytes) == row.gradBytes)
        #expect(Int(cost.memoryBytes(batchSize: 8)) == row.memoryBytes)
    }

    /// The max `last` peak is block 1's expansion conv: 24·112²·4 + 144·112²·4 (§6.5 note).
    @Test func lastPeakIsTheFirstExpansion() {
        let network = ProfiledNetwork(TinyTLBackbone(Self.space.subnetStructure(.max(Self.space))), setup: TinyTLSetup(method: .last), resolution: 224)
        let peak = TinyTLMemoryProfiler.ledger(network, requireBackward: false).first { $0.check == 8_429_568 }
        #expect(peak?.label == "blocks.1.conv.inverted_bottleneck.conv")
    }

    /// The reference sums in float32: summing in Double would give 109,017,544 / 109,326,840 for max full.
    @Test func totalsAreFloat32() {
        let network = ProfiledNetwork(TinyTLBackbone(Self.space.subnetStructure(.max(Self.space))), setup: TinyTLSetup(method: .full), resolution: 224)
        var saved = 0.0
        for row in TinyTLMemoryProfiler.ledger(network, requireBackward: true) { saved += Double(row.grad) }
        #expect(saved == 109_017_544)
        #expect(TinyTLMemoryProfiler.profile(network, requireBackward: true).gradActivationBytes == 109_017_528)
    }
}
