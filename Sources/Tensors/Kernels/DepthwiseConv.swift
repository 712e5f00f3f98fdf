/// Depthwise 2-D convolution, NHWC, vectorised over channels.
///
/// Concretely: y[n,oy,ox,c] = b[c] + Σ_{ky,kx} w[ky,kx,c] · x[n, oy·s − padTop + ky, ox·s − padLeft + kx, c],
/// out-of-range taps reading zero; then `activation`.
///
/// Layouts: x (N,H,W,C), w (kh,kw,C) — the engine's layout, so that eight channels load at once
/// (PyTorch stores (C,1,kh,kw); see `WeightLayout`), bias (C), y (N,Ho,Wo,C).
/// Output rows are split across threads.
public func depthwiseConv2dForward(
    _ g: ConvGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
    activation: Activation = .identity, y: UnsafeMutablePointer<Float>
) {
    precondition(g.isDepthwise, "depthwiseConv2dForward needs groups == channels: \(g)")
    activation.specialize(DepthwiseRows(g: g, x: x, weight: weight, bias: bias, y: y))
}

private struct DepthwiseRows: ActivationSpecialized {
    let g: ConvGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?
    let y: UnsafeMutablePointer<Float>

    func run<A: ActivationFunction>(_ activation: A.Type) {
        Parallelism.forEachChunk(g.batch * g.outHeight) { rows in
            for row in rows {
                depthwiseRow(g, row: row, x: x, weight: weight, bias: bias, activation: A.self, y: y)
            }
        }
    }
}

/// One output row (n, oy) of `depthwiseConv2dForward`. Every geometry value is a local constant so that
/// the compiler keeps them in registers across the stores through `y`.
@inline(__always)
private func depthwiseRow<A: ActivationFunction>(
    _ g: ConvGeometry, row: Int, x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
    activation: A.Type, y: UnsafeMutablePointer<Float>
) {
    let c = g.inChannels, k = g.kernel, s = g.stride, inH = g.inHeight, inW = g.inWidth, outW = g.outWidth
    let n = row / g.outHeight, oy = row % g.outHeight
    let iy0 = oy * s - g.padTop
    let kyLo = Swift.max(0, -iy0), kyHi = Swift.min(k, inH - iy0)
    let image = x + n * inH * inW * c
    // Four output pixels at a time where all their taps lie inside the input's columns (C a multiple of 8).
    let tiles = c % 8 == 0
    var ox = 0
    while ox < outW {
        if tiles && ox + 4 <= outW && ox * s >= g.padLeft && (ox + 3) * s - g.padLeft + k <= inW {
            let taps = DepthwiseTaps(firstRow: kyLo, rows: kyHi - kyLo, firstColumn: 0, columns: k, step: 1, kernel: k)
            depthwiseTile(A.self, taps, channels: c, source: image + ((iy0 + kyLo) * inW + ox * s - g.padLeft) * c,
                          rowStep: inW * c, columnStep: c, pixelStep: s * c, weight: weight, bias: bias, accumulate: false,
                          out: y + (row * outW + ox) * c, outStep: c)
            ox += 4
            continue
        }
        let out = y + (row * outW + ox) * c
        let ix0 = ox * s - g.padLeft
        let kxLo = Swift.max(0, -ix0), kxHi = Swift.min(k, inW - ix0)
        // Tap (ky, kx) of channel ch is at origin[(ky·inW + kx)·c + ch]; only in-range taps are visited.
        let origin = image + ((iy0 * inW + ix0) * c)
        var ch = 0
        while ch + 32 <= c {
            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
            if let bias {
                a0 = load8(bias + ch); a1 = load8(bias + ch + 8); a2 = load8(bias + ch + 16); a3 = load8(bias + ch + 24)
            }
            for ky in kyLo..<kyHi {
                for kx in kxLo..<kxHi {
                    let xp = origin + (ky * inW + kx) * c + ch, wp = weight + (ky * k + kx) * c + ch
                    a0 += load8(wp) * load8(xp)
                    a1 += load8(wp + 8) * load8(xp + 8)
                    a2 += load8(wp + 16) * load8(xp + 16)
                    a3 += load8(wp + 24) * load8(xp + 24)
                }
            }
            store8(A.apply(a0), out + ch); store8(A.apply(a1), out + ch + 8)
            store8(A.apply(a2), out + ch + 16); store8(A.apply(a3), out + ch + 24)
            ch += 32
        }
        while ch + 8 <= c {
            var a = bias.map { load8($0 + ch) } ?? SIMD8<Float>()
            for ky in kyLo..<kyHi {
                for kx in kxLo..<kxHi {
                    a += load8(weight + (ky * k + kx) * c + ch) * load8(origin + (ky * inW + kx) * c + ch)
                }
            }
            store8(A.apply(a), out + ch)
            ch += 8
        }
        while ch < c {
            var a = bias?[ch] ?? 0
            for ky in kyLo..<kyHi {
                for kx in kxLo..<kxHi { a += weight[(ky * k + kx) * c + ch] * origin[(ky * inW + kx) * c + ch] }
            }
            out[ch] = A.apply(a)
            ch += 1
        }
        ox += 1
    }
}

