import Tensors

extension TrainingGraph {
    /// Output channels per weight block when op `i` runs over its weight a block at a time
    /// (`conv2dPointwiseForwardBlocked`, `conv2dPointwiseBackwardInputBlocked`): a pointwise conv over `geometry`,
    /// not weight-standardised, whose weight is larger than one block (`pointwiseWeightBlockRows`). Nil when the op
    /// reads its weight whole. Planner (scratch of one block for an 8-bit weight) and trainer read this one rule.
    func weightBlockRows(op i: Int, _ geometry: ConvGeometry?) -> Int? {
        guard case .conv(let c) = ops[i].kind, let g = geometry, g.isPointwise, !c.standardize else { return nil }
        let rows = pointwiseWeightBlockRows(outChannels: c.outChannels, inChannels: c.inChannels, blockFloats: weightBlockFloats)
        return rows < c.outChannels ? rows : nil
    }

    /// Output channels of op `i`'s weight (the rows of its (O, …) layout).
    func weightOutChannels(op i: Int) -> Int {
        switch ops[i].kind {
        case .conv(let c): return c.outChannels
        case .depthwise(let d): return d.channels
        case .linear(let l): return l.outFeatures
        default: preconditionFailure("\(ops[i].name) has no weight rows")
        }
    }
}
