// Direct k×k convolution (dense or grouped, any stride and padding) for groups of at least eight input channels —
// the lite residuals' grouped convs: no im2col columns, only the taps that fall inside the input are visited, and
// the weights are read in their own layout (O,kh,kw,Cin/G), so the only scratch is a row of zeros.
//
// Each kernel works on tiles of four pixels. With four images or more a tile is one pixel position in four images
// (every tap is inside or outside the input for all four at once); with fewer it is up to four neighbouring columns
// (columns `stride` apart for the input gradient, so that they share their taps). A pixel a tap misses reads the
// zero row instead.
//
// Channel runs that are not a multiple of eight end with one vector shifted back to end at the run's end: its
// lanes that repeat channels already done are masked out of a sum, or computed again and not stored.

/// Whether `conv2dForward` and its gradients compute `g` directly (else through im2col): a k×k conv whose groups
/// have at least eight input channels.
@inline(__always) func convIsDirect(_ g: ConvGeometry) -> Bool {
    !g.isPointwise && g.inChannels / g.groups >= 8
}

/// Floats of zeros a direct conv reads for a pixel outside the input (the longer of a group's input and output
/// channel runs).
func convDirectZeroCount(_ g: ConvGeometry) -> Int {
    Swift.max(g.inChannels, g.outChannels) / g.groups
}

/// The pixels of one tile: up to four, as `images` consecutive images × `columns` columns of one row.
private struct Tile {
    let images: Int, columns: Int

    /// Four images when the batch has them, else two images × two columns, else four columns.
    init(batch: Int) { (images, columns) = batch >= 4 ? (4, 1) : batch >= 2 ? (2, 2) : (1, 4) }

    /// Image and column index of slot `j` for a tile starting at image n0, column c0.
    @inline(__always) func slot(_ j: Int, n0: Int, c0: Int) -> (n: Int, column: Int) { (n0 + j / columns, c0 + j % columns) }
}

/// Eight eight-lane sums: four pixels × (sixteen lanes, or two output channels).
private struct Sums {
    var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), b0 = SIMD8<Float>(), b1 = SIMD8<Float>()
    var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), d0 = SIMD8<Float>(), d1 = SIMD8<Float>()

    /// Adds x_j · v0 (and x_j · v1 when `wide`) to slot j's vectors: x_j vectors (dot products) or broadcast scalars.
    @inline(__always) mutating func add(
        _ x0: SIMD8<Float>, _ x1: SIMD8<Float>, _ x2: SIMD8<Float>, _ x3: SIMD8<Float>,
        _ v0: SIMD8<Float>, _ v1: SIMD8<Float>, wide: Bool
    ) {
        a0 = a0.addingProduct(x0, v0); b0 = b0.addingProduct(x1, v0); c0 = c0.addingProduct(x2, v0); d0 = d0.addingProduct(x3, v0)
        if wide { a1 = a1.addingProduct(x0, v1); b1 = b1.addingProduct(x1, v1); c1 = c1.addingProduct(x2, v1); d1 = d1.addingProduct(x3, v1) }
    }

    /// The two vectors of slot j.
    @inline(__always) func slot(_ j: Int) -> (SIMD8<Float>, SIMD8<Float>) {
        switch j {
        case 0: return (a0, a1)
        case 1: return (b0, b1)
        case 2: return (c0, c1)
        default: return (d0, d1)
        }
    }
}

/// Four pointers, one per tile slot.
private typealias Slots = (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>)

/// The taps of one tile that reach some slot's pixel: each one's weight offset and its four slots' pixels (group 0's
/// channels; the zero row where the tap misses that slot). Stack memory for `capacity` taps, listed once per tile and
/// read by every group and channel block.
private struct TileTaps {
    let offsets: UnsafeMutablePointer<Int>, sources: UnsafeMutablePointer<Slots>, zero: UnsafePointer<Float>
    var count = 0