/// The taps a tile visits: weight rows firstRow, firstRow + step, … (`rows` of them) by columns likewise.
private struct DepthwiseTaps {
    let firstRow: Int, rows: Int, firstColumn: Int, columns: Int, step: Int, kernel: Int

    /// Offset of tap (a, b) in the (kh,kw,C) weights, in units of C.
    @inline(__always) func weightIndex(_ a: Int, _ b: Int) -> Int { (firstRow + a * step) * kernel + firstColumn + b * step }
}

/// Four pixels of a depthwise conv (forward, or the gather form of its input gradient), all channels:
/// out[j·outStep + ch] = A(start + Σ_{a, b} w[taps.weightIndex(a, b)·C + ch] · source[a·rowStep + b·columnStep + j·pixelStep + ch])
/// for j < 4, with start = out (`accumulate`), else the bias or zero. Taps are summed in the per-pixel loops' order
/// (rows, then columns); each weight vector is loaded once for the four pixels (1.25 loads per multiply-add, not 2).
/// - Precondition: C is a multiple of 8.
@inline(__always)
private func depthwiseTile<A: ActivationFunction>(
    _ activation: A.Type, _ taps: DepthwiseTaps, channels c: Int, source: UnsafePointer<Float>,
    rowStep: Int, columnStep: Int, pixelStep: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
    accumulate: Bool, out: UnsafeMutablePointer<Float>, outStep: Int
) {
    let p1 = pixelStep, p2 = 2 * pixelStep, p3 = 3 * pixelStep, o1 = outStep, o2 = 2 * outStep, o3 = 3 * outStep
    @inline(__always) func start(_ offset: Int) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        if accumulate { return (load8(out + offset), load8(out + o1 + offset), load8(out + o2 + offset), load8(out + o3 + offset)) }
        let b = bias.map { load8($0 + offset) } ?? SIMD8<Float>()
        return (b, b, b, b)
    }
    var ch = 0
    while ch + 16 <= c {
        var (a0, a1, a2, a3) = start(ch), (b0, b1, b2, b3) = start(ch + 8)
        for a in 0..<taps.rows {
            for b in 0..<taps.columns {
                let wp = weight + taps.weightIndex(a, b) * c + ch, xp = source + a * rowStep + b * columnStep + ch
                let w0 = load8(wp), w1 = load8(wp + 8)
                a0 += w0 * load8(xp); b0 += w1 * load8(xp + 8)
                a1 += w0 * load8(xp + p1); b1 += w1 * load8(xp + p1 + 8)
                a2 += w0 * load8(xp + p2); b2 += w1 * load8(xp + p2 + 8)
                a3 += w0 * load8(xp + p3); b3 += w1 * load8(xp + p3 + 8)
            }
        }
        store8(A.apply(a0), out + ch); store8(A.apply(b0), out + ch + 8)
        store8(A.apply(a1), out + o1 + ch); store8(A.apply(b1), out + o1 + ch + 8)
        store8(A.apply(a2), out + o2 + ch); store8(A.apply(b2), out + o2 + ch + 8)
        store8(A.apply(a3), out + o3 + ch); store8(A.apply(b3), out + o3 + ch + 8)
        ch += 16
    }
    if ch < c {
        var (a0, a1, a2, a3) = start(ch)
        for a in 0..<taps.rows {
            for b in 0..<taps.columns {
                let w0 = load8(weight + taps.weightIndex(a, b) * c + ch), xp = source + a * rowStep + b * columnStep + ch
                a0 += w0 * load8(xp); a1 += w0 * load8(xp + p1); a2 += w0 * load8(xp + p2); a3 += w0 * load8(xp + p3)
            }
        }
        store8(A.apply(a0), out + ch); store8(A.apply(a1), out + o1 + ch)
        store8(A.apply(a2), out + o2 + ch); store8(A.apply(a3), out + o3 + ch)
    }
}

