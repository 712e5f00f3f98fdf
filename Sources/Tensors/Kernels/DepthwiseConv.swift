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
    var out = y + row * outW * c
    for ox in 0..<outW {
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
        out += c
    }
}

@inline(__always) func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) func load8(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
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
