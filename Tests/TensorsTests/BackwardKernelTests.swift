import Foundation
import OFATestSupport
import Tensors
import Testing

/// Fast backward kernels against their reference loops on larger shapes (max |fast − reference| ≤ 1e-5 ·
/// max |reference|), the accumulation contract, and cross-entropy values worked out by hand.
struct BackwardKernelTests {
    static let convCases: [GeometryCase] = [
        GeometryCase(2, 20, 20, 24, 40, k: 1),                    // pointwise GEMMs
        GeometryCase(2, 40, 40, 4, 16, k: 3),                     // 3200 pixels: two im2col chunks
        GeometryCase(2, 40, 40, 8, 16, k: 3),                     // direct from eight input channels
        GeometryCase(2, 23, 17, 16, 24, k: 5, s: 2, g: 2, .tfSame), // tiles of two images × two columns
        GeometryCase(1, 29, 29, 20, 20, k: 5, s: 2, g: 2),        // lite-residual conv1: four-column tiles, 10-channel runs
        GeometryCase(8, 4, 4, 48, 48, k: 5, g: 2),                // lite-residual conv1 at batch 8: four-image tiles
        GeometryCase(5, 6, 7, 26, 30, k: 3, g: 2),                // a part tile of images; 13 and 15 channels per group
        GeometryCase(3, 15, 15, 32, 16, k: 1, s: 2),
        GeometryCase(2, 48, 48, 8, 44, k: 1),                     // bias sums split across threads (44 = 5·8 + 4)
    ]

    @Test(arguments: convCases)
    func convBackwardMatchesReference(_ c: GeometryCase) {
        let g = c.geometry
        let x = random(g.inputCount, seed: 201), w = random(g.weightCount, seed: 202), dy = random(g.outputCount, seed: 203)
        var scratch = [Float](repeating: .nan, count: max(conv2dScratchCount(g), 1))
        expectAgreement("dx",
            gradient(g.inputCount) { conv2dBackwardInput(g, dy: dy, weight: w, dx: $0, scratch: &scratch) },
            gradient(g.inputCount) { conv2dBackwardInputReference(g, dy: dy, weight: w, dx: $0) })
        expectAgreement("dw",
            gradient(g.weightCount) { conv2dBackwardWeight(g, x: x, dy: dy, dweight: $0, scratch: &scratch) },
            gradient(g.weightCount) { conv2dBackwardWeightReference(g, x: x, dy: dy, dweight: $0) })
        expectAgreement("db",
            gradient(g.outChannels) { conv2dBackwardBias(g, dy: dy, dbias: $0) },
            gradient(g.outChannels) { conv2dBackwardBiasReference(g, dy: dy, dbias: $0) })
    }

    /// Both gradients of a conv in one call — side by side for a small pointwise conv, one after the other for
    /// direct and im2col convs and large pointwise ones — give the bits of the two separate kernels.
    @Test(arguments: [(GeometryCase(2, 8, 8, 24, 40, k: 1), true), (GeometryCase(1, 16, 16, 32, 32, k: 5, g: 2), false),
                      (GeometryCase(2, 40, 40, 4, 16, k: 3), false), (GeometryCase(4, 64, 64, 24, 96, k: 1), false)])
    func bothConvGradientsEqualTheSeparateKernels(_ c: GeometryCase, sideBySide: Bool) {
        let g = c.geometry
        #expect(conv2dBackwardSideBySide(g) == sideBySide)
        let x = random(g.inputCount, seed: 261), w = random(g.weightCount, seed: 262), dy = random(g.outputCount, seed: 263)
        var scratch = [Float](repeating: .nan, count: max(conv2dBackwardScratchCount(g, input: true, weight: true), 1))
        let dx = gradient(g.inputCount) { conv2dBackwardInput(g, dy: dy, weight: w, dx: $0, scratch: &scratch) }
        let dw = gradient(g.weightCount) { conv2dBackwardWeight(g, x: x, dy: dy, dweight: $0, scratch: &scratch) }
        var pair = [Float](repeating: .nan, count: scratch.count)
        // dx accumulates onto zeros (im2col's col2im adds), dw overwrites NaN.
        var dx2 = [Float](repeating: 0, count: g.inputCount), dw2 = [Float](repeating: .nan, count: g.weightCount)
        pair.withUnsafeMutableBufferPointer { p in
            conv2dBackward(g, x: x, dy: dy, weight: w, dx: &dx2, dweight: &dw2, accumulateWeight: false,
                           scratch: g.isPointwise ? nil : p.baseAddress!, sideBySide: sideBySide)
        }
        #expect(dx2 == dx && dw2 == dw)
    }

