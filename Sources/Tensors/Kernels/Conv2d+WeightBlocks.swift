/// Pointwise convs over their weight a block of output channels at a time: what lets a compressed (8-bit) frozen
/// weight be expanded into a scratch of one block instead of the whole tensor.
///
/// Concretely, with W (O, Cin) split into row blocks B = [o₀, o₀ + r): the forward computes y[:, B] = x · W_Bᵀ per
/// block (every output element is the same dot product over Cin as in `conv2dForward`), then adds the bias; the input
/// gradient sums dx += dy[:, B] · W_B over the blocks (the sum over O in blocks of r rows). `weightRows(first, count)`
/// hands the kernel rows first..<first + count of W in (O, Cin) layout, valid until the next call.

/// Floats of one weight block of a pointwise conv (256 KB).
public let pointwiseWeightBlockFloats = 65_536

/// Output channels per weight block of a pointwise conv with `inChannels` inputs and blocks of at most
/// `blockFloats` floats: at least one, at most `outChannels` (then the weight is one block).
public func pointwiseWeightBlockRows(outChannels: Int, inChannels: Int, blockFloats: Int = pointwiseWeightBlockFloats) -> Int {
    Swift.min(outChannels, Swift.max(1, blockFloats / Swift.max(inChannels, 1)))
}

/// `conv2dForward` of a pointwise conv (`g.isPointwise`) over weight blocks of `blockRows` output channels.
public func conv2dPointwiseForwardBlocked(
    _ g: ConvGeometry, x: UnsafePointer<Float>, bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>,
    blockRows: Int, weightRows: (_ first: Int, _ count: Int) -> UnsafePointer<Float>
) {
    precondition(g.isPointwise && blockRows >= 1, "blocked weights are for pointwise convs")
    if let bias { fillRows(y, rows: g.outputPixels, channels: g.outChannels, with: bias) }
    var first = 0
    while first < g.outChannels {
        let count = Swift.min(blockRows, g.outChannels - first)
        gemm(transB: true, m: g.outputPixels, n: count, k: g.inChannels, a: x, lda: g.inChannels,
             b: weightRows(first, count), ldb: g.inChannels, beta: bias == nil ? 0 : 1, c: y + first, ldc: g.outChannels)
        first += count
    }
}

/// `conv2dBackwardInput` of a pointwise conv over weight blocks of `blockRows` output channels: dx += dy · W
/// (`accumulate`, else dx = dy · W).
public func conv2dPointwiseBackwardInputBlocked(
    _ g: ConvGeometry, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, accumulate: Bool = true,
    blockRows: Int, weightRows: (_ first: Int, _ count: Int) -> UnsafePointer<Float>
) {
    precondition(g.isPointwise && blockRows >= 1, "blocked weights are for pointwise convs")
    var first = 0
    while first < g.outChannels {
        let count = Swift.min(blockRows, g.outChannels - first)
        gemm(m: g.outputPixels, n: g.inChannels, k: count, a: dy + first, lda: g.outChannels,
             b: weightRows(first, count), ldb: g.inChannels, beta: accumulate || first > 0 ? 1 : 0, c: dx, ldc: g.inChannels)
        first += count
    }
}
