import OFATestSupport
import Tensors
import Testing

/// Every spatial backward kernel (fast and reference) against central differences in Double on tiny shapes:
/// odd sizes, stride 2, groups, symmetric / TF-same / explicit padding. Tolerance: max |analytic − numeric|
/// ≤ 1e-4 · max |numeric| (the kernels run in Float; the loss is evaluated in Double).
struct GradientCheckTests {
    static let convCases: [GeometryCase] = [
        GeometryCase(2, 5, 5, 3, 4, k: 1),                        // pointwise: one GEMM
        GeometryCase(1, 5, 6, 4, 3, k: 1, s: 2),                  // 1x1 stride 2: im2col path
        GeometryCase(2, 5, 7, 3, 4, k: 3, s: 2, .tfSame),         // asymmetric padding
        GeometryCase(1, 6, 6, 3, 4, k: 3, s: 2, .tfSame),         // all padding at the bottom/right
        GeometryCase(1, 5, 5, 4, 6, k: 3, g: 2),
        GeometryCase(1, 7, 6, 4, 4, k: 5, s: 2, g: 2),            // the lite-residual conv1 shape
        GeometryCase(1, 5, 4, 4, 2, k: 3, s: 2, g: 2, .explicit(0)),
        GeometryCase(1, 5, 5, 3, 3, k: 3, g: 3),                  // depthwise through the dense kernel
    ]

    @Test(arguments: convCases)
    func convBackwardMatchesFiniteDifferences(_ c: GeometryCase) {
        let g = c.geometry
        let x = random(g.inputCount, seed: 101), w = random(g.weightCount, seed: 102), b = random(g.outChannels, seed: 103)
        let r = random(g.outputCount, seed: 104)
        var scratch = [Float](repeating: .nan, count: max(conv2dScratchCount(g), 1))
        let dx = gradient(g.inputCount) { conv2dBackwardInput(g, dy: r, weight: w, dx: $0, scratch: &scratch) }
        let dxRef = gradient(g.inputCount) { conv2dBackwardInputReference(g, dy: r, weight: w, dx: $0) }
        let dw = gradient(g.weightCount) { conv2dBackwardWeight(g, x: x, dy: r, dweight: $0, scratch: &scratch) }
        let dwRef = gradient(g.weightCount) { conv2dBackwardWeightReference(g, x: x, dy: r, dweight: $0) }
        let db = gradient(g.outChannels) { conv2dBackwardBias(g, dy: r, dbias: $0) }
        let dbRef = gradient(g.outChannels) { conv2dBackwardBiasReference(g, dy: r, dbias: $0) }
        let (xd, wd, bd) = (x.doubles, w.doubles, b.doubles)
        for (name, analytic) in [("dx", dx), ("dx reference", dxRef)] {
            expectGradient(name, analytic, at: x, r: r) { DoubleForward.conv2d(g, x: $0, w: wd, b: bd) }
        }
        for (name, analytic) in [("dw", dw), ("dw reference", dwRef)] {
            expectGradient(name, analytic, at: w, r: r) { DoubleForward.conv2d(g, x: xd, w: $0, b: bd) }
        }
        for (name, analytic) in [("db", db), ("db reference", dbRef)] {
            expectGradient(name, analytic, at: b, r: r) { DoubleForward.conv2d(g, x: xd, w: wd, b: $0) }
        }
    }

    static let depthwiseCases: [GeometryCase] = [
        .depthwise(1, 5, 7, 3, k: 3),
        .depthwise(2, 6, 5, 11, k: 5, s: 2, .tfSame),
        .depthwise(1, 7, 7, 17, k: 3, s: 2),                      // 16-lane block plus a scalar tail
        .depthwise(1, 4, 3, 9, k: 5, s: 2),                       // window larger than the input
        .depthwise(1, 6, 6, 20, k: 7, .tfSame),
        .depthwise(1, 5, 5, 8, k: 3, s: 2, .explicit(0)),
    ]

