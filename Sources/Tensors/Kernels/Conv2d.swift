/// Dense and grouped 2-D convolution, NHWC.
///
/// Concretely: y[n,oy,ox,o] = b[o] + Σ_{ky,kx,i} w[o,ky,kx,i] · x[n, oy·s − padTop + ky, ox·s − padLeft + kx,
/// g·Cin/G + i] with g = o / (Cout/G), out-of-range taps reading zero; then `activation`.
///
/// Layouts: x (N,H,W,Cin), w (O,kh,kw,Cin/groups), bias (O), y (N,Ho,Wo,O).
/// A pointwise conv is one GEMM on the input; a k×k conv whose groups have eight input channels or more is computed
/// directly (`Conv2d+Direct.swift`); every other shape (a stem on three channels) goes through im2col in chunks of
/// `conv2dChunkPixels` output pixels. Scratch: `conv2dScratchCount(geometry)` floats.
/// Depthwise convs have their own kernel (`depthwiseConv2dForward`).
public func conv2dForward(
    _ g: ConvGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
    activation: Activation = .identity, y: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>?
) {
    let cinG = g.inChannels / g.groups, coutG = g.outChannels / g.groups
    let k = g.kernel * g.kernel * cinG
    // The bias goes in first and the GEMMs add onto it: one pass over y instead of OpenBLAS clearing it (beta 0)
    // and a bias pass after.
    if let bias { fillRows(y, rows: g.outputPixels, channels: g.outChannels, with: bias) }
    let beta: Float = bias == nil ? 0 : 1
    if g.isPointwise {
        gemm(transB: true, m: g.outputPixels, n: g.outChannels, k: g.inChannels,
             a: x, lda: g.inChannels, b: weight, ldb: g.inChannels, beta: beta, c: y, ldc: g.outChannels)
    } else {
        guard let scratch else { preconditionFailure("conv2dForward needs scratch for \(g)") }
        if convIsDirect(g) {
            convDirectForward(g, x: x, weight: weight, y: y, zeros: scratch, accumulate: bias != nil)
            biasActivationForward(y, rows: g.outputPixels, channels: g.outChannels, bias: nil, activation: activation)
            return
        }
        var start = 0
        while start < g.outputPixels {
            let rows = Swift.min(conv2dChunkPixels, g.outputPixels - start)
            for group in 0..<g.groups {
                im2col(g, x: x, group: group, firstPixel: start, pixels: rows, columns: scratch)
                gemm(transB: true, m: rows, n: coutG, k: k, a: scratch, lda: k,
                     b: weight + group * coutG * k, ldb: k, beta: beta,
                     c: y + start * g.outChannels + group * coutG, ldc: g.outChannels)
            }
            start += rows
        }
    }
    biasActivationForward(y, rows: g.outputPixels, channels: g.outChannels, bias: nil, activation: activation)
}

/// Output pixels per im2col chunk: bounds scratch while keeping each GEMM large.
public let conv2dChunkPixels = 3136

/// Scratch floats `conv2dForward` needs for `g`: none for a pointwise conv, a row of zeros for a direct one, a
/// chunk's im2col columns otherwise.
public func conv2dScratchCount(_ g: ConvGeometry) -> Int {
    if g.isPointwise { return 0 }
    if convIsDirect(g) { return convDirectZeroCount(g) }
    return Swift.min(conv2dChunkPixels, g.outputPixels) * g.kernel * g.kernel * (g.inChannels / g.groups)
}

