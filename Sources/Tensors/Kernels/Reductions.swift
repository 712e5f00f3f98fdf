// Channel sums and in-place adds shared by the backward kernels (bias gradients, scatter-adds).

/// sums[c] += Σ_r v[r,c] over `rows` rows of `channels` values: the bias gradient of convs and linears.
///
/// Vectorised over channels; Float partial sums over blocks of 64 rows are added in Double, so the error
/// does not grow with the pixel count.
func accumulateChannelSums(
    _ v: UnsafePointer<Float>, rows: Int, channels: Int, into sums: UnsafeMutablePointer<Float>
) {
    var total = [Double](repeating: 0, count: channels)
    var block = [Float](repeating: 0, count: channels)
    block.withUnsafeMutableBufferPointer { blockBuffer in
        let part = blockBuffer.baseAddress!
        var r0 = 0
        while r0 < rows {
            let r1 = Swift.min(r0 + 64, rows)
            part.update(repeating: 0, count: channels)
            for r in r0..<r1 { addInPlace(part, v + r * channels, count: channels) }
            for c in 0..<channels { total[c] += Double(part[c]) }
            r0 = r1
        }
    }
    for c in 0..<channels { sums[c] += Float(total[c]) }
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

/// sums[c] += Σ_r v[r,c], in Double: the oracle of `accumulateChannelSums`.
func channelSumsReference(_ v: UnsafePointer<Float>, rows: Int, channels: Int, into sums: UnsafeMutablePointer<Float>) {
    for c in 0..<channels {
        var s = 0.0
        for r in 0..<rows { s += Double(v[r * channels + c]) }
        sums[c] += Float(s)
    }
}