    /// Runs `body` with room for `capacity` taps.
    static func with(capacity: Int, zero: UnsafePointer<Float>, _ body: (inout TileTaps) -> Void) {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: capacity) { offsets in
            withUnsafeTemporaryAllocation(of: Slots.self, capacity: capacity) { sources in
                var taps = TileTaps(offsets: offsets.baseAddress!, sources: sources.baseAddress!, zero: zero)
                body(&taps)
            }
        }
    }

    /// Adds a tap unless it misses every slot (nil pixels).
    @inline(__always) mutating func add(
        offset: Int, _ q0: UnsafePointer<Float>?, _ q1: UnsafePointer<Float>?, _ q2: UnsafePointer<Float>?, _ q3: UnsafePointer<Float>?
    ) {
        if q0 == nil && q1 == nil && q2 == nil && q3 == nil { return }
        offsets[count] = offset
        sources[count] = (q0 ?? zero, q1 ?? zero, q2 ?? zero, q3 ?? zero)
        count += 1
    }

    /// Tap t's pixels moved by `channels` floats (to a group's channels); the zero row stays where it is.
    @inline(__always) func slots(_ t: Int, movedBy channels: Int) -> Slots {
        let q = sources[t]
        guard channels != 0 else { return q }
        @inline(__always) func moved(_ p: UnsafePointer<Float>) -> UnsafePointer<Float> { p == zero ? p : p + channels }
        return (moved(q.0), moved(q.1), moved(q.2), moved(q.3))
    }
}

/// Writes lanes `from..<to` of (v0, v1) to out[from..<to] (adding onto it with `accumulate`): whole vectors where
/// all eight lanes are written, single lanes elsewhere.
@inline(__always)
private func store(_ v0: SIMD8<Float>, _ v1: SIMD8<Float>, lanes from: Int, _ to: Int, _ out: UnsafeMutablePointer<Float>, accumulate: Bool) {
    @inline(__always) func put(_ v: SIMD8<Float>, _ out: UnsafeMutablePointer<Float>, _ from: Int, _ to: Int) {
        if from == 0 && to == 8 { store8(accumulate ? load8(out) + v : v, out); return }
        for l in from..<to { out[l] = accumulate ? out[l] + v[l] : v[l] }
    }
    if from < 8 { put(v0, out, from, Swift.min(to, 8)) }
    if to > 8 { put(v1, out + 8, Swift.max(from, 8) - 8, to - 8) }
}

/// The blocks of a channel run of `count` (≥ 8): whole blocks of 16 lanes, then one of 8, then one vector of 8
/// shifted back to end at `count`. Calls body(offset, wide, firstNewLane): the block starts at `offset` and spans
/// 16 lanes (`wide`) or 8; its lanes before `firstNewLane` repeat channels of the previous block.
@inline(__always)
private func forEachChannelBlock(_ count: Int, _ body: (_ offset: Int, _ wide: Bool, _ firstNewLane: Int) -> Void) {
    var c = 0
    while c + 16 <= count { body(c, true, 0); c += 16 }
    if c + 8 <= count { body(c, false, 0); c += 8 }
    if c < count { body(count - 8, false, c - (count - 8)) }
}

/// The first and past-the-last output index whose tap `t` lands inside an input of `size` (stride s, padding
/// `pad` before), within `outSize`.
@inline(__always)
private func validOutputs(tap t: Int, stride s: Int, pad: Int, size: Int, outSize: Int) -> Range<Int> {
    let lo = pad - t <= 0 ? 0 : (pad - t + s - 1) / s
    let last = size - 1 + pad - t
    let hi = last < 0 ? 0 : Swift.min(outSize, last / s + 1)
    return lo < hi ? lo..<hi : 0..<0
}

// MARK: - Forward

