import Foundation
import Tensors

/// Double re-implementations of the forward kernels, straight from their doc formulas, so that the
/// finite-difference checks differentiate a loss that has no Float rounding in it.
enum DoubleForward {
    static func activation(_ a: Activation, _ x: Double) -> Double {
        switch a {
        case .identity: return x
        case .relu: return max(x, 0)
        case .relu6: return min(max(x, 0), 6)
        case .hswish: return x * min(max(x + 3, 0), 6) / 6
        case .hsigmoid: return min(max(x + 3, 0), 6) / 6
        case .sigmoid: return 1 / (1 + exp(-x))
        }
    }

    /// Dense/grouped conv, weights (O,kh,kw,Cin/G).
    static func conv2d(_ g: ConvGeometry, x: [Double], w: [Double], b: [Double]?) -> [Double] {
        let cinG = g.inChannels / g.groups, coutG = g.outChannels / g.groups
        var y = [Double](repeating: 0, count: g.outputCount)
        for n in 0..<g.batch { for oy in 0..<g.outHeight { for ox in 0..<g.outWidth { for o in 0..<g.outChannels {
            var s = b?[o] ?? 0
            for ky in 0..<g.kernel {
                let iy = oy * g.stride - g.padTop + ky
                guard iy >= 0 && iy < g.inHeight else { continue }
                for kx in 0..<g.kernel {
                    let ix = ox * g.stride - g.padLeft + kx
                    guard ix >= 0 && ix < g.inWidth else { continue }
                    for i in 0..<cinG {
                        s += x[((n * g.inHeight + iy) * g.inWidth + ix) * g.inChannels + (o / coutG) * cinG + i]
                            * w[((o * g.kernel + ky) * g.kernel + kx) * cinG + i]
                    }
                }
            }
            y[((n * g.outHeight + oy) * g.outWidth + ox) * g.outChannels + o] = s
        } } } }
        return y
    }

    /// Depthwise conv, weights (kh,kw,C).
    static func depthwise(_ g: ConvGeometry, x: [Double], w: [Double], b: [Double]?) -> [Double] {
        let c = g.inChannels
        var y = [Double](repeating: 0, count: g.outputCount)
        for n in 0..<g.batch { for oy in 0..<g.outHeight { for ox in 0..<g.outWidth { for ch in 0..<c {
            var s = b?[ch] ?? 0
            for ky in 0..<g.kernel {
                let iy = oy * g.stride - g.padTop + ky
                guard iy >= 0 && iy < g.inHeight else { continue }
                for kx in 0..<g.kernel {
                    let ix = ox * g.stride - g.padLeft + kx
                    guard ix >= 0 && ix < g.inWidth else { continue }
                    s += w[(ky * g.kernel + kx) * c + ch] * x[((n * g.inHeight + iy) * g.inWidth + ix) * c + ch]
                }
            }
            y[((n * g.outHeight + oy) * g.outWidth + ox) * c + ch] = s
        } } } }
        return y
    }

    static func avgPool(_ g: ConvGeometry, x: [Double], countIncludePad: Bool) -> [Double] {
        let c = g.inChannels
        var y = [Double](repeating: 0, count: g.batch * g.outHeight * g.outWidth * c)
        for n in 0..<g.batch { for oy in 0..<g.outHeight { for ox in 0..<g.outWidth {
            let y0 = max(oy * g.stride - g.padTop, 0), y1 = min(oy * g.stride - g.padTop + g.kernel, g.inHeight)
            let x0 = max(ox * g.stride - g.padLeft, 0), x1 = min(ox * g.stride - g.padLeft + g.kernel, g.inWidth)
            let d = Double(countIncludePad ? g.kernel * g.kernel : (y1 - y0) * (x1 - x0))
            for ch in 0..<c {
                var s = 0.0
                for iy in y0..<y1 { for ix in x0..<x1 { s += x[((n * g.inHeight + iy) * g.inWidth + ix) * c + ch] } }
                y[((n * g.outHeight + oy) * g.outWidth + ox) * c + ch] = s / d
            }
        } } }
        return y
    }

    /// PyTorch `interpolate(mode="bilinear", align_corners=False)`, taps computed in Double.
    static func bilinear(x: [Double], batch: Int, height: Int, width: Int, channels: Int, outHeight: Int, outWidth: Int) -> [Double] {
        func taps(_ inSize: Int, _ outSize: Int) -> [(Int, Int, Double)] {
            (0..<outSize).map { d in
                let s = max((Double(d) + 0.5) * Double(inSize) / Double(outSize) - 0.5, 0)
                let i0 = min(Int(s), inSize - 1)
                return (i0, min(i0 + 1, inSize - 1), s - Double(i0))
            }
        }
        let ty = taps(height, outHeight), tx = taps(width, outWidth)
        var y = [Double](repeating: 0, count: batch * outHeight * outWidth * channels)
        for n in 0..<batch { for oy in 0..<outHeight { for ox in 0..<outWidth { for c in 0..<channels {
            let (y0, y1, fy) = ty[oy], (x0, x1, fx) = tx[ox]
            func at(_ iy: Int, _ ix: Int) -> Double { x[((n * height + iy) * width + ix) * channels + c] }
            y[((n * outHeight + oy) * outWidth + ox) * channels + c] =
                (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) + fy * ((1 - fx) * at(y1, x0) + fx * at(y1, x1))
        } } } }
        return y
    }

