import Supernets
import Tensors

/// One lite residual branch as `insert_lite_residual` configures it for a block (spec §5.3–§5.4).
struct LiteResidualBranch: Equatable {
    var kernel: Int, stride: Int
}

/// The reference's fixed settings: expand 1, max kernel 5, groups 2, ReLU, avg-pool 2, bilinear up-sampling,
/// and the hard-coded resolution 128 and group strides [2, 2, 2, 1, 2, 1] of the kernel rule.
enum LiteResidualRule {
    static let assumedResolution = 128, downsampleRatio = 2, maxKernel = 5, groups = 2
    static let groupStrides = [2, 2, 2, 1, 2, 1]
}

/// The branch of every block that gets one, by block index (spec §5.4).
///
/// Concretely, over `grouped_block_index` (blocks[1...] split before every block without shortcut) zipped with
/// the group strides S: s = S for a group's first block else 1; res = max(1, R // 2) from the assumed resolution R
/// before this block, then R //= s; kernel 5 shrunk by 2 while res < kernel. The reference inserts branches into
/// ProxylessNAS nets only (others raise NotImplementedError); we apply the same rule to every family, as
/// `Memory`'s formula does. A branch with res == 1 (global pooling, kernel 1) cannot occur from 128.
func liteResidualBranches(_ s: SubnetStructure) -> [Int: LiteResidualBranch] {
    var groups: [[Int]] = [], current: [Int] = []
    for i in s.blocks.indices.dropFirst() {
        if !s.blocks[i].hasShortcut && !current.isEmpty { groups.append(current); current = [] }
        current.append(i)
    }
    if !current.isEmpty { groups.append(current) }
    var branches: [Int: LiteResidualBranch] = [:]
    var resolution = LiteResidualRule.assumedResolution
    for (group, stageStride) in zip(groups, LiteResidualRule.groupStrides) {
        for (position, index) in group.enumerated() {
            let stride = position == 0 ? stageStride : 1
            let res = max(1, resolution / LiteResidualRule.downsampleRatio)
            resolution /= stride
            precondition(res > 1, "lite residual with global pooling is not supported (assumed resolution \(res))")
            var kernel = LiteResidualRule.maxKernel
            while res < kernel { kernel -= 2 }
            branches[index] = LiteResidualBranch(kernel: kernel, stride: stride)
        }
    }
    return branches
}

extension GraphBuilder {
    /// A fresh lite residual branch on `blockInput`, added to the block's main output `main` (before the shortcut).
    ///
    /// Concretely (`LiteResidualModule`): avg-pool 2 (floor) → conv1 (k, stride = block stride, groups 2, no bias,
    /// he_fout N(0, √(2/(k²·mid)))) → bn1 → ReLU → conv2 1x1 (he_fout) → final_bn → bilinear resize to `main` → add.
    /// Fresh batch norms: mean 0, var 1, γ 1 (final_bn γ 0, so the branch starts at exactly 0), β 0.
    mutating func liteResidual(_ p: String, _ branch: LiteResidualBranch, inChannels: Int, outChannels: Int,
                               blockInput: Int, main: Int) -> Int {
        let mid = makeDivisible(Double(inChannels)), k = branch.kernel
        func heFout(_ count: Int, kernel: Int, out: Int) -> [Float] {
            guard drawsFreshWeights else { return [Float](repeating: 0, count: count) }
            let std = (2 / Float(kernel * kernel * out)).squareRoot()
            return (0..<count).map { _ in normal() * std }
        }
        func fresh(_ c: Int, gamma: Float) -> (gamma: [Float], beta: [Float], mean: [Float], variance: [Float]) {
            ([Float](repeating: gamma, count: c), [Float](repeating: 0, count: c), [Float](repeating: 0, count: c),
             [Float](repeating: 1, count: c))
        }
        let pooled = append("\(p).pooling", .avgPool(kernel: LiteResidualRule.downsampleRatio, stride: LiteResidualRule.downsampleRatio),
                            [blockInput])
        let conv1Weight = heFout(mid * (inChannels / LiteResidualRule.groups) * k * k, kernel: k, out: mid)
        var x = convBN("\(p).conv1", bn: "\(p).bn1",
                       ConvShape(inChannels: inChannels, outChannels: mid, kernel: k, stride: branch.stride, activation: .relu, hasBatchNorm: true),
                       groups: LiteResidualRule.groups, padding: .symmetric, torchWeight: conv1Weight, bnValues: fresh(mid, gamma: 1),
                       section: .liteResidual, input: pooled)
        let conv2Weight = heFout(outChannels * mid, kernel: 1, out: outChannels)
        x = convBN("\(p).conv2", bn: "\(p).final_bn",
                   ConvShape(inChannels: mid, outChannels: outChannels, kernel: 1, stride: 1, activation: .identity, hasBatchNorm: true),
                   padding: .symmetric, torchWeight: conv2Weight, bnValues: fresh(outChannels, gamma: 0),
                   section: .liteResidual, bnSection: .liteResidualFinalNorm, input: x)
        x = append("\(p).upsample", .resize(like: main), [x])
        return append("\(p).add", .add, [main, x])
    }
}