    @Test(arguments: depthwiseCases)
    func depthwiseBackwardMatchesFiniteDifferences(_ c: GeometryCase) {
        let g = c.geometry, taps = g.kernel * g.kernel * g.inChannels
        let x = random(g.inputCount, seed: 111), w = random(taps, seed: 112), b = random(g.inChannels, seed: 113)
        let r = random(g.outputCount, seed: 114)
        let dx = gradient(g.inputCount) { depthwiseConv2dBackwardInput(g, dy: r, weight: w, dx: $0) }
        let dxRef = gradient(g.inputCount) { depthwiseConv2dBackwardInputReference(g, dy: r, weight: w, dx: $0) }
        let dw = gradient(taps) { depthwiseConv2dBackwardWeight(g, x: x, dy: r, dweight: $0) }
        let dwRef = gradient(taps) { depthwiseConv2dBackwardWeightReference(g, x: x, dy: r, dweight: $0) }
        let db = gradient(g.inChannels) { depthwiseConv2dBackwardBias(g, dy: r, dbias: $0) }
        let dbRef = gradient(g.inChannels) { depthwiseConv2dBackwardBiasReference(g, dy: r, dbias: $0) }
        let (xd, wd, bd) = (x.doubles, w.doubles, b.doubles)
        for (name, analytic) in [("dx", dx), ("dx reference", dxRef)] {
            expectGradient(name, analytic, at: x, r: r) { DoubleForward.depthwise(g, x: $0, w: wd, b: bd) }
        }
        for (name, analytic) in [("dw", dw), ("dw reference", dwRef)] {
            expectGradient(name, analytic, at: w, r: r) { DoubleForward.depthwise(g, x: xd, w: $0, b: bd) }
        }
        for (name, analytic) in [("db", db), ("db reference", dbRef)] {
            expectGradient(name, analytic, at: b, r: r) { DoubleForward.depthwise(g, x: xd, w: wd, b: $0) }
        }
    }

    static let poolCases: [GeometryCase] = [
        .depthwise(2, 5, 7, 3, k: 3, s: 2, .explicit(1)),
        .depthwise(1, 7, 7, 4, k: 2, s: 2, .explicit(0)),         // lite-residual downsample: 7 -> 3 (floor)
        .depthwise(1, 6, 5, 5, k: 3),
        .depthwise(1, 5, 5, 2, k: 3, s: 2, .tfSame),
    ]

    @Test(arguments: poolCases)
    func avgPoolBackwardMatchesFiniteDifferences(_ c: GeometryCase) {
        let g = c.geometry
        let x = random(g.inputCount, seed: 121), r = random(g.outputCount, seed: 122)
        for includePad in [true, false] {
            let dx = gradient(g.inputCount) { avgPool2dBackward(g, dy: r, countIncludePad: includePad, dx: $0) }
            expectGradient("countIncludePad \(includePad)", dx, at: x, r: r) {
                DoubleForward.avgPool(g, x: $0, countIncludePad: includePad)
            }
        }
    }

    @Test(arguments: [(3, 4, 7, 9), (7, 5, 3, 2), (4, 4, 4, 4), (1, 3, 4, 5), (3, 3, 7, 7)])
    func bilinearBackwardMatchesFiniteDifferences(_ shape: (Int, Int, Int, Int)) {
        let (h, w, oh, ow) = shape, n = 2, c = 3
        let x = random(n * h * w * c, seed: 131), r = random(n * oh * ow * c, seed: 132)
        let dx = gradient(x.count) {
            bilinearResizeBackward(dy: r, batch: n, height: h, width: w, channels: c, outHeight: oh, outWidth: ow, dx: $0)
        }
        expectGradient("\(h)x\(w) -> \(oh)x\(ow)", dx, at: x, r: r) {
            DoubleForward.bilinear(x: $0, batch: n, height: h, width: w, channels: c, outHeight: oh, outWidth: ow)
        }
    }

    @Test func globalAvgPoolAndScaleChannelsBackwardMatchFiniteDifferences() {
        let (n, p, c) = (2, 5, 7)
        let x = random(n * p * c, seed: 141), scale = random(n * c, seed: 142)
        let rPool = random(n * c, seed: 143), rScale = random(n * p * c, seed: 144)
        let dxPool = gradient(x.count) { globalAvgPoolBackward(dy: rPool, batch: n, pixels: p, channels: c, dx: $0) }
        expectGradient("global pool dx", dxPool, at: x, r: rPool) { DoubleForward.globalAvgPool(x: $0, batch: n, pixels: p, channels: c) }
        let dx = gradient(x.count) {
            scaleChannelsBackward(dy: rScale, x: nil, batch: n, pixels: p, channels: c, scale: scale, dx: $0, dscale: nil)
        }
        let dscale = gradient(scale.count) {
            scaleChannelsBackward(dy: rScale, x: x, batch: n, pixels: p, channels: c, scale: scale, dx: nil, dscale: $0)
        }
        let (xd, sd) = (x.doubles, scale.doubles)
        expectGradient("scale dx", dx, at: x, r: rScale) { DoubleForward.scaleChannels(x: $0, batch: n, pixels: p, channels: c, scale: sd) }
        expectGradient("scale dscale", dscale, at: scale, r: rScale) {
            DoubleForward.scaleChannels(x: xd, batch: n, pixels: p, channels: c, scale: $0)
        }
    }
}
