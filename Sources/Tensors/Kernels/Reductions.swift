// Channel sums, in-place adds, short copies and the thread splits of elementwise and per-channel passes shared by
// the kernels (bias gradients, scatter-adds, im2col taps, pooling and resizing).

/// Runs `body` over `0..<count` split across threads in ranges starting at multiples of 8, at least
/// `Parallelism.minimumValuesPerThread` values each (fewer run inline): the split of elementwise passes, the same
/// as the activation kernels'.
func forEachElementRange(_ count: Int, _ body: (Range<Int>) -> Void) {
    Parallelism.forEachChunk((count + 7) / 8, minChunk: Parallelism.minimumValuesPerThread / 8) { blocks in
        body((blocks.lowerBound * 8)..<Swift.min(blocks.upperBound * 8, count))
    }
}

/// Runs `body` over channel ranges of `0..<channels` split across threads in slices of 16 (one 64-byte cache
/// line, so two threads never write the same line of a channel-last row), when `work` — the values the pass
/// touches — is at least `Parallelism.minimumValuesPerThread` per thread. Each channel's arithmetic is the same
/// whatever the split: for reductions over pixels whose order must not depend on the thread count.
func forEachChannelRange(_ channels: Int, work: Int, _ body: (Range<Int>) -> Void) {
    let slices = (channels + 15) / 16
    Parallelism.forEachChunk(slices, minChunk: Swift.max(1, slices * Parallelism.minimumValuesPerThread / Swift.max(work, 1))) { range in
        body((range.lowerBound * 16)..<Swift.min(range.upperBound * 16, channels))
    }
}

/// sums[c] += Σ_r v[r,c] (`accumulate`, else sums[c] = Σ_r v[r,c]) over `rows` rows of `channels` values: the
/// bias gradient of convs and linears. Summed as `channelTotals` does.
func channelSums(
    _ v: UnsafePointer<Float>, rows: Int, channels: Int, into sums: UnsafeMutablePointer<Float>, accumulate: Bool
) {
    let totals = channelTotals(rows: rows, channels: channels) { part, r in addInPlace(part, v + r * channels, count: channels) }
    for c in 0..<channels { sums[c] = (accumulate ? sums[c] : 0) + Float(totals[c]) }
}

/// Per-channel totals Σ_r t[r,c] of row terms that `addRow(part, r)` adds onto `part` (`channels` Floats) for row r:
/// the reductions of bias and norm-parameter gradients.
///
/// Float partial sums over blocks of 64 rows are added in Double, so the error does not grow with the pixel
/// count. Rows are split across threads (at least `Parallelism.minimumValuesPerThread` values each), each thread
/// summing the rows it would have produced in a row-split kernel, and the per-thread Double totals are added in
/// thread order: the result depends on the thread count, not on timing.
@inline(__always)
func channelTotals(
    rows: Int, channels: Int, _ addRow: (_ part: UnsafeMutablePointer<Float>, _ row: Int) -> Void
) -> [Double] {
    guard channels > 0 else { return [] }
    let blocks = (rows + 63) / 64
    let parts = Swift.max(1, Swift.min(Parallelism.threads, blocks, rows * channels / Parallelism.minimumValuesPerThread))
    var totals = [Double](repeating: 0, count: parts * channels)
    totals.withUnsafeMutableBufferPointer { totals in
        let totals = totals.baseAddress!
        Parallelism.forEachChunk(parts) { range in
            let part = UnsafeMutablePointer<Float>.allocate(capacity: channels)
            defer { part.deallocate() }
            for i in range {
                let total = totals + i * channels
                var r0 = blocks * i / parts * 64
                let end = Swift.min(blocks * (i + 1) / parts * 64, rows)
                while r0 < end {
                    let r1 = Swift.min(r0 + 64, end)
                    fill(part, with: 0, count: channels)
                    for r in r0..<r1 { addRow(part, r) }
                    for c in 0..<channels { total[c] += Double(part[c]) }
                    r0 = r1
                }
            }
        }
        for i in 1..<parts { for c in 0..<channels { totals[c] += totals[i * channels + c] } }
    }
    return Array(totals.prefix(channels))
}

/// dst[i] += src[i] for `count` values, eight lanes at a time.
@inline(__always)
func addInPlace(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, count: Int) {
    var i = 0
    while i + 8 <= count { store8(load8(dst + i) + load8(src + i), dst + i); i += 8 }
    while i < count { dst[i] += src[i]; i += 1 }
}

/// dst[i] += src[i]² for `count` values, eight lanes at a time.
@inline(__always)
func addSquaresInPlace(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, count: Int) {
    var i = 0
    while i + 8 <= count { let v = load8(src + i); store8(load8(dst + i) + v * v, dst + i); i += 8 }
    while i < count { dst[i] += src[i] * src[i]; i += 1 }
}

/// dst[i] += a[i] · b[i] for `count` values, eight lanes at a time.
@inline(__always)
func addProductsInPlace(_ dst: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) {
    var i = 0
    while i + 8 <= count { store8(load8(dst + i) + load8(a + i) * load8(b + i), dst + i); i += 8 }
    while i < count { dst[i] += a[i] * b[i]; i += 1 }
}

/// dst[i] += s · src[i] for `count` values, eight lanes at a time.
@inline(__always)
func addScaledInPlace(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ s: Float, count: Int) {
    var i = 0
    let sv = SIMD8<Float>(repeating: s)
    while i + 8 <= count { store8(load8(dst + i) + sv * load8(src + i), dst + i); i += 8 }
    while i < count { dst[i] += s * src[i]; i += 1 }
}

/// dst[i] = src[i] for `count` values, eight lanes at a time (for short runs, where a memmove call dominates).
@inline(__always)
func copy(_ src: UnsafePointer<Float>, count: Int, into dst: UnsafeMutablePointer<Float>) {
    var i = 0
    while i + 8 <= count { store8(load8(src + i), dst + i); i += 8 }
    while i < count { dst[i] = src[i]; i += 1 }
}

/// dst[i] = v for `count` values, eight lanes at a time (for short runs, where a memset call dominates).
@inline(__always)
func fill(_ dst: UnsafeMutablePointer<Float>, with v: Float, count: Int) {
    var i = 0
    while i + 8 <= count { store8(SIMD8(repeating: v), dst + i); i += 8 }
    while i < count { dst[i] = v; i += 1 }
}

/// dst[i] = s · src[i] for `count` values, eight lanes at a time (the bits of `addScaledInPlace` onto zeros).
@inline(__always)
func scaled(_ src: UnsafePointer<Float>, _ s: Float, count: Int, into dst: UnsafeMutablePointer<Float>) {
    var i = 0
    let sv = SIMD8<Float>(repeating: s)
    while i + 8 <= count { store8(sv * load8(src + i), dst + i); i += 8 }
    while i < count { dst[i] = s * src[i]; i += 1 }
}

/// sums[c] += Σ_r v[r,c], in Double: the oracle of `channelSums`.
func channelSumsReference(_ v: UnsafePointer<Float>, rows: Int, channels: Int, into sums: UnsafeMutablePointer<Float>) {
    for c in 0..<channels {
        var s = 0.0
        for r in 0..<rows { s += Double(v[r * channels + c]) }
        sums[c] += Float(s)
    }
}
