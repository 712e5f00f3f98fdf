/// Dense and grouped 2-D convolution, NHWC.
///
/// Concretely: y[n,oy,ox,o] = b[o] + Σ_{ky,kx,i} w[o,ky,kx,i] · x[n, oy·s − padTop + ky, ox·s − padLeft + kx,
/// g·Cin/G + i] with g = o / (Cout/G), out-of-range taps reading zero; then `activation`.
///
/// Layouts: x (N,H,W,Cin), w (O,kh,kw,Cin/groups), bias (O), y (N,Ho,Wo,O).
/// A pointwise conv is one GEMM on the input; every other shape goes through im2col in chunks of
/// `conv2dChunkPixels` output pixels, so its scratch is `conv2dScratchCount(geometry)` floats.
/// Depthwise convs have their own kernel (`depthwiseConv2dForward`).
public func conv2dForward(
    _ g: ConvGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
    activation: Activation = .identity, y: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>?
) {
    let cinG = g.inChannels / g.groups, coutG = g.outChannels / g.groups
    let k = g.kernel * g.kernel * cinG
    if g.isPointwise {
        gemm(transB: true, m: g.outputPixels, n: g.outChannels, k: g.inChannels,
             a: x, lda: g.inChannels, b: weight, ldb: g.inChannels, c: y, ldc: g.outChannels)
    } else {
        guard let scratch else { preconditionFailure("conv2dForward needs scratch for \(g)") }
        var start = 0
        while start < g.outputPixels {
            let rows = Swift.min(conv2dChunkPixels, g.outputPixels - start)
            for group in 0..<g.groups {
                im2col(g, x: x, group: group, firstPixel: start, pixels: rows, columns: scratch)
                gemm(transB: true, m: rows, n: coutG, k: k, a: scratch, lda: k,
                     b: weight + group * coutG * k, ldb: k,
                     c: y + start * g.outChannels + group * coutG, ldc: g.outChannels)
            }
            start += rows
        }
    }
    biasActivationForward(y, rows: g.outputPixels, channels: g.outChannels, bias: bias, activation: activation)
}

/// Output pixels per im2col chunk: bounds scratch while keeping each GEMM large.
public let conv2dChunkPixels = 3136

/// Scratch floats `conv2dForward` needs for `g` (0 for a pointwise conv).
public func conv2dScratchCount(_ g: ConvGeometry) -> Int {
    g.isPointwise ? 0 : Swift.min(conv2dChunkPixels, g.outputPixels) * g.kernel * g.kernel * (g.inChannels / g.groups)
}

/// Copies the receptive fields of `pixels` output pixels starting at `firstPixel` for one group into rows
/// of `columns` (pixels, kh·kw·Cin/groups), zero where the window leaves the input.
func im2col(
    _ g: ConvGeometry, x: UnsafePointer<Float>, group: Int, firstPixel: Int, pixels: Int,
    columns: UnsafeMutablePointer<Float>
) {
    let cinG = g.inChannels / g.groups, rowLength = g.kernel * g.kernel * cinG
    let perImage = g.outHeight * g.outWidth
    for r in 0..<pixels {
        let p = firstPixel + r
        let n = p / perImage, oy = (p % perImage) / g.outWidth, ox = p % g.outWidth
        var dst = columns + r * rowLength
        for ky in 0..<g.kernel {
            let iy = oy * g.stride - g.padTop + ky
            for kx in 0..<g.kernel {
                let ix = ox * g.stride - g.padLeft + kx
                if iy < 0 || iy >= g.inHeight || ix < 0 || ix >= g.inWidth {
                    dst.update(repeating: 0, count: cinG)
                } else {
                    dst.update(from: x + ((n * g.inHeight + iy) * g.inWidth + ix) * g.inChannels + group * cinG, count: cinG)
                }
                dst += cinG
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