    /// Pointwise convs over weight blocks (a row block at a time, the last one short) against the reference loops,
    /// with the blocks handed out from a separate buffer as the trainer does for 8-bit weights.
    @Test(arguments: [(40, 3), (40, 7), (1664, 157)])
    func pointwiseConvOverWeightBlocksMatchesReference(_ shape: (Int, Int)) {
        let (outChannels, blockRows) = shape
        let g = ConvGeometry(batch: 2, height: 9, width: 7, inChannels: 24, outChannels: outChannels, kernel: 1)
        let x = random(g.inputCount, seed: 221), w = random(g.weightCount, seed: 222), b = random(g.outChannels, seed: 223)
        let dy = random(g.outputCount, seed: 224)
        let block = UnsafeMutablePointer<Float>.allocate(capacity: blockRows * g.inChannels)
        defer { block.deallocate() }
        func rows(_ first: Int, _ count: Int) -> UnsafePointer<Float> {
            #expect(count <= blockRows)
            block.initialize(repeating: .nan, count: blockRows * g.inChannels)
            for i in 0..<(count * g.inChannels) { block[i] = w[first * g.inChannels + i] }
            return UnsafePointer(block)
        }
        expectAgreement("y",
            gradient(g.outputCount) { conv2dPointwiseForwardBlocked(g, x: x, bias: b, y: $0, blockRows: blockRows, weightRows: rows) },
            gradient(g.outputCount) { conv2dForwardReference(g, x: x, weight: w, bias: b, y: $0) })
        expectAgreement("dx",
            gradient(g.inputCount) { conv2dPointwiseBackwardInputBlocked(g, dy: dy, dx: $0, blockRows: blockRows, weightRows: rows) },
            gradient(g.inputCount) { conv2dBackwardInputReference(g, dy: dy, weight: w, dx: $0) })
        #expect(pointwiseWeightBlockRows(outChannels: 1664, inChannels: 416) == 157 && pointwiseWeightBlockRows(outChannels: 40, inChannels: 24) == 40)
    }

    static let depthwiseCases: [GeometryCase] = [
        .depthwise(2, 28, 28, 72, k: 5, s: 2, .tfSame),
        .depthwise(1, 56, 56, 24, k: 3),
        .depthwise(2, 14, 14, 45, k: 7),
        .depthwise(1, 15, 15, 33, k: 3, s: 2),
        .depthwise(2, 16, 21, 40, k: 5),             // stride 1, C a multiple of 8: four-pixel tiles for dx
        .depthwise(1, 10, 11, 16, k: 3, .tfSame),
    ]

    @Test(arguments: depthwiseCases)
    func depthwiseBackwardMatchesReference(_ c: GeometryCase) {
        let g = c.geometry, taps = g.kernel * g.kernel * g.inChannels
        let x = random(g.inputCount, seed: 211), w = random(taps, seed: 212), dy = random(g.outputCount, seed: 213)
        let dx = gradient(g.inputCount) { depthwiseConv2dBackwardInput(g, dy: dy, weight: w, dx: $0) }
        let dw = gradient(taps) { depthwiseConv2dBackwardWeight(g, x: x, dy: dy, dweight: $0) }
        expectAgreement("dx", dx, gradient(g.inputCount) { depthwiseConv2dBackwardInputReference(g, dy: dy, weight: w, dx: $0) })
        expectAgreement("dw", dw, gradient(taps) { depthwiseConv2dBackwardWeightReference(g, x: x, dy: dy, dweight: $0) })
        expectAgreement("db",
            gradient(g.inChannels) { depthwiseConv2dBackwardBias(g, dy: dy, dbias: $0) },
            gradient(g.inChannels) { depthwiseConv2dBackwardBiasReference(g, dy: dy, dbias: $0) })
        // The dense reference on the PyTorch layout (C,kh,kw,1) is an independent oracle for the layout.
        let torchW = (0..<taps).map { w[($0 % (g.kernel * g.kernel)) * g.inChannels + $0 / (g.kernel * g.kernel)] }
        expectAgreement("dx vs dense", dx, gradient(g.inputCount) { conv2dBackwardInputReference(g, dy: dy, weight: torchW, dx: $0) })
        let denseDw = gradient(taps) { conv2dBackwardWeightReference(g, x: x, dy: dy, dweight: $0) }
        expectAgreement("dw vs dense", dw, WeightLayout.depthwiseFromTorch(denseDw, channels: g.inChannels, kernel: g.kernel))
    }

