/// Bilinear resize, NHWC, with PyTorch's `align_corners=False` sampling and no antialiasing.
///
/// Concretely (`F.interpolate(mode="bilinear", align_corners=False)` with an output size): source
/// coordinate s = max((d + 0.5) · in/out − 0.5, 0); the two neighbours ⌊s⌋ and min(⌊s⌋+1, in−1) are
/// weighted by 1 − frac and frac. Layouts: x (N,H,W,C), y (N,Ho,Wo,C). Output rows are split across threads.
public func bilinearResizeForward(
    x: UnsafePointer<Float>, batch: Int, height: Int, width: Int, channels: Int,
    outHeight: Int, outWidth: Int, y: UnsafeMutablePointer<Float>
) {
    let sy = bilinearTaps(inSize: height, outSize: outHeight)
    let sx = bilinearTaps(inSize: width, outSize: outWidth)
    Parallelism.forEachChunk(batch * outHeight, minChunk: Parallelism.minimumRows(ofLength: outWidth * channels)) { rows in
        for row in rows {
            let n = row / outHeight, oy = row % outHeight
            let (y0, y1, fy) = sy[oy]
            for ox in 0..<outWidth {
                let (x0, x1, fx) = sx[ox]
                let out = y + (row * outWidth + ox) * channels
                let p00 = x + ((n * height + y0) * width + x0) * channels
                let p01 = x + ((n * height + y0) * width + x1) * channels
                let p10 = x + ((n * height + y1) * width + x0) * channels
                let p11 = x + ((n * height + y1) * width + x1) * channels
                for c in 0..<channels {
                    out[c] = (1 - fy) * ((1 - fx) * p00[c] + fx * p01[c]) + fy * ((1 - fx) * p10[c] + fx * p11[c])
                }
            }
        }
    }
}

// MARK: - Backward (accumulates into dx; the caller zeroes)

/// Gradient of `bilinearResizeForward` (align_corners=False): the scatter-add of the forward's taps.
///
/// Concretely: for each output (oy, ox) with taps (y0, y1, fy) and (x0, x1, fx) from `bilinearTaps`,
/// dx[y0,x0] += (1−fy)(1−fx)·dy, dx[y0,x1] += (1−fy)·fx·dy, dx[y1,x0] += fy·(1−fx)·dy, dx[y1,x1] += fy·fx·dy
/// (at the border both taps may be the same pixel, which then receives both weights).
/// Layouts: dy (N,Ho,Wo,C), dx (N,H,W,C). Images are split across threads.
public func bilinearResizeBackward(
    dy: UnsafePointer<Float>, batch: Int, height: Int, width: Int, channels: Int,
    outHeight: Int, outWidth: Int, dx: UnsafeMutablePointer<Float>
) {
    let sy = bilinearTaps(inSize: height, outSize: outHeight)
    let sx = bilinearTaps(inSize: width, outSize: outWidth)
    Parallelism.forEachChunk(batch) { images in
        for n in images {
            for oy in 0..<outHeight {
                let (y0, y1, fy) = sy[oy]
                for ox in 0..<outWidth {
                    let (x0, x1, fx) = sx[ox]
                    let grad = dy + ((n * outHeight + oy) * outWidth + ox) * channels
                    func tap(_ iy: Int, _ ix: Int, _ weight: Float) {
                        addScaledInPlace(dx + ((n * height + iy) * width + ix) * channels, grad, weight, count: channels)
                    }
                    tap(y0, x0, (1 - fy) * (1 - fx))
                    tap(y0, x1, (1 - fy) * fx)
                    tap(y1, x0, fy * (1 - fx))
                    tap(y1, x1, fy * fx)
                }
            }
        }
    }
}

/// For each output index: the two source indices and the weight of the second.
func bilinearTaps(inSize: Int, outSize: Int) -> [(Int, Int, Float)] {
    let scale = Float(inSize) / Float(outSize)
    return (0..<outSize).map { d in
        let s = Swift.max((Float(d) + 0.5) * scale - 0.5, 0)
        let i0 = Swift.min(Int(s), inSize - 1)
        return (i0, Swift.min(i0 + 1, inSize - 1), s - Float(i0))
    }
}
