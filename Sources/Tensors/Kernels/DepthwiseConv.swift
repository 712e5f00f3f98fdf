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
    let c = g.inChannels, k = g.kernel, s = g.stride
    let xr = UnsafeRawPointer(x), wr = UnsafeRawPointer(weight), br = bias.map(UnsafeRawPointer.init)
    Parallelism.forEachChunk(g.batch * g.outHeight) { rows in
        for row in rows {
            let n = row / g.outHeight, oy = row % g.outHeight
            let iy0 = oy * s - g.padTop
            let kyLo = Swift.max(0, -iy0), kyHi = Swift.min(k, g.inHeight - iy0)
            for ox in 0..<g.outWidth {
                let ix0 = ox * s - g.padLeft
                let kxLo = Swift.max(0, -ix0), kxHi = Swift.min(k, g.inWidth - ix0)
                let yOffset = ((n * g.outHeight + oy) * g.outWidth + ox) * c
                // Byte offset of tap (ky, kx) in x for channel 0.
                @inline(__always) func xOffset(_ ky: Int, _ kx: Int) -> Int {
                    (((n * g.inHeight + iy0 + ky) * g.inWidth + ix0 + kx) * c) * 4
                }
                var ch = 0
                while ch + 32 <= c {
                    var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                    if let br {
                        a0 = br.loadUnaligned(fromByteOffset: ch * 4, as: SIMD8<Float>.self)
                        a1 = br.loadUnaligned(fromByteOffset: ch * 4 + 32, as: SIMD8<Float>.self)
                        a2 = br.loadUnaligned(fromByteOffset: ch * 4 + 64, as: SIMD8<Float>.self)
                        a3 = br.loadUnaligned(fromByteOffset: ch * 4 + 96, as: SIMD8<Float>.self)
                    }
                    for ky in kyLo..<kyHi {
                        for kx in kxLo..<kxHi {
                            let xo = xOffset(ky, kx) + ch * 4, wo = ((ky * k + kx) * c + ch) * 4
                            a0 += wr.loadUnaligned(fromByteOffset: wo, as: SIMD8<Float>.self) * xr.loadUnaligned(fromByteOffset: xo, as: SIMD8<Float>.self)
                            a1 += wr.loadUnaligned(fromByteOffset: wo + 32, as: SIMD8<Float>.self) * xr.loadUnaligned(fromByteOffset: xo + 32, as: SIMD8<Float>.self)
                            a2 += wr.loadUnaligned(fromByteOffset: wo + 64, as: SIMD8<Float>.self) * xr.loadUnaligned(fromByteOffset: xo + 64, as: SIMD8<Float>.self)
                            a3 += wr.loadUnaligned(fromByteOffset: wo + 96, as: SIMD8<Float>.self) * xr.loadUnaligned(fromByteOffset: xo + 96, as: SIMD8<Float>.self)
                        }
                    }
                    let yr = UnsafeMutableRawPointer(y + yOffset + ch)
                    yr.storeBytes(of: activation.apply(a0), as: SIMD8<Float>.self)
                    yr.storeBytes(of: activation.apply(a1), toByteOffset: 32, as: SIMD8<Float>.self)
                    yr.storeBytes(of: activation.apply(a2), toByteOffset: 64, as: SIMD8<Float>.self)
                    yr.storeBytes(of: activation.apply(a3), toByteOffset: 96, as: SIMD8<Float>.self)
                    ch += 32
                }
                while ch + 8 <= c {
                    var a = br?.loadUnaligned(fromByteOffset: ch * 4, as: SIMD8<Float>.self) ?? SIMD8<Float>()
                    for ky in kyLo..<kyHi {
                        for kx in kxLo..<kxHi {
                            a += wr.loadUnaligned(fromByteOffset: ((ky * k + kx) * c + ch) * 4, as: SIMD8<Float>.self)
                                * xr.loadUnaligned(fromByteOffset: xOffset(ky, kx) + ch * 4, as: SIMD8<Float>.self)
                        }
                    }
                    UnsafeMutableRawPointer(y + yOffset + ch).storeBytes(of: activation.apply(a), as: SIMD8<Float>.self)
                    ch += 8
                }
                while ch < c {
                    var a = bias?[ch] ?? 0
                    for ky in kyLo..<kyHi {
                        for kx in kxLo..<kxHi {
                            a += weight[(ky * k + kx) * c + ch] * x[xOffset(ky, kx) / 4 + ch]
                        }
                    }
                    y[yOffset + ch] = activation(a)
                    ch += 1
                }
            }
        }
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
