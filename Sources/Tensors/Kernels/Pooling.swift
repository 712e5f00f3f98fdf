/// Average pooling over k×k windows, NHWC.
///
/// Concretely (PyTorch `AvgPool2d(k, stride, padding, count_include_pad)`): the mean of the window's
/// in-range values, divided by k² when `countIncludePad` (PyTorch's default) or by the in-range count.
/// Layouts: x (N,H,W,C), y (N,Ho,Wo,C) with the shapes of `g` (`outChannels == inChannels`). Output rows are
/// split across threads.
public func avgPool2dForward(
    _ g: ConvGeometry, x: UnsafePointer<Float>, countIncludePad: Bool = true, y: UnsafeMutablePointer<Float>
) {
    let c = g.inChannels
    Parallelism.forEachChunk(g.batch * g.outHeight, minChunk: Parallelism.minimumRows(ofLength: g.outWidth * c)) { rows in
        for row in rows {
            let n = row / g.outHeight, oy = row % g.outHeight
            let iy0 = oy * g.stride - g.padTop
            let y0 = Swift.max(iy0, 0), y1 = Swift.min(iy0 + g.kernel, g.inHeight)
            for ox in 0..<g.outWidth {
                let ix0 = ox * g.stride - g.padLeft
                let x0 = Swift.max(ix0, 0), x1 = Swift.min(ix0 + g.kernel, g.inWidth)
                let divisor = Float(countIncludePad ? g.kernel * g.kernel : (y1 - y0) * (x1 - x0))
                let out = y + (row * g.outWidth + ox) * c
                fill(out, with: 0, count: c)
                for iy in y0..<y1 {
                    for ix in x0..<x1 { addInPlace(out, x + ((n * g.inHeight + iy) * g.inWidth + ix) * c, count: c) }
                }
                for ch in 0..<c { out[ch] /= divisor }
            }
        }
    }
}

/// Global average pooling: y[n,c] = mean over H·W of x[n,h,w,c].
///
/// Layouts: x (N, H·W, C), y (N, C). Sums in Float, pixel by pixel (vectorised over channels); channel slices
/// are split across threads (`forEachChannelRange`).
public func globalAvgPoolForward(x: UnsafePointer<Float>, batch: Int, pixels: Int, channels: Int, y: UnsafeMutablePointer<Float>) {
    let scale = 1 / Float(pixels)
    forEachChannelRange(channels, work: batch * pixels * channels) { slice in
        for n in 0..<batch {
            let out = y + n * channels + slice.lowerBound
            fill(out, with: 0, count: slice.count)
            for p in 0..<pixels { addInPlace(out, x + (n * pixels + p) * channels + slice.lowerBound, count: slice.count) }
            for c in 0..<slice.count { out[c] *= scale }
        }
    }
}

// MARK: - Backward (accumulates into dx; the caller zeroes)

/// Gradient of `avgPool2dForward`: each output's gradient is spread evenly over its window.
///
/// Concretely: dx[n,iy,ix,c] += Σ_{windows containing (iy,ix)} dy[n,oy,ox,c] / d(oy,ox), with d = k² when
/// `countIncludePad` (PyTorch's default) or the window's in-range count otherwise — the forward's divisor.
/// Layouts: dy (N,Ho,Wo,C), dx (N,H,W,C) with the shapes of `g`. Images are split across threads.
public func avgPool2dBackward(
    _ g: ConvGeometry, dy: UnsafePointer<Float>, countIncludePad: Bool = true, dx: UnsafeMutablePointer<Float>
) {
    let c = g.inChannels
    Parallelism.forEachChunk(g.batch) { images in
        for n in images {
            for oy in 0..<g.outHeight {
                let iy0 = oy * g.stride - g.padTop
                let y0 = Swift.max(iy0, 0), y1 = Swift.min(iy0 + g.kernel, g.inHeight)
                for ox in 0..<g.outWidth {
                    let ix0 = ox * g.stride - g.padLeft
                    let x0 = Swift.max(ix0, 0), x1 = Swift.min(ix0 + g.kernel, g.inWidth)
                    let divisor = Float(countIncludePad ? g.kernel * g.kernel : (y1 - y0) * (x1 - x0))
                    let grad = dy + ((n * g.outHeight + oy) * g.outWidth + ox) * c
                    for iy in y0..<y1 {
                        for ix in x0..<x1 {
                            addScaledInPlace(dx + ((n * g.inHeight + iy) * g.inWidth + ix) * c, grad, 1 / divisor, count: c)
                        }
                    }
                }
            }
        }
    }
}

/// Gradient of `globalAvgPoolForward`: dx[n,p,c] += dy[n,c] / (H·W) (`accumulate`, else dx[n,p,c] = dy[n,c] / (H·W)).
///
/// Layouts: dy (N, C), dx (N, H·W, C). Pixel rows are split across threads.
public func globalAvgPoolBackward(
    dy: UnsafePointer<Float>, batch: Int, pixels: Int, channels: Int, dx: UnsafeMutablePointer<Float>, accumulate: Bool = true
) {
    let scale = 1 / Float(pixels)
    Parallelism.forEachChunk(batch * pixels, minChunk: Parallelism.minimumRows(ofLength: channels)) { rows in
        for row in rows {
            let d = dx + row * channels, g = dy + row / pixels * channels
            if accumulate { addScaledInPlace(d, g, scale, count: channels) } else { scaled(g, scale, count: channels, into: d) }
        }
    }
}