/// Copies the receptive fields of `pixels` output pixels starting at `firstPixel` for one group into rows
/// of `columns` (pixels, kh·kw·Cin/groups), zero where the window leaves the input. Rows are split across threads.
func im2col(
    _ g: ConvGeometry, x: UnsafePointer<Float>, group: Int, firstPixel: Int, pixels: Int,
    columns: UnsafeMutablePointer<Float>
) {
    let cinG = g.inChannels / g.groups, rowLength = g.kernel * g.kernel * cinG
    let perImage = g.outHeight * g.outWidth
    Parallelism.forEachChunk(pixels, minChunk: Parallelism.minimumRows(ofLength: rowLength)) { rows in
        for r in rows {
            let p = firstPixel + r
            let n = p / perImage, oy = (p % perImage) / g.outWidth, ox = p % g.outWidth
            var dst = columns + r * rowLength
            for ky in 0..<g.kernel {
                let iy = oy * g.stride - g.padTop + ky
                for kx in 0..<g.kernel {
                    let ix = ox * g.stride - g.padLeft + kx
                    // Inline copies: a tap is 3–64 floats here, where a memmove call costs more than the copy.
                    if iy < 0 || iy >= g.inHeight || ix < 0 || ix >= g.inWidth {
                        fill(dst, with: 0, count: cinG)
                    } else {
                        copy(x + ((n * g.inHeight + iy) * g.inWidth + ix) * g.inChannels + group * cinG, count: cinG, into: dst)
                    }
                    dst += cinG
                }
            }
        }
    }
}

/// Plain loop with the contract of `conv2dForward` (any groups, including depthwise with weights in
/// (O,kh,kw,1)), accumulating in Double. The oracle of the tests.
public func conv2dForwardReference(
    _ g: ConvGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
    activation: Activation = .identity, y: UnsafeMutablePointer<Float>
) {
    let cinG = g.inChannels / g.groups, coutG = g.outChannels / g.groups
    for n in 0..<g.batch {
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                for o in 0..<g.outChannels {
                    let group = o / coutG
                    var s = Double(bias?[o] ?? 0)
                    for ky in 0..<g.kernel {
                        let iy = oy * g.stride - g.padTop + ky
                        guard iy >= 0 && iy < g.inHeight else { continue }
                        for kx in 0..<g.kernel {
                            let ix = ox * g.stride - g.padLeft + kx
                            guard ix >= 0 && ix < g.inWidth else { continue }
                            for i in 0..<cinG {
                                let xv = x[((n * g.inHeight + iy) * g.inWidth + ix) * g.inChannels + group * cinG + i]
                                let wv = weight[((o * g.kernel + ky) * g.kernel + kx) * cinG + i]
                                s += Double(xv) * Double(wv)
                            }
                        }
                    }
                    y[((n * g.outHeight + oy) * g.outWidth + ox) * g.outChannels + o] = activation(Float(s))
                }
            }
        }
    }
}

// MARK: - Backward

// Every kernel here **accumulates** (`+=`) into its gradient buffer; the caller zeroes once per step. With
// `accumulate: false` (pointwise and direct dx, dw, db) they overwrite it instead: the same bits as accumulating
// onto zeros.
// `dy` is the gradient of the conv's output *before* any fused bias/activation: run
// `activationBackward`/`reluBackward` first.