    @Test(arguments: [(64, 130, 31), (1, 7, 3), (33, 1280, 102)])
    func linearBackwardMatchesReference(_ shape: (Int, Int, Int)) {
        let (n, i, o) = shape
        let x = random(n * i, seed: 221), w = random(o * i, seed: 222), dy = random(n * o, seed: 223)
        expectAgreement("dx",
            gradient(n * i) { linearBackwardInput(dy: dy, batch: n, inFeatures: i, outFeatures: o, weight: w, dx: $0) },
            gradient(n * i) { linearBackwardInputReference(dy: dy, batch: n, inFeatures: i, outFeatures: o, weight: w, dx: $0) })
        expectAgreement("dw",
            gradient(o * i) { linearBackwardWeight(dy: dy, x: x, batch: n, inFeatures: i, outFeatures: o, dweight: $0) },
            gradient(o * i) { linearBackwardWeightReference(dy: dy, x: x, batch: n, inFeatures: i, outFeatures: o, dweight: $0) })
        expectAgreement("db",
            gradient(o) { linearBackwardBias(dy: dy, batch: n, outFeatures: o, dbias: $0) },
            gradient(o) { linearBackwardBiasReference(dy: dy, batch: n, outFeatures: o, dbias: $0) })
    }

    @Test func vectorisedActivationBackwardMatchesScalarDerivative() {
        let count = 4099
        var x = random(count, in: -8...8, seed: 231)
        for (i, v) in [-3, 0, 3, 6].enumerated() { x[100 + i] = Float(v) }  // kinks inside the 8-lane loop
        let dy = random(count, seed: 232)
        for activation in Activation.allCases {
            let dx = gradient(count) { activationBackward(activation, x: x, dy: dy, count: count, dx: $0) }
            let expected = (0..<count).map { activation.derivative(x[$0]) * dy[$0] }
            #expect(Closeness(dx, expected, atol: 1e-7, rtol: 1e-6).passes, "\(activation)")
        }
    }