/// y (+)= conv(x, w) for a direct geometry (`convIsDirect`): the sum of `conv2dForward` without bias or activation.
///
/// Dot products over each group's input channels, four pixels × two output channels at a time (eight vector sums,
/// reduced at the end); the input channels' last vector is shifted back with its repeated lanes' weights zeroed.
/// Rows of tiles are split across threads.
/// - Parameters:
///   - zeros: `convDirectZeroCount(g)` floats, set to zero here.
///   - accumulate: add onto y (which holds the bias) instead of overwriting it.
func convDirectForward(
    _ g: ConvGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
    zeros: UnsafeMutablePointer<Float>, accumulate: Bool
) {
    zeros.update(repeating: 0, count: convDirectZeroCount(g))
    let tile = Tile(batch: g.batch), imageTiles = (g.batch + tile.images - 1) / tile.images
    let cinG = g.inChannels / g.groups, coutG = g.outChannels / g.groups, taps = g.kernel * g.kernel
    let k = g.kernel, s = g.stride, inH = g.inHeight, inW = g.inWidth, outH = g.outHeight, outW = g.outWidth
    let cin = g.inChannels, cout = g.outChannels, zero = UnsafePointer(zeros)
    let shift = (8 - cinG % 8) % 8
    let tailMask = SIMD8<Float>(repeating: 1).replacing(with: 0, where: SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) .< Int32(shift))
    let items = imageTiles * outH
    Parallelism.forEachChunk(items, minChunk: g.outputPixels * g.weightCount / g.groups >= 1 << 16 ? 1 : items) { rows in
        // A tile's taps that reach the input: weight offset (ky·k + kx)·Cin/G and each slot's input pixel.
        TileTaps.with(capacity: taps, zero: zero) { tileTaps in
        for row in rows {
            let n0 = row / outH * tile.images, oy = row % outH, iy0 = oy * s - g.padTop
            var c0 = 0
            while c0 < outW {
                // Slot j: its image's input row iy0 (nil past the batch or the row) and its first tap's column.
                func origin(_ j: Int) -> (UnsafePointer<Float>?, Int) {
                    let (n, ox) = tile.slot(j, n0: n0, c0: c0)
                    return (n < g.batch && ox < outW ? x + (n * inH + iy0) * inW * cin : nil, ox * s - g.padLeft)
                }
                let (r0, x0) = origin(0), (r1, x1) = origin(1), (r2, x2) = origin(2), (r3, x3) = origin(3)
                tileTaps.count = 0
                for ky in Swift.max(0, -iy0)..<Swift.min(k, inH - iy0) {
                    @inline(__always) func source(_ r: UnsafePointer<Float>?, _ ix: Int) -> UnsafePointer<Float>? {
                        guard let r, ix >= 0 && ix < inW else { return nil }
                        return r + (ky * inW + ix) * cin
                    }
                    for kx in 0..<k {
                        tileTaps.add(offset: (ky * k + kx) * cinG, source(r0, x0 + kx), source(r1, x1 + kx), source(r2, x2 + kx), source(r3, x3 + kx))
                    }
                }
                for group in 0..<g.groups {
                    var o = 0
                    while o < coutG {
                        let pair = o + 1 < coutG
                        var sums = Sums()
                        let w = weight + (group * coutG + o) * taps * cinG
                        for t in 0..<tileTaps.count {
                            let w0 = w + tileTaps.offsets[t]
                            dotProducts(&sums, tileTaps.slots(t, movedBy: group * cinG), w0, pair ? w0 + taps * cinG : w0,
                                        count: cinG, shift: shift, tailMask: tailMask)
                        }
                        for j in 0..<4 {
                            let (n, ox) = tile.slot(j, n0: n0, c0: c0)
                            guard n < g.batch && ox < outW else { continue }
                            let out = y + ((n * outH + oy) * outW + ox) * cout + group * coutG + o
                            let (v0, v1) = sums.slot(j)
                            out[0] = accumulate ? out[0] + v0.sum() : v0.sum()
                            if pair { out[1] = accumulate ? out[1] + v1.sum() : v1.sum() }
                        }
                        o += 2
                    }
                }
                c0 += tile.columns
            }
        }
        }
    }
}

/// sums_j += p_j[0..<count] ⊙ (w0, w1)[0..<count] lane-wise (reduced later), the last vector shifted back when
/// `count` is not a multiple of 8 with the `shift` repeated lanes' weights zeroed by `tailMask`.
@inline(__always)
private func dotProducts(
    _ sums: inout Sums, _ p: Slots, _ w0: UnsafePointer<Float>, _ w1: UnsafePointer<Float>, count: Int, shift: Int,
    tailMask: SIMD8<Float>
) {
    var i = 0
    while i + 8 <= count {
        sums.add(load8(p.0 + i), load8(p.1 + i), load8(p.2 + i), load8(p.3 + i), load8(w0 + i), load8(w1 + i), wide: true)
        i += 8
    }
    if shift > 0 {
        let t = count - 8
        sums.add(load8(p.0 + t), load8(p.1 + t), load8(p.2 + t), load8(p.3 + t), load8(w0 + t) * tailMask, load8(w1 + t) * tailMask, wide: true)
    }
}

// MARK: - Backward