/// Gradient of a dense or grouped conv with respect to its input: dx += conv2dᵀ(dy, w).
///
/// Concretely: dx[n,iy,ix,g·Cin/G + i] += Σ_{o∈g, ky, kx : iy = oy·s − padTop + ky, ix = ox·s − padLeft + kx}
/// w[o,ky,kx,i] · dy[n,oy,ox,o]. A pointwise conv is one GEMM, dx (P,Cin) += dy (P,O) · w (O,Cin); a direct one
/// (`Conv2d+Direct.swift`) gathers each input pixel's taps; every other shape computes columns
/// (pixels, kh·kw·Cin/G) = dy_g · w_g per chunk of `conv2dChunkPixels` output pixels and group, then scatter-adds
/// them into dx (col2im), for both padding modes (taps that fall in the padding are dropped).
///
/// Layouts: dy (N,Ho,Wo,O), w (O,kh,kw,Cin/groups), dx (N,H,W,Cin).
/// - Parameters:
///   - scratch: `conv2dBackwardScratchCount(g, input: true, …)` floats (nil for a pointwise conv).
///   - accumulate: false overwrites dx (pointwise and direct convs only: col2im scatters onto dx).
/// - Complexity: 2·P·O·kh·kw·Cin/G flops (the forward's; a direct conv skips the taps in the padding), plus
///   P·kh·kw·Cin/G adds for col2im.
public func conv2dBackwardInput(
    _ g: ConvGeometry, dy: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>?, accumulate: Bool = true
) {
    let cinG = g.inChannels / g.groups, coutG = g.outChannels / g.groups
    let k = g.kernel * g.kernel * cinG
    if g.isPointwise {
        gemm(m: g.outputPixels, n: g.inChannels, k: g.outChannels, a: dy, lda: g.outChannels,
             b: weight, ldb: g.inChannels, beta: accumulate ? 1 : 0, c: dx, ldc: g.inChannels)
        return
    }
    guard let scratch else { preconditionFailure("conv2dBackwardInput needs scratch for \(g)") }
    if convIsDirect(g) {
        convDirectBackwardInput(g, dy: dy, weight: weight, dx: dx, zeros: scratch, accumulate: accumulate)
        return
    }
    precondition(accumulate, "conv2dBackwardInput overwrites dx for pointwise and direct convs only: \(g)")
    var start = 0
    while start < g.outputPixels {
        let rows = Swift.min(conv2dChunkPixels, g.outputPixels - start)
        for group in 0..<g.groups {
            gemm(m: rows, n: k, k: coutG, a: dy + start * g.outChannels + group * coutG, lda: g.outChannels,
                 b: weight + group * coutG * k, ldb: k, c: scratch, ldc: k)
            col2im(g, columns: scratch, group: group, firstPixel: start, pixels: rows, dx: dx)
        }
        start += rows
    }
}

/// The transpose of `im2col`: adds each row of `columns` (pixels, kh·kw·Cin/G) back onto the input
/// positions it was read from, skipping taps in the padding. Windows overlap, so threads split the group's
/// channels in slices of 16 floats (a cache line's worth, so the threads seldom write one line): disjoint writes,
/// each value's sum in the same order whatever the split.
func col2im(
    _ g: ConvGeometry, columns: UnsafePointer<Float>, group: Int, firstPixel: Int, pixels: Int,
    dx: UnsafeMutablePointer<Float>
) {
    let cinG = g.inChannels / g.groups, rowLength = g.kernel * g.kernel * cinG
    let perImage = g.outHeight * g.outWidth
    let slices = (cinG + 15) / 16
    Parallelism.forEachChunk(slices, minChunk: pixels * rowLength >= 1 << 15 ? 1 : slices) { range in
        let c0 = range.lowerBound * 16, width = Swift.min(range.upperBound * 16, cinG) - c0
        for r in 0..<pixels {
            let p = firstPixel + r
            let n = p / perImage, oy = (p % perImage) / g.outWidth, ox = p % g.outWidth
            var src = columns + r * rowLength
            for ky in 0..<g.kernel {
                let iy = oy * g.stride - g.padTop + ky
                for kx in 0..<g.kernel {
                    let ix = ox * g.stride - g.padLeft + kx
                    if iy >= 0 && iy < g.inHeight && ix >= 0 && ix < g.inWidth {
                        addInPlace(dx + ((n * g.inHeight + iy) * g.inWidth + ix) * g.inChannels + group * cinG + c0, src + c0, count: width)
                    }
                    src += cinG
                }
            }
        }
    }
}

