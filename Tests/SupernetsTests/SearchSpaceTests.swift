import Supernets
import Testing

/// The construction rules against the reference numbers of spec §0.1, §1.2–1.5, §2.2–2.3 and §7.
struct SearchSpaceTests {
    @Test func makeDivisibleMatchesTheReferenceTable() {
        let table: [(Double, Int)] = [(19.2, 24), (28.8, 32), (41.6, 40), (20.8, 24), (31.2, 32), (52, 56), (104, 104),
                                      (124.8, 128), (249.6, 248), (416, 416), (1664, 1664), (134.4, 136), (18, 24), (36, 40), (10, 16)]
        for (v, expected) in table { #expect(makeDivisible(v) == expected, "make_divisible(\(v))") }
    }

    static func count(_ keys: [(name: String, shape: [Int])]) -> Int { keys.reduce(0) { $0 + $1.shape.reduce(1, *) } }

    @Test func keyAndParameterCountsFromConfigurationAlone() {
        let w10 = SearchSpace.ofaMobileNetV3(widthMult: 1.0), w12 = SearchSpace.ofaMobileNetV3(widthMult: 1.2)
        let p13 = SearchSpace.ofaProxylessNAS(widthMult: 1.3)
        #expect(w10.supernetKeys(withBatchCounters: true).count == 475)
        #expect(w12.supernetKeys(withBatchCounters: true).count == 475)
        #expect(p13.supernetKeys(withBatchCounters: true).count == 446)
        // Parameters only (running statistics are buffers): weights, biases, BN affine, transform matrices.
        func parameters(_ s: SearchSpace) -> Int { Self.count(s.supernetKeys().filter { !$0.name.hasSuffix("running_mean") && !$0.name.hasSuffix("running_var") }) }
        #expect(parameters(w10) == 7_678_880)
        #expect(parameters(w12) == 10_715_752)
        #expect(parameters(p13) == 7_956_882)
    }

    @Test func mobileNetV3ChannelTables() {
        let w10 = SearchSpace.ofaMobileNetV3(widthMult: 1.0)
        #expect(w10.stem.outChannels == 16 && w10.firstBlock.outChannels == 16)
        let mids = w10.slots.map { slot in w10.expandChoices.map { w10.midChannels(slot, expand: $0) } }
        #expect(mids[0] == [48, 64, 96] && mids[1] == [72, 96, 144] && mids[4] == [72, 96, 144] && mids[5] == [120, 160, 240])
        #expect(mids[12] == [240, 320, 480] && mids[13] == [336, 448, 672] && mids[19] == [480, 640, 960])
        #expect(w10.seMidChannels(96) == 24 && w10.seMidChannels(144) == 40 && w10.seMidChannels(240) == 64 && w10.seMidChannels(960) == 240)
        let w12 = SearchSpace.ofaMobileNetV3(widthMult: 1.2)
        #expect(w12.stem.outChannels == 24 && w12.slots.map(\.outChannels).last == 192 && w12.headFeatures == 1536)
        #expect(w12.seMidChannels(w12.midChannels(w12.slots[16], expand: 3)) == 104)
        #expect(w12.slots[12].stride == 1 && w12.slots[12].outChannels == 136)
    }

    @Test func proxylessChannelTable() {
        let p = SearchSpace.ofaProxylessNAS(widthMult: 1.3)
        #expect(p.stem.outChannels == 40 && p.firstBlock.outChannels == 24 && !p.firstBlock.hasShortcut)
        #expect(p.slots.map(\.outChannels) == [32, 32, 32, 32, 56, 56, 56, 56, 104, 104, 104, 104, 128, 128, 128, 128, 248, 248, 248, 248, 416])
        #expect(p.slots.map(\.stride) == [2, 1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1])
        #expect(p.expandChoices.map { p.midChannels(p.slots[20], expand: $0) } == [744, 992, 1488])
        #expect(p.headFeatures == 1664 && p.stages.last!.depthChoices == [1])
    }

    @Test func depthKeepsTheFirstBlocksOfEachStage() throws {
        let m = SearchSpace.ofaMobileNetV3()
        let config = ArchConfig(ks: Array(repeating: 3, count: 20), e: Array(repeating: 3, count: 20), d: [2, 2, 2, 2, 2], r: 224)
        #expect(config.activeSlots(in: m) == [0, 1, 4, 5, 8, 9, 12, 13, 16, 17])  // 1 + 10 blocks with blocks.0
        let p = SearchSpace.ofaProxylessNAS()
        let parsed = try ArchConfig.parse(json: #"{"ks": 3, "e": 3, "d": [2, 2, 2, 2, 2, 4]}"#, space: p)
        #expect(parsed.d.last == 1 && parsed.r == 224)  // clamped like the reference's min(len(group), d)
        try parsed.validate(in: p)
    }
}

/// Parameter counts and analytic MFLOPs of min and max subnets (spec §4.5 and §7 items 7–8).
struct SubnetCountingTests {
    @Test func parameterCountsOfMinAndMaxSubnets() {
        for (space, max, min) in [(SearchSpace.ofaMobileNetV3(widthMult: 1.0), 7_664_760, 3_410_792),
                                  (.ofaMobileNetV3(widthMult: 1.2), 10_701_632, 4_602_456),
                                  (.ofaProxylessNAS(widthMult: 1.3), 7_942_056, 3_718_832)] {
            #expect(space.subnetStructure(.max(space)).parameterCount == max, "\(space.name) max")
            #expect(space.subnetStructure(.min(space)).parameterCount == min, "\(space.name) min")
        }
    }

    @Test func analyticMFLOPs() {
        let cases: [(SearchSpace, [Double])] = [
            (.ofaMobileNetV3(widthMult: 1.0), [566.1707, 291.3180, 121.2787, 63.2405]),
            (.ofaMobileNetV3(widthMult: 1.2), [843.1010, 433.5639, 193.0782, 100.3209]),
            (.ofaProxylessNAS(widthMult: 1.3), [1004.9080, 513.5232, 265.5263, 136.2876]),
        ]
        for (space, expected) in cases {
            let got = [space.subnetStructure(.max(space)).mflops(resolution: 224), space.subnetStructure(.max(space)).mflops(resolution: 160),
                       space.subnetStructure(.min(space)).mflops(resolution: 224), space.subnetStructure(.min(space)).mflops(resolution: 160)]
            for (g, e) in zip(got, expected) { #expect(abs(g - e) < 5e-5, "\(space.name): \(g) vs \(e)") }
        }
    }
}