    /// Every backward kernel, each writing one gradient buffer: run twice from zero it must give twice the
    /// gradient, and from a non-zero buffer it must add to it.
    @Test func everyBackwardAccumulates() {
        let g = GeometryCase(2, 9, 7, 4, 6, k: 3, s: 2, g: 2, .tfSame).geometry
        let direct = GeometryCase(2, 5, 6, 16, 6, k: 3, s: 2, g: 2, .tfSame).geometry
        let p = GeometryCase(2, 9, 7, 4, 4, k: 1).geometry
        let d = GeometryCase.depthwise(2, 9, 7, 19, k: 5, s: 2).geometry
        let t = GeometryCase.depthwise(1, 6, 9, 16, k: 3).geometry   // dx in four-pixel tiles
        let x = random(max(g.inputCount, d.inputCount), seed: 241), dy = random(max(g.outputCount, d.outputCount, t.outputCount), seed: 242)
        let w = random(max(g.weightCount, direct.weightCount, d.kernel * d.kernel * d.inChannels, 64), seed: 243)
        var scratch = [Float](repeating: 0, count: conv2dScratchCount(g))
        let (n, pixels, c, mid) = (2, 63, 4, 2), gamma = random(c, in: 0.5...1.5, seed: 244)
        var mask = [UInt64](repeating: 0, count: activationMaskWordCount(100))
        activationMask(.relu6, values: x, count: 100, mask: &mask)
        let seScratch = UnsafeMutablePointer<Float>.allocate(capacity: squeezeExciteBackwardScratchCount(batch: n, channels: c, mid: mid))
        defer { seScratch.deallocate() }
        let labels = [1, 3]
        let kernels: [(String, Int, (UnsafeMutablePointer<Float>) -> Void)] = [
            ("conv dx", g.inputCount, { conv2dBackwardInput(g, dy: dy, weight: w, dx: $0, scratch: &scratch) }),
            ("conv dw", g.weightCount, { conv2dBackwardWeight(g, x: x, dy: dy, dweight: $0, scratch: &scratch) }),
            ("conv db", g.outChannels, { conv2dBackwardBias(g, dy: dy, dbias: $0) }),
            ("direct conv dx", direct.inputCount, { conv2dBackwardInput(direct, dy: dy, weight: w, dx: $0, scratch: &scratch) }),
            ("direct conv dw", direct.weightCount, { conv2dBackwardWeight(direct, x: x, dy: dy, dweight: $0, scratch: nil) }),
            ("conv dx ref", g.inputCount, { conv2dBackwardInputReference(g, dy: dy, weight: w, dx: $0) }),
            ("conv dw ref", g.weightCount, { conv2dBackwardWeightReference(g, x: x, dy: dy, dweight: $0) }),
            ("conv db ref", g.outChannels, { conv2dBackwardBiasReference(g, dy: dy, dbias: $0) }),
            ("pointwise dx", p.inputCount, { conv2dBackwardInput(p, dy: dy, weight: w, dx: $0, scratch: nil) }),
            ("pointwise dw", p.weightCount, { conv2dBackwardWeight(p, x: x, dy: dy, dweight: $0, scratch: nil) }),
            ("depthwise dx", d.inputCount, { depthwiseConv2dBackwardInput(d, dy: dy, weight: w, dx: $0) }),
            ("depthwise dx tiled", t.inputCount, { depthwiseConv2dBackwardInput(t, dy: dy, weight: w, dx: $0) }),
            ("depthwise dw", 25 * 19, { depthwiseConv2dBackwardWeight(d, x: x, dy: dy, dweight: $0) }),
            ("depthwise db", 19, { depthwiseConv2dBackwardBias(d, dy: dy, dbias: $0) }),
            ("depthwise dx ref", d.inputCount, { depthwiseConv2dBackwardInputReference(d, dy: dy, weight: w, dx: $0) }),
            ("depthwise dw ref", 25 * 19, { depthwiseConv2dBackwardWeightReference(d, x: x, dy: dy, dweight: $0) }),
            ("depthwise db ref", 19, { depthwiseConv2dBackwardBiasReference(d, dy: dy, dbias: $0) }),
            ("hswish", 100, { activationBackward(.hswish, x: x, dy: dy, count: 100, dx: $0) }),
            ("relu6 mask", 100, { reluBackward(dy: dy, mask: mask, count: 100, dx: $0) }),
            ("affine dx", 40, { channelAffineBackward(dy: dy, x: x, rows: 10, channels: c, scale: gamma, dx: $0, dscale: nil, dshift: nil) }),
            ("affine dscale", c, { channelAffineBackward(dy: dy, x: x, rows: 10, channels: c, scale: gamma, dx: nil, dscale: $0, dshift: nil) }),
            ("affine dshift", c, { channelAffineBackward(dy: dy, x: x, rows: 10, channels: c, scale: gamma, dx: nil, dscale: nil, dshift: $0) }),
            ("bn inference dx", 40, { batchNormInferenceBackward(dy: dy, x: x, rows: 10, channels: c, gamma: gamma, mean: w, variance: gamma, eps: 1e-3, dx: $0, dgamma: nil, dbeta: nil) }),
            ("bn inference dgamma", c, { batchNormInferenceBackward(dy: dy, x: x, rows: 10, channels: c, gamma: gamma, mean: w, variance: gamma, eps: 1e-3, dx: nil, dgamma: $0, dbeta: nil) }),
            ("bn training dx", 40, { batchNormTrainingBackward(dy: dy, x: x, rows: 10, channels: c, gamma: gamma, eps: 1e-3, dx: $0, dgamma: nil, dbeta: nil) }),
            ("bn training dgamma", c, { batchNormTrainingBackward(dy: dy, x: x, rows: 10, channels: c, gamma: gamma, eps: 1e-3, dx: nil, dgamma: $0, dbeta: nil) }),
            ("bn training dbeta", c, { batchNormTrainingBackward(dy: dy, x: x, rows: 10, channels: c, gamma: gamma, eps: 1e-3, dx: nil, dgamma: nil, dbeta: $0) }),
            ("group norm dx", n * pixels * c, { groupNormBackward(dy: dy, x: x, batch: n, pixels: pixels, channels: c, groups: 2, gamma: gamma, eps: 1e-3, dx: $0, dgamma: nil, dbeta: nil) }),
            ("group norm dgamma", c, { groupNormBackward(dy: dy, x: x, batch: n, pixels: pixels, channels: c, groups: 2, gamma: gamma, eps: 1e-3, dx: nil, dgamma: $0, dbeta: nil) }),
            ("group norm dbeta", c, { groupNormBackward(dy: dy, x: x, batch: n, pixels: pixels, channels: c, groups: 2, gamma: gamma, eps: 1e-3, dx: nil, dgamma: nil, dbeta: $0) }),
            ("linear dx", 2 * 8, { linearBackwardInput(dy: dy, batch: 2, inFeatures: 8, outFeatures: 5, weight: w, dx: $0) }),
            ("linear dw", 5 * 8, { linearBackwardWeight(dy: dy, x: x, batch: 2, inFeatures: 8, outFeatures: 5, dweight: $0) }),
            ("linear db", 5, { linearBackwardBias(dy: dy, batch: 2, outFeatures: 5, dbias: $0) }),
            ("softmax", 4, { softmaxBackward(y: gamma, dy: dy, rows: 2, columns: 2, dx: $0) }),
            ("scale dx", n * pixels * c, { scaleChannelsBackward(dy: dy, x: nil, batch: n, pixels: pixels, channels: c, scale: w, dx: $0, dscale: nil) }),
            ("scale dscale", n * c, { scaleChannelsBackward(dy: dy, x: x, batch: n, pixels: pixels, channels: c, scale: w, dx: nil, dscale: $0) }),
            ("global pool", n * pixels * c, { globalAvgPoolBackward(dy: dy, batch: n, pixels: pixels, channels: c, dx: $0) }),
            ("avg pool", d.inputCount, { avgPool2dBackward(d, dy: dy, countIncludePad: false, dx: $0) }),
            ("bilinear", 2 * 3 * 4 * 5, { bilinearResizeBackward(dy: dy, batch: 2, height: 3, width: 4, channels: 5, outHeight: 7, outWidth: 5, dx: $0) }),
            ("add a", 50, { addBackward(dy: dy, count: 50, da: $0, db: nil) }),
            ("add b", 50, { addBackward(dy: dy, count: 50, da: nil, db: $0) }),
            ("cross-entropy", 2 * 7, { _ = softmaxCrossEntropy(logits: x, labels: labels, batch: 2, classes: 7, labelSmoothing: 0.1, dlogits: $0) }),
        ] + seKernels(x: x, dy: dy, w: w, n: n, pixels: pixels, c: c, mid: mid, scratch: seScratch)
        for (name, count, run) in kernels {
            let once = gradient(count, run)
            let twice = gradient(count) { run($0); run($0) }
            #expect(once.contains { $0 != 0 }, "\(name): gradient is all zero")
            expectAgreement("\(name) twice", twice, once.map { 2 * $0 }, tolerance: 1e-5)
            let start = random(count, seed: 245)
            var onto = start
            onto.withUnsafeMutableBufferPointer { run($0.baseAddress!) }
            expectAgreement("\(name) onto non-zero", onto, zip(start, once).map { $0 + $1 }, tolerance: 1e-5)
        }
    }