/// Plain loop with the contract of `depthwiseConv2dForward` (weights (kh,kw,C)), accumulating in Double.
public func depthwiseConv2dForwardReference(
    _ g: ConvGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
    activation: Activation = .identity, y: UnsafeMutablePointer<Float>
) {
    let c = g.inChannels
    for n in 0..<g.batch {
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                for ch in 0..<c {
                    var s = Double(bias?[ch] ?? 0)
                    for ky in 0..<g.kernel {
                        let iy = oy * g.stride - g.padTop + ky
                        guard iy >= 0 && iy < g.inHeight else { continue }
                        for kx in 0..<g.kernel {
                            let ix = ox * g.stride - g.padLeft + kx
                            guard ix >= 0 && ix < g.inWidth else { continue }
                            s += Double(weight[(ky * g.kernel + kx) * c + ch]) * Double(x[((n * g.inHeight + iy) * g.inWidth + ix) * c + ch])
                        }
                    }
                    y[((n * g.outHeight + oy) * g.outWidth + ox) * c + ch] = activation(Float(s))
                }
            }
        }
    }
}

// MARK: - Backward

// Vectorised over channels like the forward. Every kernel **accumulates** (`+=`); `dy` is the gradient
// before any fused activation. The input gradient overwrites dx instead with `accumulate: false`.

/// Gradient of a depthwise conv with respect to its input (the only one a frozen depthwise conv needs).
///
/// Concretely: dx[n,iy,ix,c] += Σ_{ky,kx : iy = oy·s − padTop + ky, ix = ox·s − padLeft + kx} w[ky,kx,c] · dy[n,oy,ox,c].
/// Written as a gather over input pixels (each dx value is owned by one thread, no scatter races): for input
/// row iy the taps are the ky with (iy + padTop − ky) divisible by s and oy in range, likewise for columns.
///
/// Layouts: dy (N,Ho,Wo,C), w (kh,kw,C), dx (N,H,W,C). Input rows are split across threads.
/// - Parameter accumulate: false overwrites dx (a pixel no output reads gets 0).
/// - Complexity: N·Ho·Wo·kh·kw·C multiply-adds (the forward's).
public func depthwiseConv2dBackwardInput(
    _ g: ConvGeometry, dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
    accumulate: Bool = true
) {
    precondition(g.isDepthwise, "depthwiseConv2dBackwardInput needs groups == channels: \(g)")
    let k = g.kernel
    // For each input column ix: up to k (kx, ox) pairs with ix = ox·s − padLeft + kx.
    let columnTaps = depthwiseTaps(inSize: g.inWidth, outSize: g.outWidth, kernel: k, stride: g.stride, pad: g.padLeft)
    let rowTaps = depthwiseTaps(inSize: g.inHeight, outSize: g.outHeight, kernel: k, stride: g.stride, pad: g.padTop)
    columnTaps.withUnsafeBufferPointer { colTaps in
        rowTaps.withUnsafeBufferPointer { rowTaps in
            Parallelism.forEachChunk(g.batch * g.inHeight) { rows in
                for row in rows {
                    depthwiseBackwardInputRow(g, row: row, rowTaps: rowTaps.baseAddress!, colTaps: colTaps.baseAddress!,
                                              dy: dy, weight: weight, dx: dx, accumulate: accumulate)
                }
            }
        }
    }
}

