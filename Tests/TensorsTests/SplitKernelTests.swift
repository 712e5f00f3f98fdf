import Foundation
import OFATestSupport
import Tensors
import Testing

/// The memory-bound passes split across threads (residual adds, pooling, resizing, per-channel sums) on shapes
/// large enough to split, against plain loops written out here: bit for bit where each output is one chain of
/// the same float operations, within float rounding where the split regroups a sum.
struct SplitKernelTests {
    @Test func residualAddAndItsGradientEqualPlainLoops() {
        let n = 40_003
        let a = Tensor.random(shape: [n], seed: 60).values, b = Tensor.random(shape: [n], seed: 61).values
        var y = [Float](repeating: .nan, count: n)
        addForward(a, b, count: n, y: &y)
        #expect(y.map(\.bitPattern) == zip(a, b).map { ($0 + $1).bitPattern })
        var da = b, db = [Float](repeating: .nan, count: n)
        addBackward(dy: a, count: n, da: &da, db: &db, accumulateA: true, accumulateB: false)
        #expect(da.map(\.bitPattern) == zip(b, a).map { ($0 + $1).bitPattern })
        #expect(db.map(\.bitPattern) == a.map(\.bitPattern))
    }

    /// One image (the chunked front's batch): the output rows are what splits.
    @Test func averagePoolForwardEqualsPlainLoop() {
        let g = ConvGeometry(batch: 1, height: 64, width: 64, inChannels: 40, outChannels: 40, kernel: 2, stride: 2, groups: 40, padding: .explicit(0))
        let x = Tensor.random(shape: [g.inputCount], seed: 62).values
        var y = [Float](repeating: .nan, count: g.outputCount)
        avgPool2dForward(g, x: x, y: &y)
        var expected = [Float](repeating: 0, count: g.outputCount)
        for oy in 0..<32 { for ox in 0..<32 { for c in 0..<40 {
            var sum: Float = 0
            for ky in 0..<2 { for kx in 0..<2 { sum += x[((2 * oy + ky) * 64 + 2 * ox + kx) * 40 + c] } }
            expected[(oy * 32 + ox) * 40 + c] = sum / 4
        } } }
        #expect(y.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    @Test func globalAveragePoolAndItsGradientEqualPlainLoops() {
        let (batch, pixels, channels) = (2, 1024, 40)
        let x = Tensor.random(shape: [batch * pixels * channels], seed: 63).values
        var y = [Float](repeating: .nan, count: batch * channels)
        globalAvgPoolForward(x: x, batch: batch, pixels: pixels, channels: channels, y: &y)
        var expected = [Float](repeating: 0, count: batch * channels)
        for n in 0..<batch { for c in 0..<channels {
            var sum: Float = 0
            for p in 0..<pixels { sum += x[(n * pixels + p) * channels + c] }
            expected[n * channels + c] = sum * (1 / Float(pixels))
        } }
        #expect(y.map(\.bitPattern) == expected.map(\.bitPattern))

        var dx = [Float](repeating: .nan, count: x.count)
        globalAvgPoolBackward(dy: y, batch: batch, pixels: pixels, channels: channels, dx: &dx, accumulate: false)
        let spread = x.indices.map { i in y[i / (pixels * channels) * channels + i % channels] * (1 / Float(pixels)) }
        #expect(dx.map(\.bitPattern) == spread.map(\.bitPattern))
    }

    @Test func bilinearUpsampleOfOneImageEqualsPlainLoop() {
        let (h, w, c, oh, ow) = (16, 16, 40, 32, 32)
        let x = Tensor.random(shape: [h * w * c], seed: 64).values
        var y = [Float](repeating: .nan, count: oh * ow * c)
        bilinearResizeForward(x: x, batch: 1, height: h, width: w, channels: c, outHeight: oh, outWidth: ow, y: &y)
        func taps(_ d: Int) -> (Int, Int, Float) {   // in/out = 1/2, align_corners=False
            let s = max((Float(d) + 0.5) * 0.5 - 0.5, 0), i0 = min(Int(s), 15)
            return (i0, min(i0 + 1, 15), s - Float(i0))
        }
        var expected = [Float](repeating: 0, count: y.count)
        for oy in 0..<oh { for ox in 0..<ow { for ch in 0..<c {
            let (y0, y1, fy) = taps(oy), (x0, x1, fx) = taps(ox)
            func at(_ iy: Int, _ ix: Int) -> Float { x[(iy * w + ix) * c + ch] }
            expected[(oy * ow + ox) * c + ch] = (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) + fy * ((1 - fx) * at(y1, x0) + fx * at(y1, x1))
        } } }
        #expect(Closeness(y, expected, atol: 1e-6, rtol: 1e-6).passes)
    }