    /// The kernels that can overwrite (`accumulate: false`): from a NaN-filled buffer they give the bits of the
    /// accumulating kernel run onto zeros (up to the sign of zero), on shapes that take every code path (im2col
    /// chunks for dw, depthwise rows and columns no output reads, four-pixel tiles, weight blocks, thread splits).
    @Test func overwritingBackwardsEqualAccumulatingOntoZeros() {
        let p = GeometryCase(2, 9, 7, 4, 6, k: 1).geometry
        let big = GeometryCase(2, 40, 40, 4, 16, k: 3).geometry          // dw over two im2col chunks
        let lite = GeometryCase(1, 29, 29, 20, 20, k: 5, s: 2, g: 2).geometry   // direct
        let d = GeometryCase.depthwise(2, 10, 8, 19, k: 3, s: 2, .explicit(0)).geometry  // row 9 feeds no output
        let t = GeometryCase.depthwise(1, 6, 9, 16, k: 3).geometry        // dx in four-pixel tiles
        let wide = GeometryCase(2, 48, 48, 8, 44, k: 1).geometry          // GEMM and bias sums split across threads
        let inputs = [p, big, lite, d, t, wide].map(\.inputCount).max()!, outputs = [p, big, lite, d, t, wide].map(\.outputCount).max()!
        let x = random(inputs, seed: 251), dy = random(outputs, seed: 252), w = random(big.weightCount + lite.weightCount + 64 * 44, seed: 253)
        var scratch = [Float](repeating: .nan, count: max(conv2dScratchCount(big), conv2dScratchCount(lite)))
        let kernels: [(String, Int, (UnsafeMutablePointer<Float>, Bool) -> Void)] = [
            ("pointwise dx", p.inputCount, { conv2dBackwardInput(p, dy: dy, weight: w, dx: $0, scratch: nil, accumulate: $1) }),
            ("pointwise dx split", wide.inputCount, { conv2dBackwardInput(wide, dy: dy, weight: w, dx: $0, scratch: nil, accumulate: $1) }),
            ("pointwise dx blocks", p.inputCount, { out, accumulate in
                w.withUnsafeBufferPointer { weights in
                    conv2dPointwiseBackwardInputBlocked(p, dy: dy, dx: out, accumulate: accumulate, blockRows: 4) { first, _ in
                        weights.baseAddress! + first * p.inChannels
                    }
                }
            }),
            ("pointwise dw", p.weightCount, { conv2dBackwardWeight(p, x: x, dy: dy, dweight: $0, scratch: nil, accumulate: $1) }),
            ("pointwise dw split", wide.weightCount, { conv2dBackwardWeight(wide, x: x, dy: dy, dweight: $0, scratch: nil, accumulate: $1) }),
            ("conv dw chunks", big.weightCount, { conv2dBackwardWeight(big, x: x, dy: dy, dweight: $0, scratch: &scratch, accumulate: $1) }),
            ("lite conv dw", lite.weightCount, { conv2dBackwardWeight(lite, x: x, dy: dy, dweight: $0, scratch: &scratch, accumulate: $1) }),
            ("lite conv dx", lite.inputCount, { conv2dBackwardInput(lite, dy: dy, weight: w, dx: $0, scratch: &scratch, accumulate: $1) }),
            ("conv db", wide.outChannels, { conv2dBackwardBias(wide, dy: dy, dbias: $0, accumulate: $1) }),
            ("depthwise dx", d.inputCount, { depthwiseConv2dBackwardInput(d, dy: dy, weight: w, dx: $0, accumulate: $1) }),
            ("depthwise dx tiled", t.inputCount, { depthwiseConv2dBackwardInput(t, dy: dy, weight: w, dx: $0, accumulate: $1) }),
            ("add a", 50, { addBackward(dy: dy, count: 50, da: $0, db: nil, accumulateA: $1) }),
            ("add b", 50, { addBackward(dy: dy, count: 50, da: nil, db: $0, accumulateB: $1) }),
            ("global pool", 2 * 63 * 12, { globalAvgPoolBackward(dy: dy, batch: 2, pixels: 63, channels: 12, dx: $0, accumulate: $1) }),
        ]
        for (name, count, run) in kernels {
            let onto = gradient(count) { run($0, true) }
            var overwritten = [Float](repeating: .nan, count: count)
            overwritten.withUnsafeMutableBufferPointer { run($0.baseAddress!, false) }
            #expect(onto.contains { $0 != 0 }, "\(name): gradient is all zero")
            #expect(zip(overwritten, onto).allSatisfy { $0 == $1 }, "\(name): overwriting differs from accumulating onto zeros")
        }
    }