/// Gradient of a dense or grouped conv with respect to its weight: dw += dyᵀ · im2col(x).
///
/// Concretely: dw[o,ky,kx,i] += Σ_{n,oy,ox} dy[n,oy,ox,o] · x[n, oy·s − padTop + ky, ox·s − padLeft + kx, g·Cin/G + i]
/// (zero outside the input). A pointwise conv is one GEMM, dw (O,Cin) += dyᵀ (O,P) · x (P,Cin); a direct one sums
/// each tap over the pixels it reaches; every other shape rebuilds the im2col columns of each chunk and group and
/// adds dy_gᵀ · columns.
///
/// Layouts: x (N,H,W,Cin), dy (N,Ho,Wo,O), dw (O,kh,kw,Cin/groups).
/// - Parameters:
///   - scratch: `conv2dBackwardScratchCount(g, input: false, weight: true)` floats (nil for pointwise and direct
///     convs).
///   - accumulate: false overwrites dw.
/// - Complexity: 2·P·O·kh·kw·Cin/G flops.
public func conv2dBackwardWeight(
    _ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
    dweight: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>?, accumulate: Bool = true
) {
    let cinG = g.inChannels / g.groups, coutG = g.outChannels / g.groups
    let k = g.kernel * g.kernel * cinG
    if g.isPointwise {
        gemmTransA(m: g.outChannels, n: g.inChannels, k: g.outputPixels, a: dy, lda: g.outChannels,
                   b: x, ldb: g.inChannels, c: dweight, ldc: g.inChannels, accumulate: accumulate)
        return
    }
    if convIsDirect(g) {
        convDirectBackwardWeight(g, x: x, dy: dy, dweight: dweight, accumulate: accumulate)
        return
    }
    guard let scratch else { preconditionFailure("conv2dBackwardWeight needs scratch for \(g)") }
    var start = 0
    while start < g.outputPixels {
        let rows = Swift.min(conv2dChunkPixels, g.outputPixels - start)
        for group in 0..<g.groups {
            im2col(g, x: x, group: group, firstPixel: start, pixels: rows, columns: scratch)
            gemmTransA(m: coutG, n: k, k: rows, a: dy + start * g.outChannels + group * coutG,
                       lda: g.outChannels, b: scratch, ldb: k, c: dweight + group * coutG * k, ldc: k,
                       accumulate: accumulate || start > 0)
        }
        start += rows
    }
}

/// Scratch floats of `conv2dBackward` for `g`: a direct conv's row of zeros for the input gradient (its weight
/// gradient needs none), or for an im2col one a column buffer (`conv2dScratchCount`).
public func conv2dBackwardScratchCount(_ g: ConvGeometry, input: Bool, weight: Bool) -> Int {
    if g.isPointwise { return 0 }
    if convIsDirect(g) { return input ? convDirectZeroCount(g) : 0 }
    return input || weight ? conv2dScratchCount(g) : 0
}

/// Whether `conv2dBackward` may run the input and the weight gradient of `g` side by side, one thread each: pointwise
/// convs whose output holds at most 1 M floats (a lite residual branch's 1×1 conv). Split GEMM by GEMM, these move
/// much of their data between the cores' caches; whole, each half stays in one cache. (Direct convs' two gradients
/// take unequal times, and each splits well on its own: they run one after the other.)
public func conv2dBackwardSideBySide(_ g: ConvGeometry) -> Bool {
    g.isPointwise && g.outputPixels * g.outChannels <= 1 << 20
}

/// `conv2dBackwardInput` (when `dx` is given) and `conv2dBackwardWeight` (when `dweight` is) of one conv, with the
/// same results. With `sideBySide` and both asked for, they run side by side on two threads (their kernels
/// single-threaded inside).
/// - Parameters:
///   - x: the conv's input (needed for the weight gradient only).
///   - scratch: `conv2dBackwardScratchCount(g, input: dx != nil, weight: dweight != nil)` floats (nil for a
///     pointwise conv).
/// - Precondition: `sideBySide` only where `conv2dBackwardSideBySide(g)`.
public func conv2dBackward(
    _ g: ConvGeometry, x: UnsafePointer<Float>?, dy: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>?, accumulateInput: Bool = true,
    dweight: UnsafeMutablePointer<Float>?, accumulateWeight: Bool = true, scratch: UnsafeMutablePointer<Float>?,
    sideBySide: Bool
) {
    precondition(!sideBySide || conv2dBackwardSideBySide(g), "conv2dBackward: \(g) is too large to run side by side")
    func input() {
        if let dx { conv2dBackwardInput(g, dy: dy, weight: weight, dx: dx, scratch: scratch, accumulate: accumulateInput) }
    }
    func weightGradient() {
        guard let dweight else { return }
        guard let x else { preconditionFailure("conv2dBackward: the weight gradient needs x") }
        conv2dBackwardWeight(g, x: x, dy: dy, dweight: dweight, scratch: scratch, accumulate: accumulateWeight)
    }
    guard dx != nil && dweight != nil && sideBySide else {
        input(); weightGradient()
        return
    }
    Parallelism.forEachChunk(2) { halves in
        for half in halves { if half == 0 { input() } else { weightGradient() } }
    }
}