/// For each input index: its count of taps, then k (tap, output index) pairs; stride 1 + 2k per index.
private func depthwiseTaps(inSize: Int, outSize: Int, kernel k: Int, stride s: Int, pad: Int) -> [Int] {
    var table = [Int](repeating: 0, count: inSize * (1 + 2 * k))
    for i in 0..<inSize {
        let base = i * (1 + 2 * k)
        var count = 0
        for t in 0..<k {
            let shifted = i + pad - t
            guard shifted >= 0, shifted % s == 0, shifted / s < outSize else { continue }
            table[base + 1 + 2 * count] = t
            table[base + 2 + 2 * count] = shifted / s
            count += 1
        }
        table[base] = count
    }
    return table
}

/// One input row (n, iy) of `depthwiseConv2dBackwardInput`.
@inline(__always)
private func depthwiseBackwardInputRow(
    _ g: ConvGeometry, row: Int, rowTaps: UnsafePointer<Int>, colTaps: UnsafePointer<Int>,
    dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, accumulate: Bool
) {
    let c = g.inChannels, k = g.kernel, stride = 1 + 2 * k, outW = g.outWidth
    let n = row / g.inHeight, iy = row % g.inHeight
    let rt = rowTaps + iy * stride
    let rowCount = rt[0]
    if rowCount == 0 {
        if !accumulate { (dx + row * g.inWidth * c).update(repeating: 0, count: g.inWidth * c) }
        return
    }
    let image = dy + n * g.outHeight * outW * c
    // Tiles of four input pixels ix + j·s (j < 4) whose column taps agree — the same first kx and count, so that
    // pixel j reads dy column ox + j — taken for all s residues of a block of 4·s pixels at once (C a multiple of 8).
    // Row taps are rt's: ky = rt[1] + a·s reading dy row rt[2] − a.
    let s = g.stride, tiles = c % 8 == 0
    let rowTaps = (first: rt[1], oy: rt[2])
    @inline(__always) func tileable(_ ix: Int) -> Bool {
        let first = colTaps + ix * stride, last = colTaps + (ix + 3 * s) * stride
        return first[0] > 0 && first[0] == last[0] && first[1] == last[1]
    }
    var ix = 0
    while ix < g.inWidth {
        if tiles && ix + 4 * s <= g.inWidth && (0..<s).allSatisfy({ tileable(ix + $0) }) {
            for r in 0..<s {
                let ct = colTaps + (ix + r) * stride
                let taps = DepthwiseTaps(firstRow: rowTaps.first, rows: rowCount, firstColumn: ct[1], columns: ct[0], step: s, kernel: k)
                depthwiseTile(IdentityFunction.self, taps, channels: c, source: image + (rowTaps.oy * outW + ct[2]) * c,
                              rowStep: -outW * c, columnStep: -c, pixelStep: c, weight: weight, bias: nil, accumulate: accumulate,
                              out: dx + (row * g.inWidth + ix + r) * c, outStep: s * c)
            }
            ix += 4 * s
            continue
        }
        let out = dx + (row * g.inWidth + ix) * c
        let ct = colTaps + ix * stride
        let colCount = ct[0]
        var ch = 0
        while ch + 16 <= c {
            var a0 = accumulate ? load8(out + ch) : SIMD8(), a1 = accumulate ? load8(out + ch + 8) : SIMD8()
            for a in 0..<rowCount {
                let ky = rt[1 + 2 * a], oy = rt[2 + 2 * a]
                for b in 0..<colCount {
                    let kx = ct[1 + 2 * b], ox = ct[2 + 2 * b]
                    let wp = weight + (ky * k + kx) * c + ch, dp = image + (oy * outW + ox) * c + ch
                    a0 += load8(wp) * load8(dp)
                    a1 += load8(wp + 8) * load8(dp + 8)
                }
            }
            store8(a0, out + ch); store8(a1, out + ch + 8)
            ch += 16
        }
        while ch + 8 <= c {
            var acc = accumulate ? load8(out + ch) : SIMD8()
            for a in 0..<rowCount {
                let ky = rt[1 + 2 * a], oy = rt[2 + 2 * a]
                for b in 0..<colCount {
                    let kx = ct[1 + 2 * b], ox = ct[2 + 2 * b]
                    acc += load8(weight + (ky * k + kx) * c + ch) * load8(image + (oy * outW + ox) * c + ch)
                }
            }
            store8(acc, out + ch)
            ch += 8
        }
        while ch < c {
            var acc = accumulate ? out[ch] : 0
            for a in 0..<rowCount {
                let ky = rt[1 + 2 * a], oy = rt[2 + 2 * a]
                for b in 0..<colCount {
                    let kx = ct[1 + 2 * b], ox = ct[2 + 2 * b]
                    acc += weight[(ky * k + kx) * c + ch] * image[(oy * outW + ox) * c + ch]
                }
            }
            out[ch] = acc
            ch += 1
        }
        ix += 1
    }
}