    private func seKernels(
        x: [Float], dy: [Float], w: [Float], n: Int, pixels: Int, c: Int, mid: Int, scratch: UnsafeMutablePointer<Float>
    ) -> [(String, Int, (UnsafeMutablePointer<Float>) -> Void)] {
        func se(_ which: Int) -> (UnsafeMutablePointer<Float>) -> Void {
            { out in
                squeezeExciteBackward(dy: dy, x: x, batch: n, pixels: pixels, channels: c, mid: mid,
                                      reduceWeight: w, reduceBias: w, expandWeight: w, expandBias: w,
                                      dx: which == 0 ? out : nil, dReduceWeight: which == 1 ? out : nil,
                                      dReduceBias: which == 2 ? out : nil, dExpandWeight: which == 3 ? out : nil,
                                      dExpandBias: which == 4 ? out : nil, scratch: scratch)
            }
        }
        return [("SE dx", n * pixels * c, se(0)), ("SE dReduceWeight", mid * c, se(1)), ("SE dReduceBias", mid, se(2)),
                ("SE dExpandWeight", c * mid, se(3)), ("SE dExpandBias", c, se(4))]
    }

    @Test func crossEntropyMatchesHandComputedValues() {
        // Row 0: logits (1, 2, 3), label 0. logΣe^z = log(e + e² + e³) = 3.40760596444438;
        // p = (0.0900305731703805, 0.244728471054798, 0.665240955774822).
        // Row 1: logits (0, 0, 0), label 1: p = 1/3 each, loss log 3.
        let logits: [Float] = [1, 2, 3, 0, 0, 0], labels = [0, 1]
        let lse = 3.40760596444438, p0 = [0.0900305731703805, 0.244728471054798, 0.665240955774822]
        for ls in [0.0, 0.1] {
            // loss_n = lse − Σ_k t_k z_k with t = (1 − ls)·onehot + ls/3.
            let loss0 = lse - ((1 - ls) * 1 + ls / 3 * 6), loss1 = log(3.0)
            let t0 = [1 - ls + ls / 3, ls / 3, ls / 3], t1 = [ls / 3, 1 - ls + ls / 3, ls / 3]
            let expected = [p0[0] - t0[0], p0[1] - t0[1], p0[2] - t0[2],
                            1.0 / 3 - t1[0], 1.0 / 3 - t1[1], 1.0 / 3 - t1[2]].map { $0 / 2 }
            var dz = [Float](repeating: 0, count: 6)
            let loss = softmaxCrossEntropy(logits: logits, labels: labels, batch: 2, classes: 3, labelSmoothing: Float(ls), dlogits: &dz)
            #expect(abs(Double(loss) - (loss0 + loss1) / 2) < 1e-6, "ls \(ls): loss \(loss)")
            #expect(Closeness(dz, expected, atol: 1e-7).passes, "ls \(ls): \(Closeness(dz, expected, atol: 1e-7))")
        }
        // ls 0 row 0 alone: 2.40760596444438; ls 0.1: 2.30760596444438.
        #expect(abs(softmaxCrossEntropy(logits: logits, labels: labels, batch: 1, classes: 3, dlogits: nil) - 2.4076059) < 1e-6)
        // Large logits neither overflow nor lose the loss: (1000, 0) with label 1 costs 1000.
        let big = softmaxCrossEntropy(logits: [1000, 0], labels: [1], batch: 1, classes: 2, dlogits: nil)
        #expect(big == 1000)
    }
}
