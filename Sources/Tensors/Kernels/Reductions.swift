// Channel sums, in-place adds and short copies shared by the kernels (bias gradients, scatter-adds, im2col taps).

/// sums[c] += Σ_r v[r,c] (`accumulate`, else sums[c] = Σ_r v[r,c]) over `rows` rows of `channels` values: the
/// bias gradient of convs and linears.
///
/// Vectorised over channels; Float partial sums over blocks of 64 rows are added in Double, so the error
/// does not grow with the pixel count. Slices of 8 channels are split across threads (each channel's sum is
/// the same whatever the split).
func channelSums(
    _ v: UnsafePointer<Float>, rows: Int, channels: Int, into sums: UnsafeMutablePointer<Float>, accumulate: Bool
) {
    let slices = (channels + 7) / 8   // at least 64 K values per thread
    Parallelism.forEachChunk(slices, minChunk: Swift.max(1, slices * (1 << 16) / Swift.max(rows * channels, 1))) { range in
        let c0 = range.lowerBound * 8, width = Swift.min(range.upperBound * 8, channels) - c0
        var total = [Double](repeating: 0, count: width)
        var block = [Float](repeating: 0, count: width)
        block.withUnsafeMutableBufferPointer { blockBuffer in
            let part = blockBuffer.baseAddress!
            var r0 = 0
            while r0 < rows {
                let r1 = Swift.min(r0 + 64, rows)
                part.update(repeating: 0, count: width)
                for r in r0..<r1 { addInPlace(part, v + r * channels + c0, count: width) }
                for c in 0..<width { total[c] += Double(part[c]) }
                r0 = r1
            }
        }
        for c in 0..<width { sums[c0 + c] = (accumulate ? sums[c0 + c] : 0) + Float(total[c]) }
    }
}

/// dst[i] += src[i] for `count` values, eight lanes at a time.
@inline(__always)
func addInPlace(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, count: Int) {
    var i = 0
    while i + 8 <= count { store8(load8(dst + i) + load8(src + i), dst + i); i += 8 }
    while i < count { dst[i] += src[i]; i += 1 }
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
