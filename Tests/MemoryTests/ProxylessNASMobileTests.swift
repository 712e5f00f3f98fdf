import Foundation
import Memory
import Supernets
import Testing

/// ProxylessNAS-Mobile as `tinytl_fgvc_train.py` trains it (lite residual for every method, GN(8) + WS,
/// 102 classes, dropout 0.2, 224 px): spec §5.2, §5.4, §5.6 and the first table of §6.5.
struct ProxylessNASMobileTests {
    static let backbone = TinyTLBackbone.proxylessNASMobile(classes: 102)

    static func network(_ method: TransferMethod) -> ProfiledNetwork {
        ProfiledNetwork(backbone, setup: .trainScript(method), resolution: 224)
    }

    @Test func parameterCountWithTheImageNetHead() {
        let plain = TinyTLSetup(method: .full, insertLiteResidual: false, normalization: .batchNorm, classifierDropout: 0)
        #expect(ProfiledNetwork(.proxylessNASMobile(), setup: plain, resolution: 224).parameterCount == 4_080_512)
    }

    @Test func liteResidualBranches() {
        let net = Self.network(.full)
        #expect(net.parameterCount(in: [.liteResidual, .liteResidualFinalNorm]) == 1_816_416)
        let conv1 = Dictionary(uniqueKeysWithValues: net.leaves.filter { $0.path.hasSuffix("lite_residual.conv1") }.map {
            (Int($0.path.split(separator: ".")[1])!, $0)
        })
        #expect(conv1.keys.sorted() == [1, 2] + Array(5...21), "ZeroLayer blocks 3 and 4 get no branch")
        // conv1 weight [in, in/2, k, k] (§5.4) and its output side at 224 px.
        func expected(_ block: Int) -> (channels: Int, kernel: Int, side: Int) {
            switch block {
            case 1: return (16, 5, 28)
            case 2: return (32, 5, 28)
            case 5: return (32, 5, 14)
            case 6...8: return (40, 5, 14)
            case 9: return (40, 5, 7)
            case 10...13: return (80, 5, 7)
            case 14...16: return (96, 5, 7)
            case 17: return (96, 5, 4)
            default: return (192, 3, 3)
            }
        }
        for (block, leaf) in conv1 {
            let (c, k, side) = expected(block)
            #expect(leaf.parameters.map(\.elements) == [c * (c / 2) * k * k] && leaf.kind == .conv(groups: 2), "block \(block)")
            #expect(leaf.outputElements == c * side * side, "block \(block)")
        }
    }

    @Test func groupNormGroups() {
        let groups = Dictionary(uniqueKeysWithValues: Self.network(.full).leaves.compactMap { leaf -> (String, Int)? in
            if case let .groupNorm(g) = leaf.kind { return (leaf.path, g) } else { return nil }
        })
        #expect(groups["first_conv.bn"] == 4 && groups["blocks.0.conv.point_linear.bn"] == 2)
        #expect(groups["blocks.6.conv.lite_residual.bn1"] == 5 && groups["blocks.13.conv.main_branch.depth_conv.bn"] == 60)
        #expect(groups["blocks.21.conv.main_branch.point_linear.bn"] == 40 && groups["feature_mix_layer.bn"] == 160)
    }

    @Test(arguments: [
        (TransferMethod.full, 4_746_590), (.bnLast, 172_614), (.last, 130_662), (.bias, 151_638),
        (.liteResidual, 1_947_078), (.liteResidualBias, 1_962_310),
    ])
    func trainableCounts(_ method: TransferMethod, _ count: Int) {
        #expect(Self.network(method).trainableParameterCount == count)
    }

    /// (mem batch 8, mem batch 1, param, peak act, grad act) in MB as printed in §6.5.
    @Test(arguments: [
        (TransferMethod.full, ["390.843", "65.468", "18.9864", "46.4821", "46.2442"]),
        (.bnLast, ["192.421", "28.659", "5.2644", "23.3946", "23.1567"]),
        (.last, ["30.829", "8.350", "5.1386", "3.2113", "0.0051"]),
        (.bias, ["31.694", "8.513", "5.2015", "3.3116", "0.6042"]),
        (.liteResidual, ["37.081", "13.899", "10.5878", "3.3116", "2.6664"]),
        (.liteResidualBias, ["37.126", "13.945", "10.6335", "3.3116", "2.6664"]),
    ])
    func memoryTable(_ method: TransferMethod, _ printed: [String]) {
        let cost = TinyTLMemoryProfiler.profile(Self.backbone, setup: .trainScript(method), resolution: 224)
        func mb(_ bytes: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", bytes / 1e6) }
        let actual = [mb(cost.memoryBytes(batchSize: 8), 3), mb(cost.memoryBytes(batchSize: 1), 3), mb(cost.parameterBytes, 4),
                      mb(cost.peakActivationBytes, 4), mb(cost.gradActivationBytes, 4)]
        #expect(actual == printed, "\(method.rawValue)")
    }
}
