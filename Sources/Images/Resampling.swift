/// Pillow's two-pass convolution resampling for 8-bit images (`ImagingResample`), reproduced bit for bit.
///
/// Concretely, per axis: for output index `xx`, `center = in0 + (xx + 0.5) * scale`, taps
/// `x ∈ [xmin, xmin + count)` with `xmin = Int(center - support + 0.5)` clamped to 0 and
/// `xmax = Int(center + support + 0.5)` clamped to `inSize`; weights `w = filter((x - center + 0.5) / fs)`
/// (`fs = max(scale, 1)`, `support = filter.support * fs`) are divided by their sum in `Double`, then
/// rounded half away from zero to fixed point with `precisionBits` = 22 fractional bits. A pixel is
/// `clip8((1 << 21) + Σ src·w >> 22)`. The horizontal pass runs first, over only the rows the vertical
/// pass reads; an axis whose size does not change is skipped (no filtering, as in Pillow).
///
/// ### References
/// Pillow `src/libImaging/Resample.c`: `precompute_coeffs`, `normalize_coeffs_8bpc`,
/// `ImagingResampleHorizontal_8bpc`, `ImagingResampleVertical_8bpc`, `ImagingResampleInner`.
struct ResampleCoefficients: Sendable {
    /// Fixed-point fraction bits (Pillow `PRECISION_BITS = 32 - 8 - 2`).
    static let precisionBits = 22

    /// Taps reserved per output index (`(Int)ceil(support) * 2 + 1`).
    let kernelSize: Int
    /// First input index of each output index.
    let first: [Int]
    /// Number of taps of each output index (≤ `kernelSize`).
    let count: [Int]
    /// Fixed-point weights, `kernelSize` per output index; unused slots are 0.
    let weights: [Int32]

    /// Coefficients mapping `inSize` input pixels onto `outSize` output pixels (full-image box).
    init(inSize: Int, outSize: Int, filter: ResamplingFilter) {
        precondition(inSize > 0 && outSize > 0, "resample: sizes must be positive (\(inSize) -> \(outSize))")
        // Pillow takes the box as float; `(double)(in1 - in0) / outSize`.
        let in0 = 0.0
        let scale = Double(Float(inSize) - Float(0)) / Double(outSize)
        let filterScale = Swift.max(scale, 1.0)
        let support = filter.support * filterScale
        let ksize = Int(support.rounded(.up)) * 2 + 1
        let invFilterScale = 1.0 / filterScale

        var first = [Int](repeating: 0, count: outSize)
        var count = [Int](repeating: 0, count: outSize)
        var weights = [Int32](repeating: 0, count: outSize * ksize)
        var k = [Double](repeating: 0, count: ksize)
        let one = Double(1 << Self.precisionBits)
        for xx in 0..<outSize {
            let center = in0 + (Double(xx) + 0.5) * scale
            var xmin = Int(center - support + 0.5)
            if xmin < 0 { xmin = 0 }
            var xmax = Int(center + support + 0.5)
            if xmax > inSize { xmax = inSize }
            xmax -= xmin
            var ww = 0.0
            for x in 0..<xmax {
                let w = filter.weight((Double(x + xmin) - center + 0.5) * invFilterScale)
                k[x] = w
                ww += w
            }
            for x in 0..<xmax {
                let w = ww != 0 ? k[x] / ww : k[x]
                // normalize_coeffs_8bpc: round half away from zero, truncate to int.
                weights[xx * ksize + x] = Int32(w < 0 ? -0.5 + w * one : 0.5 + w * one)
            }
            first[xx] = xmin
            count[xx] = xmax
        }
        self.kernelSize = ksize
        self.first = first
        self.count = count
        self.weights = weights
    }

    /// Pillow's `clip8`: the accumulator's integer part, saturated to 0...255.
    @inline(__always)
    static func clip8(_ accumulator: Int32) -> UInt8 {
        let v = accumulator >> Int32(precisionBits)
        return v < 0 ? 0 : v > 255 ? 255 : UInt8(truncatingIfNeeded: v)
    }

    /// Initial accumulator value (rounds to nearest on the final shift).
    static let half: Int32 = 1 << Int32(precisionBits - 1)
}

// MARK: - Passes (interleaved RGB, HWC)

enum Resampler {
    /// Resizes interleaved RGB bytes with Pillow's pass structure; `reference` selects the oracle loops.
    static func resample(_ src: [UInt8], width: Int, height: Int, toWidth outW: Int, toHeight outH: Int,
                         filter: ResamplingFilter, reference: Bool = false) -> [UInt8] {
        precondition(src.count == width * height * 3)
        let needH = outW != width
        let needV = outH != height
        if !needH && !needV { return src }
        let vertical = ResampleCoefficients(inSize: height, outSize: outH, filter: filter)
        // Rows of the source the vertical pass reads (Pillow's ybox_first..<ybox_last).
        let rowFirst = needV ? vertical.first[0] : 0
        let rowEnd = needV ? vertical.first[outH - 1] + vertical.count[outH - 1] : height
        var image = src
        var rowOffset = 0
        if needH {
            let horizontal = ResampleCoefficients(inSize: width, outSize: outW, filter: filter)
            image = reference
                ? horizontalReference(src, width: width, rows: rowFirst..<rowEnd, coefficients: horizontal)
                : horizontalPass(src, width: width, rows: rowFirst..<rowEnd, coefficients: horizontal)
            rowOffset = rowFirst
        }
        guard needV else { return image }
        let w = needH ? outW : width
        return reference
            ? verticalReference(image, width: w, rowOffset: rowOffset, coefficients: vertical)
            : verticalPass(image, width: w, rowOffset: rowOffset, coefficients: vertical)
    }