/// Gradient of a depthwise conv with respect to its weight.
///
/// Concretely: dw[ky,kx,c] += Σ_{n,oy,ox} dy[n,oy,ox,c] · x[n, oy·s − padTop + ky, ox·s − padLeft + kx, c]
/// (zero outside the input). Channel blocks of 8 are split across threads (disjoint slices of dw, so the result
/// does not depend on the thread count); each output row is summed in Float and rows are added in Double.
///
/// Layouts: x (N,H,W,C), dy (N,Ho,Wo,C), dw (kh,kw,C).
/// - Complexity: N·Ho·Wo·kh·kw·C multiply-adds; 12·kh·kw·C bytes of temporary memory.
public func depthwiseConv2dBackwardWeight(
    _ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dweight: UnsafeMutablePointer<Float>
) {
    precondition(g.isDepthwise, "depthwiseConv2dBackwardWeight needs groups == channels: \(g)")
    let c = g.inChannels, taps = g.kernel * g.kernel
    let blocks = (c + 7) / 8
    Parallelism.forEachChunk(blocks) { blockRange in
        let c0 = blockRange.lowerBound * 8, c1 = Swift.min(blockRange.upperBound * 8, c)
        let width = c1 - c0
        let rowSum = UnsafeMutablePointer<Float>.allocate(capacity: taps * width)
        let total = UnsafeMutablePointer<Double>.allocate(capacity: taps * width)
        defer { rowSum.deallocate(); total.deallocate() }
        total.initialize(repeating: 0, count: taps * width)
        for row in 0..<(g.batch * g.outHeight) {
            rowSum.initialize(repeating: 0, count: taps * width)
            depthwiseBackwardWeightRow(g, row: row, c0: c0, c1: c1, x: x, dy: dy, rowSum: rowSum)
            for i in 0..<(taps * width) { total[i] += Double(rowSum[i]) }
        }
        for t in 0..<taps {
            for ch in 0..<width { dweight[t * c + c0 + ch] += Float(total[t * width + ch]) }
        }
    }
}