    static func groupNorm(x: [Double], batch: Int, pixels: Int, channels: Int, groups: Int,
                          gamma: [Double]?, beta: [Double]?, eps: Double) -> [Double] {
        let per = channels / groups, m = Double(pixels * per)
        var y = x
        for n in 0..<batch { for g in 0..<groups {
            var idx = [Int]()
            for p in 0..<pixels { for c in 0..<per { idx.append((n * pixels + p) * channels + g * per + c) } }
            let mean = idx.reduce(0.0) { $0 + x[$1] } / m
            let variance = idx.reduce(0.0) { $0 + (x[$1] - mean) * (x[$1] - mean) } / m
            for i in idx {
                let c = i % channels
                y[i] = (x[i] - mean) / (variance + eps).squareRoot() * (gamma?[c] ?? 1) + (beta?[c] ?? 0)
            }
        } }
        return y
    }

    /// Training-mode batch norm: statistics of the batch (biased variance).
    static func batchNormTraining(x: [Double], rows: Int, channels: Int, gamma: [Double], beta: [Double], eps: Double) -> [Double] {
        groupNorm(x: x, batch: 1, pixels: rows, channels: channels, groups: channels, gamma: gamma, beta: beta, eps: eps)
    }

    static func linear(x: [Double], batch: Int, inFeatures: Int, outFeatures: Int, w: [Double], b: [Double]?) -> [Double] {
        var y = [Double](repeating: 0, count: batch * outFeatures)
        for n in 0..<batch { for o in 0..<outFeatures {
            var s = b?[o] ?? 0
            for i in 0..<inFeatures { s += x[n * inFeatures + i] * w[o * inFeatures + i] }
            y[n * outFeatures + o] = s
        } }
        return y
    }

    static func globalAvgPool(x: [Double], batch: Int, pixels: Int, channels: Int) -> [Double] {
        var y = [Double](repeating: 0, count: batch * channels)
        for n in 0..<batch { for p in 0..<pixels { for c in 0..<channels { y[n * channels + c] += x[(n * pixels + p) * channels + c] / Double(pixels) } } }
        return y
    }

    static func scaleChannels(x: [Double], batch: Int, pixels: Int, channels: Int, scale: [Double]) -> [Double] {
        var y = x
        for i in 0..<x.count { let n = i / (pixels * channels); y[i] = x[i] * scale[n * channels + i % channels] }
        return y
    }

    struct SE { var wr: [Double], br: [Double], we: [Double], be: [Double] }

    static func squeezeExcite(x: [Double], batch: Int, pixels: Int, channels: Int, mid: Int, _ p: SE) -> [Double] {
        let s = globalAvgPool(x: x, batch: batch, pixels: pixels, channels: channels)
        let z = linear(x: s, batch: batch, inFeatures: channels, outFeatures: mid, w: p.wr, b: p.br).map { activation(.relu, $0) }
        let e = linear(x: z, batch: batch, inFeatures: mid, outFeatures: channels, w: p.we, b: p.be).map { activation(.hsigmoid, $0) }
        return scaleChannels(x: x, batch: batch, pixels: pixels, channels: channels, scale: e)
    }

    static func softmax(_ z: [Double], rows: Int, columns: Int) -> [Double] {
        var y = z
        for r in 0..<rows {
            let row = z[(r * columns)..<((r + 1) * columns)], m = row.max()!
            let e = row.map { exp($0 - m) }, s = e.reduce(0, +)
            for i in 0..<columns { y[r * columns + i] = e[i] / s }
        }
        return y
    }

    /// PyTorch `CrossEntropyLoss(label_smoothing:)`, mean over the batch.
    static func crossEntropy(_ z: [Double], labels: [Int], classes: Int, labelSmoothing ls: Double) -> Double {
        let p = softmax(z, rows: labels.count, columns: classes)
        var total = 0.0
        for (n, label) in labels.enumerated() {
            for k in 0..<classes {
                let t = (k == label ? 1 - ls : 0) + ls / Double(classes)
                total -= t * log(p[n * classes + k])
            }
        }
        return total / Double(labels.count)
    }
}

extension Array where Element == Float {
    var doubles: [Double] { map(Double.init) }
}