/// Gradient of a conv with respect to its bias: db[o] += Σ_{n,oy,ox} dy[n,oy,ox,o].
///
/// Layouts: dy (N,Ho,Wo,O), db (O). Sums in Float over blocks of 64 pixels, then in Double.
public func conv2dBackwardBias(_ g: ConvGeometry, dy: UnsafePointer<Float>, dbias: UnsafeMutablePointer<Float>, accumulate: Bool = true) {
    channelSums(dy, rows: g.outputPixels, channels: g.outChannels, into: dbias, accumulate: accumulate)
}

// MARK: - Reference loops (the oracles of the tests)

/// Plain loop with the contract of `conv2dBackwardInput` (any groups), accumulating in Double.
public func conv2dBackwardInputReference(
    _ g: ConvGeometry, dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>
) {
    let cinG = g.inChannels / g.groups, coutG = g.outChannels / g.groups
    var acc = [Double](repeating: 0, count: g.inputCount)
    for n in 0..<g.batch {
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                for o in 0..<g.outChannels {
                    let group = o / coutG
                    let d = Double(dy[((n * g.outHeight + oy) * g.outWidth + ox) * g.outChannels + o])
                    for ky in 0..<g.kernel {
                        let iy = oy * g.stride - g.padTop + ky
                        guard iy >= 0 && iy < g.inHeight else { continue }
                        for kx in 0..<g.kernel {
                            let ix = ox * g.stride - g.padLeft + kx
                            guard ix >= 0 && ix < g.inWidth else { continue }
                            for i in 0..<cinG {
                                let wv = weight[((o * g.kernel + ky) * g.kernel + kx) * cinG + i]
                                acc[((n * g.inHeight + iy) * g.inWidth + ix) * g.inChannels + group * cinG + i] += Double(wv) * d
                            }
                        }
                    }
                }
            }
        }
    }
    for i in 0..<acc.count { dx[i] += Float(acc[i]) }
}

/// Plain loop with the contract of `conv2dBackwardWeight` (any groups), accumulating in Double.
public func conv2dBackwardWeightReference(
    _ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dweight: UnsafeMutablePointer<Float>
) {
    let cinG = g.inChannels / g.groups, coutG = g.outChannels / g.groups
    var acc = [Double](repeating: 0, count: g.weightCount)
    for n in 0..<g.batch {
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                for o in 0..<g.outChannels {
                    let group = o / coutG
                    let d = Double(dy[((n * g.outHeight + oy) * g.outWidth + ox) * g.outChannels + o])
                    for ky in 0..<g.kernel {
                        let iy = oy * g.stride - g.padTop + ky
                        guard iy >= 0 && iy < g.inHeight else { continue }
                        for kx in 0..<g.kernel {
                            let ix = ox * g.stride - g.padLeft + kx
                            guard ix >= 0 && ix < g.inWidth else { continue }
                            for i in 0..<cinG {
                                let xv = x[((n * g.inHeight + iy) * g.inWidth + ix) * g.inChannels + group * cinG + i]
                                acc[((o * g.kernel + ky) * g.kernel + kx) * cinG + i] += Double(xv) * d
                            }
                        }
                    }
                }
            }
        }
    }
    for i in 0..<acc.count { dweight[i] += Float(acc[i]) }
}

/// Plain loop with the contract of `conv2dBackwardBias`, accumulating in Double.
public func conv2dBackwardBiasReference(_ g: ConvGeometry, dy: UnsafePointer<Float>, dbias: UnsafeMutablePointer<Float>) {
    channelSumsReference(dy, rows: g.outputPixels, channels: g.outChannels, into: dbias)
}