/// dx (+)= conv2dᵀ(dy, w) for a direct geometry: the sum of `conv2dBackwardInput`, gathered per input pixel.
///
/// For input pixel (iy, ix) the taps are those with (iy + padTop − ky) and (ix + padLeft − kx) divisible by the
/// stride and landing inside the output; each adds Σ_o dy[pixel, o] · w[o, ky, kx, ·]: four pixels × sixteen
/// input channels at a time, dy broadcast. Rows of tiles are split across threads; each dx value is written by one.
/// - Parameters:
///   - zeros: `convDirectZeroCount(g)` floats, set to zero here.
///   - accumulate: add onto dx; else overwrite it (a pixel no output reads then gets 0).
func convDirectBackwardInput(
    _ g: ConvGeometry, dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
    zeros: UnsafeMutablePointer<Float>, accumulate: Bool
) {
    zeros.update(repeating: 0, count: convDirectZeroCount(g))
    let tile = Tile(batch: g.batch), imageTiles = (g.batch + tile.images - 1) / tile.images
    let cinG = g.inChannels / g.groups, coutG = g.outChannels / g.groups, taps = g.kernel * g.kernel
    let k = g.kernel, s = g.stride, inH = g.inHeight, inW = g.inWidth, outH = g.outHeight, outW = g.outWidth
    let cin = g.inChannels, cout = g.outChannels, zero = UnsafePointer(zeros), rowStride = taps * cinG
    let items = imageTiles * inH
    Parallelism.forEachChunk(items, minChunk: g.outputPixels * g.weightCount / g.groups >= 1 << 16 ? 1 : items) { rows in
        // The row's taps (ky, oy), a column class's taps (kx, first ox), and a tile's taps that reach dy: weight
        // offset (ky·k + kx)·Cin/G and each slot's dy pixel.
        withUnsafeTemporaryAllocation(of: (Int, Int).self, capacity: 2 * k) { lines in
        TileTaps.with(capacity: taps, zero: zero) { tileTaps in
        let rowTaps = lines.baseAddress!, columnTaps = rowTaps + k
        for row in rows {
            let n0 = row / inH * tile.images, iy = row % inH
            var rowCount = 0
            for ky in 0..<k {
                let ty = iy + g.padTop - ky
                if ty >= 0 && ty % s == 0 && ty / s < outH { rowTaps[rowCount] = (ky, ty / s); rowCount += 1 }
            }
            // Columns in classes of equal ix mod s, so that a tile's columns share their taps.
            for residue in 0..<Swift.min(s, inW) {
                let columns = (inW - residue + s - 1) / s
                // Column residue + m·s reads dy column (residue + padLeft − kx)/s + m through tap kx.
                var columnCount = 0
                for kx in 0..<k where (residue + g.padLeft - kx) % s == 0 {
                    columnTaps[columnCount] = (kx, (residue + g.padLeft - kx) / s); columnCount += 1
                }
                var m0 = 0
                while m0 < columns {
                    // Slot j: its image's dy (nil past the batch or the row) and its column index m.
                    func origin(_ j: Int) -> (UnsafePointer<Float>?, Int) {
                        let (n, m) = tile.slot(j, n0: n0, c0: m0)
                        return (n < g.batch && m < columns ? dy + n * outH * outW * cout : nil, m)
                    }
                    let (r0, m_0) = origin(0), (r1, m_1) = origin(1), (r2, m_2) = origin(2), (r3, m_3) = origin(3)
                    tileTaps.count = 0
                    for a in 0..<rowCount {
                        let (ky, oy) = rowTaps[a]
                        for b in 0..<columnCount {
                            let (kx, ox0) = columnTaps[b]
                            @inline(__always) func source(_ r: UnsafePointer<Float>?, _ m: Int) -> UnsafePointer<Float>? {
                                let ox = ox0 + m
                                guard let r, ox >= 0 && ox < outW else { return nil }
                                return r + (oy * outW + ox) * cout
                            }
                            tileTaps.add(offset: (ky * k + kx) * cinG, source(r0, m_0), source(r1, m_1), source(r2, m_2), source(r3, m_3))
                        }
                    }
                    for group in 0..<g.groups {
                        forEachChannelBlock(cinG) { ib, wide, firstNew in
                            var sums = Sums()
                            let w = weight + group * coutG * rowStride + ib
                            for t in 0..<tileTaps.count {
                                let p = tileTaps.slots(t, movedBy: group * coutG), wt = w + tileTaps.offsets[t]
                                if wide {
                                    broadcastProducts(&sums, p, wt, rowStride: rowStride, count: coutG, wide: true)
                                } else {
                                    broadcastProducts(&sums, p, wt, rowStride: rowStride, count: coutG, wide: false)
                                }
                            }
                            for j in 0..<4 {
                                let (n, m) = tile.slot(j, n0: n0, c0: m0)
                                guard n < g.batch && m < columns else { continue }
                                let (v0, v1) = sums.slot(j)
                                store(v0, v1, lanes: firstNew, wide ? 16 : 8,
                                      dx + ((n * inH + iy) * inW + residue + m * s) * cin + group * cinG + ib, accumulate: accumulate)
                            }
                        }
                    }
                    m0 += tile.columns
                }
            }
        }
        }
        }
    }
}