/// Adds the weight gradient of output row (n, oy), channels c0..<c1, into rowSum (kh·kw, c1 − c0).
@inline(__always)
private func depthwiseBackwardWeightRow(
    _ g: ConvGeometry, row: Int, c0: Int, c1: Int, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
    rowSum: UnsafeMutablePointer<Float>
) {
    let c = g.inChannels, k = g.kernel, s = g.stride, inH = g.inHeight, inW = g.inWidth, width = c1 - c0
    let n = row / g.outHeight, oy = row % g.outHeight
    let iy0 = oy * s - g.padTop
    let kyLo = Swift.max(0, -iy0), kyHi = Swift.min(k, inH - iy0)
    let image = x + n * inH * inW * c
    var grad = dy + row * g.outWidth * c
    for ox in 0..<g.outWidth {
        let ix0 = ox * s - g.padLeft
        let kxLo = Swift.max(0, -ix0), kxHi = Swift.min(k, inW - ix0)
        let origin = image + ((iy0 * inW + ix0) * c)
        for ky in kyLo..<kyHi {
            for kx in kxLo..<kxHi {
                let xp = origin + (ky * inW + kx) * c, acc = rowSum + (ky * k + kx) * width
                var ch = c0
                while ch + 8 <= c1 {
                    store8(load8(acc + ch - c0) + load8(grad + ch) * load8(xp + ch), acc + ch - c0)
                    ch += 8
                }
                while ch < c1 { acc[ch - c0] += grad[ch] * xp[ch]; ch += 1 }
            }
        }
        grad += c
    }
}

/// Gradient of a depthwise conv with respect to its bias: db[c] += Σ_{n,oy,ox} dy[n,oy,ox,c].
///
/// Layouts: dy (N,Ho,Wo,C), db (C).
public func depthwiseConv2dBackwardBias(_ g: ConvGeometry, dy: UnsafePointer<Float>, dbias: UnsafeMutablePointer<Float>) {
    channelSums(dy, rows: g.outputPixels, channels: g.outChannels, into: dbias, accumulate: true)
}

// MARK: - Reference loops (the oracles of the tests)

/// Plain loop with the contract of `depthwiseConv2dBackwardInput` (weights (kh,kw,C)), accumulating in Double.
public func depthwiseConv2dBackwardInputReference(
    _ g: ConvGeometry, dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>
) {
    var acc = [Double](repeating: 0, count: g.inputCount)
    depthwiseTapsReference(g) { dyIndex, wIndex, xIndex in
        acc[xIndex] += Double(weight[wIndex]) * Double(dy[dyIndex])
    }
    for i in 0..<acc.count { dx[i] += Float(acc[i]) }
}

/// Plain loop with the contract of `depthwiseConv2dBackwardWeight`, accumulating in Double.
public func depthwiseConv2dBackwardWeightReference(
    _ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dweight: UnsafeMutablePointer<Float>
) {
    var acc = [Double](repeating: 0, count: g.kernel * g.kernel * g.inChannels)
    depthwiseTapsReference(g) { dyIndex, wIndex, xIndex in
        acc[wIndex] += Double(x[xIndex]) * Double(dy[dyIndex])
    }
    for i in 0..<acc.count { dweight[i] += Float(acc[i]) }
}

/// Plain loop with the contract of `depthwiseConv2dBackwardBias`, accumulating in Double.
public func depthwiseConv2dBackwardBiasReference(_ g: ConvGeometry, dy: UnsafePointer<Float>, dbias: UnsafeMutablePointer<Float>) {
    channelSumsReference(dy, rows: g.outputPixels, channels: g.outChannels, into: dbias)
}

/// Visits every in-range (output, weight, input) index triple of a depthwise conv.
private func depthwiseTapsReference(_ g: ConvGeometry, _ body: (Int, Int, Int) -> Void) {
    let c = g.inChannels
    for n in 0..<g.batch {
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                for ky in 0..<g.kernel {
                    let iy = oy * g.stride - g.padTop + ky
                    guard iy >= 0 && iy < g.inHeight else { continue }
                    for kx in 0..<g.kernel {
                        let ix = ox * g.stride - g.padLeft + kx
                        guard ix >= 0 && ix < g.inWidth else { continue }
                        for ch in 0..<c {
                            body(((n * g.outHeight + oy) * g.outWidth + ox) * c + ch, (ky * g.kernel + kx) * c + ch,
                                 ((n * g.inHeight + iy) * g.inWidth + ix) * c + ch)
                        }
                    }
                }
            }
        }
    }
}