    /// Row-split bias sums (dβ) and channel-split scale sums (dγ) of a frozen norm against Double loops.
    @Test func frozenNormParameterGradientsEqualDoubleSums() {
        let (rows, channels) = (4_001, 40)
        let dy = Tensor.random(shape: [rows * channels], seed: 65).values, x = Tensor.random(shape: [rows * channels], seed: 66).values
        let gamma = Tensor.random(shape: [channels], in: 0.5...1.5, seed: 67).values
        let mean = Tensor.random(shape: [channels], seed: 68).values, variance = Tensor.random(shape: [channels], in: 0.1...2, seed: 69).values
        var dgamma = [Float](repeating: 1, count: channels), dbeta = dgamma
        batchNormInferenceBackward(dy: dy, x: x, rows: rows, channels: channels, gamma: gamma, mean: mean, variance: variance,
                                   eps: 1e-3, dx: nil, dgamma: &dgamma, dbeta: &dbeta)
        var expectedGamma = [Double](repeating: 1, count: channels), expectedBeta = expectedGamma
        for c in 0..<channels {
            var sg = 0.0, sb = 0.0
            for r in 0..<rows {
                let g = Double(dy[r * channels + c])
                sg += g * (Double(x[r * channels + c]) - Double(mean[c])); sb += g
            }
            expectedGamma[c] += sg / (Double(variance[c]) + 1e-3).squareRoot(); expectedBeta[c] += sb
        }
        #expect(Closeness(dgamma, expectedGamma, atol: 1e-4, rtol: 1e-6).passes)
        #expect(Closeness(dbeta, expectedBeta, atol: 1e-4, rtol: 1e-6).passes)
    }
}

/// GroupNorm's vectorised kernels (channel sums split across threads, then eight channels at a time) against the
/// per-(sample, group) loops in Double, on shapes whose sums split: TinyTL's eight channels per group, four per
/// group with a channel count off a multiple of eight, γ and β given or not, a fused activation.
struct GroupNormKernelTests {
    @Test(arguments: [(3, 96, 40, 5, true), (2, 130, 12, 3, false), (1, 4096, 24, 3, true)])
    func groupNormEqualsReferenceLoops(_ shape: (batch: Int, pixels: Int, channels: Int, groups: Int, affine: Bool)) {
        let (n, p, c, groups, affine) = shape
        let x = random(n * p * c, in: -2...3, seed: 71), dy = random(n * p * c, seed: 72)
        let gamma = random(c, in: 0.5...1.5, seed: 73), beta = random(c, seed: 74)
        for activation in [Activation.identity, .relu6] {
            expectAgreement("y \(activation)",
                gradient(n * p * c) { groupNormForward(x: x, batch: n, pixels: p, channels: c, groups: groups, gamma: affine ? gamma : nil,
                                                       beta: affine ? beta : nil, eps: 1e-5, activation: activation, y: $0) },
                gradient(n * p * c) { groupNormForwardReference(x: x, batch: n, pixels: p, channels: c, groups: groups, gamma: affine ? gamma : nil,
                                                                beta: affine ? beta : nil, eps: 1e-5, activation: activation, y: $0) })
        }
        func backward(_ which: Int, reference: Bool) -> [Float] {
            gradient(which == 0 ? n * p * c : c) { out in
                let (dx, dgamma, dbeta) = (which == 0 ? out : nil, which == 1 ? out : nil, which == 2 ? out : nil)
                if reference {
                    groupNormBackwardReference(dy: dy, x: x, batch: n, pixels: p, channels: c, groups: groups, gamma: affine ? gamma : nil,
                                               eps: 1e-5, dx: dx, dgamma: dgamma, dbeta: dbeta)
                } else {
                    groupNormBackward(dy: dy, x: x, batch: n, pixels: p, channels: c, groups: groups, gamma: affine ? gamma : nil,
                                      eps: 1e-5, dx: dx, dgamma: dgamma, dbeta: dbeta)
                }
            }
        }
        for (which, name) in ["dx", "dgamma", "dbeta"].enumerated() {
            expectAgreement(name, backward(which, reference: false), backward(which, reference: true))
        }
    }
}