/// sums_j += Σ_{r < count} p_j[r] · w[r·rowStride ..< +16 (8 unless `wide`)]: slot values broadcast against rows.
@inline(__always)
private func broadcastProducts(_ sums: inout Sums, _ p: Slots, _ w: UnsafePointer<Float>, rowStride: Int, count: Int, wide: Bool) {
    var w = w
    for r in 0..<count {
        sums.add(SIMD8(repeating: p.0[r]), SIMD8(repeating: p.1[r]), SIMD8(repeating: p.2[r]), SIMD8(repeating: p.3[r]),
                 load8(w), wide ? load8(w + 8) : SIMD8(), wide: wide)
        w += rowStride
    }
}

/// dw (+)= dyᵀ · x over each tap's pixels for a direct geometry: the sum of `conv2dBackwardWeight`.
///
/// For tap (ky, kx), dw[o, ky, kx, ·] = Σ over the output pixels whose tap lies inside the input of
/// dy[pixel, o] · x[input pixel, ·]: four output channels × sixteen input channels at a time, dy broadcast, summed
/// over rows, then columns and images (the longer of the two innermost). (group, tap, four output channels) blocks are split across threads.
/// - Parameter accumulate: add onto dw instead of overwriting it.
func convDirectBackwardWeight(
    _ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dweight: UnsafeMutablePointer<Float>,
    accumulate: Bool
) {
    let cinG = g.inChannels / g.groups, coutG = g.outChannels / g.groups, taps = g.kernel * g.kernel
    let k = g.kernel, s = g.stride, inH = g.inHeight, inW = g.inWidth, outH = g.outHeight, outW = g.outWidth
    let cin = g.inChannels, cout = g.outChannels, blocks = (coutG + 3) / 4
    let items = g.groups * taps * blocks
    Parallelism.forEachChunk(items, minChunk: g.outputPixels * g.weightCount / g.groups >= 1 << 16 ? 1 : items) { range in
        for item in range {
            let group = item / (taps * blocks), tap = item / blocks % taps, o0 = item % blocks * 4
            let ky = tap / k, kx = tap % k
            let oys = validOutputs(tap: ky, stride: s, pad: g.padTop, size: inH, outSize: outH)
            let oxs = validOutputs(tap: kx, stride: s, pad: g.padLeft, size: inW, outSize: outW)
            // Output channel o0 + j of the group (repeating the last one past the group's end).
            let d0 = group * coutG + o0, d1 = group * coutG + Swift.min(o0 + 1, coutG - 1)
            let d2 = group * coutG + Swift.min(o0 + 2, coutG - 1), d3 = group * coutG + Swift.min(o0 + 3, coutG - 1)
            // Σ over the tap's pixels of dy[pixel, o0 + j] · x[input pixel, ib ..< ib + 16 (8 unless `wide`)].
            // The innermost loop runs along the longer of the batch and the tap's run of columns.
            @inline(__always) func sum(_ ib: Int, wide: Bool, alongBatch: Bool) -> Sums {
                let (runs, runLength) = alongBatch ? (oxs.count, g.batch) : (g.batch, oxs.count)
                let (dyStep, xStep) = alongBatch ? (outH * outW * cout, inH * inW * cin) : (cout, s * cin)
                var sums = Sums()
                for oy in oys {
                    for run in 0..<runs {
                        let (n, ox) = alongBatch ? (0, oxs.lowerBound + run) : (run, oxs.lowerBound)
                        var d = dy + ((n * outH + oy) * outW + ox) * cout
                        var xp = x + ((n * inH + oy * s - g.padTop + ky) * inW + ox * s - g.padLeft + kx) * cin + group * cinG + ib
                        for _ in 0..<runLength {
                            sums.add(SIMD8(repeating: d[d0]), SIMD8(repeating: d[d1]), SIMD8(repeating: d[d2]), SIMD8(repeating: d[d3]),
                                     load8(xp), wide ? load8(xp + 8) : SIMD8(), wide: wide)
                            d += dyStep; xp += xStep
                        }
                    }
                }
                return sums
            }
            forEachChannelBlock(cinG) { ib, wide, firstNew in
                let sums = g.batch > oxs.count
                    ? (wide ? sum(ib, wide: true, alongBatch: true) : sum(ib, wide: false, alongBatch: true))
                    : (wide ? sum(ib, wide: true, alongBatch: false) : sum(ib, wide: false, alongBatch: false))
                for j in 0..<Swift.min(4, coutG - o0) {
                    let (v0, v1) = sums.slot(j)
                    store(v0, v1, lanes: firstNew, wide ? 16 : 8,
                          dweight + ((group * coutG + o0 + j) * taps + tap) * cinG + ib, accumulate: accumulate)
                }
            }
        }
    }
}
