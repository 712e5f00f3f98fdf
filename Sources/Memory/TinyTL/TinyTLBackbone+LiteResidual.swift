import Supernets

/// One lite residual branch as `insert_lite_residual` configures it for a block.
struct LiteResidualBranch: Equatable {
    var kernel: Int, stride: Int
    /// nil: global average pooling (then the kernel is 1).
    var downsampleRatio: Int?
}

extension TinyTLBackbone {
    /// The lite residual branch of every block that gets one (spec §5.4).
    ///
    /// Concretely, over `groupedBlockIndex` zipped with the group strides S: skipping ZeroLayer blocks,
    /// s = S for a group's first block else 1; res = max(1, R // ratio) from the assumed resolution R before
    /// this block, then R //= s; kernel = maxKernel shrunk by 2 while res < kernel, or 1 with global pooling
    /// when res == 1.
    func liteResidualBranches(_ options: LiteResidualOptions) -> [Int: LiteResidualBranch] {
        var branches: [Int: LiteResidualBranch] = [:]
        var resolution = options.assumedResolution
        for (group, stageStride) in zip(groupedBlockIndex, options.groupStrides) {
            for (position, index) in group.enumerated() where blocks[index].conv != nil {
                let stride = position == 0 ? stageStride : 1
                let res = max(1, resolution / options.downsampleRatio)
                resolution /= stride
                var kernel = options.maxKernel
                var ratio: Int? = options.downsampleRatio
                if res == 1 {
                    kernel = 1; ratio = nil
                } else {
                    while res < kernel { kernel -= 2 }
                }
                branches[index] = LiteResidualBranch(kernel: kernel, stride: stride, downsampleRatio: ratio)
            }
        }
        return branches
    }
}

extension LiteResidualOptions {
    /// Middle channels of a branch on a block with `inChannels`: make_divisible(int(in · expand), 8).
    func midChannels(inChannels: Int) -> Int { makeDivisible(Double(Int(Double(inChannels) * expand))) }
}