    /// Horizontal pass, the oracle: Pillow's `bands == 3` loop. src (H, width, 3) -> (rows.count, outW, 3).
    static func horizontalReference(_ src: [UInt8], width: Int, rows: Range<Int>,
                                    coefficients c: ResampleCoefficients) -> [UInt8] {
        let outW = c.first.count
        var out = [UInt8](repeating: 0, count: rows.count * outW * 3)
        for (r, y) in rows.enumerated() {
            for xx in 0..<outW {
                var ss0 = ResampleCoefficients.half, ss1 = ss0, ss2 = ss0
                for x in 0..<c.count[xx] {
                    let k = c.weights[xx * c.kernelSize + x]
                    let p = (y * width + x + c.first[xx]) * 3
                    ss0 &+= Int32(src[p]) &* k
                    ss1 &+= Int32(src[p + 1]) &* k
                    ss2 &+= Int32(src[p + 2]) &* k
                }
                let o = (r * outW + xx) * 3
                out[o] = ResampleCoefficients.clip8(ss0)
                out[o + 1] = ResampleCoefficients.clip8(ss1)
                out[o + 2] = ResampleCoefficients.clip8(ss2)
            }
        }
        return out
    }

    /// Vertical pass, the oracle: Pillow's `bands == 3` loop. src (rows, width, 3) -> (outH, width, 3);
    /// input row `first[yy] - rowOffset + y` feeds output row `yy`.
    static func verticalReference(_ src: [UInt8], width: Int, rowOffset: Int,
                                  coefficients c: ResampleCoefficients) -> [UInt8] {
        let outH = c.first.count
        var out = [UInt8](repeating: 0, count: outH * width * 3)
        for yy in 0..<outH {
            for xx in 0..<width {
                var ss0 = ResampleCoefficients.half, ss1 = ss0, ss2 = ss0
                for y in 0..<c.count[yy] {
                    let k = c.weights[yy * c.kernelSize + y]
                    let p = ((c.first[yy] - rowOffset + y) * width + xx) * 3
                    ss0 &+= Int32(src[p]) &* k
                    ss1 &+= Int32(src[p + 1]) &* k
                    ss2 &+= Int32(src[p + 2]) &* k
                }
                let o = (yy * width + xx) * 3
                out[o] = ResampleCoefficients.clip8(ss0)
                out[o + 1] = ResampleCoefficients.clip8(ss1)
                out[o + 2] = ResampleCoefficients.clip8(ss2)
            }
        }
        return out
    }

    /// Horizontal pass over raw pointers; identical integer sums to the oracle.
    static func horizontalPass(_ src: [UInt8], width: Int, rows: Range<Int>,
                               coefficients c: ResampleCoefficients) -> [UInt8] {
        let outW = c.first.count
        let ksize = c.kernelSize
        var out = [UInt8](repeating: 0, count: rows.count * outW * 3)
        src.withUnsafeBufferPointer { srcBuf in
            c.weights.withUnsafeBufferPointer { wBuf in
                c.first.withUnsafeBufferPointer { firstBuf in
                    c.count.withUnsafeBufferPointer { countBuf in
                        out.withUnsafeMutableBufferPointer { outBuf in
                            let s = srcBuf.baseAddress!, kk = wBuf.baseAddress!, o = outBuf.baseAddress!
                            for (r, y) in rows.enumerated() {
                                let line = s + y * width * 3
                                let lineOut = o + r * outW * 3
                                for xx in 0..<outW {
                                    let k = kk + xx * ksize
                                    let p = line + firstBuf[xx] * 3
                                    var ss0 = ResampleCoefficients.half, ss1 = ss0, ss2 = ss0
                                    for x in 0..<countBuf[xx] {
                                        let w = k[x]
                                        ss0 &+= Int32(p[3 * x]) &* w
                                        ss1 &+= Int32(p[3 * x + 1]) &* w
                                        ss2 &+= Int32(p[3 * x + 2]) &* w
                                    }
                                    lineOut[3 * xx] = ResampleCoefficients.clip8(ss0)
                                    lineOut[3 * xx + 1] = ResampleCoefficients.clip8(ss1)
                                    lineOut[3 * xx + 2] = ResampleCoefficients.clip8(ss2)
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Vertical pass accumulating whole rows (vectorises over the row); identical sums to the oracle.
    static func verticalPass(_ src: [UInt8], width: Int, rowOffset: Int,
                             coefficients c: ResampleCoefficients) -> [UInt8] {
        let outH = c.first.count
        let rowBytes = width * 3
        var out = [UInt8](repeating: 0, count: outH * rowBytes)
        var acc = [Int32](repeating: 0, count: rowBytes)
        src.withUnsafeBufferPointer { srcBuf in
            out.withUnsafeMutableBufferPointer { outBuf in
                acc.withUnsafeMutableBufferPointer { accBuf in
                    let s = srcBuf.baseAddress!, o = outBuf.baseAddress!, a = accBuf.baseAddress!
                    for yy in 0..<outH {
                        for i in 0..<rowBytes { a[i] = ResampleCoefficients.half }
                        let base = yy * c.kernelSize
                        for y in 0..<c.count[yy] {
                            let w = c.weights[base + y]
                            let line = s + (c.first[yy] - rowOffset + y) * rowBytes
                            for i in 0..<rowBytes { a[i] &+= Int32(line[i]) &* w }
                        }
                        let lineOut = o + yy * rowBytes
                        for i in 0..<rowBytes { lineOut[i] = ResampleCoefficients.clip8(a[i]) }
                    }
                }
            }
        }
        return out
    }
}
