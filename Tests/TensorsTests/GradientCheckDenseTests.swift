import Foundation
import OFATestSupport
import Tensors
import Testing

/// Pointwise, normalisation, linear, squeeze-excite and loss backward kernels against central differences
/// in Double. Tolerance: max |analytic − numeric| ≤ 1e-4 · max |numeric|; test points stay 0.02 away from kinks.
struct GradientCheckDenseTests {
    @Test(arguments: Activation.allCases)
    func activationBackwardFromInputMatchesFiniteDifferences(_ activation: Activation) {
        let count = 203  // odd: exercises the scalar tail after the 8-lane loop
        let x = randomAvoiding(count, in: -8...8, kinks: [-3, 0, 3, 6], seed: 150)
        let r = random(count, seed: 151)
        let dx = gradient(count) { activationBackward(activation, x: x, dy: r, count: count, dx: $0) }
        expectGradient("\(activation)", dx, at: x, r: r) { $0.map { DoubleForward.activation(activation, $0) } }
    }

    @Test(arguments: [Activation.relu, .relu6], [64, 203, 1000])
    func reluBackwardFromMaskMatchesFiniteDifferences(_ activation: Activation, _ count: Int) {
        let x = randomAvoiding(count, in: -8...8, kinks: [0, 6], seed: 152)
        let y = x.map { activation($0) }, r = random(count, seed: 153)
        var fromX = [UInt64](repeating: .max, count: activationMaskWordCount(count)), fromY = fromX
        activationMask(activation, values: x, count: count, mask: &fromX)
        activationMask(activation, values: y, count: count, mask: &fromY)
        #expect(fromX == fromY, "the mask is the same from the input and the output")
        for i in 0..<(fromX.count * 64) {
            let bit = (fromX[i / 64] >> UInt64(i % 64)) & 1 == 1
            #expect(bit == (i < count && activation.derivative(x[i]) == 1), "bit \(i)")
        }
        let dx = gradient(count) { reluBackward(dy: r, mask: fromX, count: count, dx: $0) }
        expectGradient("\(activation) mask", dx, at: x, r: r) { $0.map { DoubleForward.activation(activation, $0) } }
    }

    /// The fused forward gives the values and mask words of `Activation.apply` followed by `activationMask`,
    /// tails, kinks and NaN included.
    @Test(arguments: [Activation.relu, .relu6], [64, 203, 70_000])
    func activationWithMaskEqualsApplyThenMask(_ activation: Activation, _ count: Int) {
        var x = random(count, in: -8...8, seed: 154)
        for (i, v) in [0, 6, -0.0, .nan, 6.5, .infinity, -.infinity].enumerated() { x[(37 * i) % count] = Float(v) }
        var applied = x, fused = x
        applied.withUnsafeMutableBufferPointer { activation.apply($0.baseAddress!, count: count) }
        var expected = [UInt64](repeating: .max, count: activationMaskWordCount(count)), mask = expected
        activationMask(activation, values: applied, count: count, mask: &expected)
        applyActivationWithMask(activation, values: &fused, count: count, mask: &mask)
        #expect(mask == expected)
        #expect(zip(fused, applied).allSatisfy { $0.bitPattern == $1.bitPattern })
    }

    @Test func reluBackwardBlocksNonFiniteGradients() {
        // threshold_backward returns 0 where the input was negative, whatever dy holds there.
        let x: [Float] = [-1, 1, -2, 2, -1, -1, 1, 1] + [Float](repeating: -1, count: 64)
        var dy = [Float](repeating: .infinity, count: x.count)
        dy[1] = 2; dy[3] = .nan; dy[70] = .nan
        var mask = [UInt64](repeating: 0, count: activationMaskWordCount(x.count))
        activationMask(.relu, values: x, count: x.count, mask: &mask)
        let dx = gradient(x.count) { reluBackward(dy: dy, mask: mask, count: x.count, dx: $0) }
        #expect(dx[0] == 0 && dx[1] == 2 && dx[2] == 0 && dx[3].isNaN && dx[6] == .infinity && dx[70] == 0)
        #expect(dx[8...].allSatisfy { $0 == 0 })
    }

    @Test func derivativesAtKinksFollowPyTorch() {
        // hardswish_backward: 0 below −3, x/3 + 1/2 on [−3, 3], 1 above; hardsigmoid_backward: 1/6 on (−3, 3) only;
        // threshold_backward (ReLU) and hardtanh_backward (ReLU6): open intervals.
        let points: [Float] = [-3, 0, 3, 6]
        let expected: [Activation: [Float]] = [
            .relu: [0, 0, 1, 1], .relu6: [0, 0, 1, 0], .hswish: [-0.5, 0.5, 1.5, 1],
            .hsigmoid: [0, 1.0 / 6, 0, 0], .identity: [1, 1, 1, 1],
        ]
        for (activation, values) in expected {
            #expect(points.map { activation.derivative($0) } == values, "\(activation) scalar")
            var x = [Float](repeating: 0, count: 8)
            for i in 0..<8 { x[i] = points[i % 4] }
            let ones = [Float](repeating: 1, count: 8)
            let dx = gradient(8) { activationBackward(activation, x: x, dy: ones, count: 8, dx: $0) }
            #expect(dx == (0..<8).map { values[$0 % 4] }, "\(activation) vectorised")
        }
    }

    static let groupNormCases: [(batch: Int, pixels: Int, channels: Int, groups: Int)] = [
        (2, 15, 6, 3), (1, 7, 5, 1), (2, 4, 4, 4), (1, 9, 20, 4),
    ]

    @Test(arguments: groupNormCases.indices)
    func groupNormBackwardMatchesFiniteDifferences(_ index: Int) {
        let (n, p, c, groups) = Self.groupNormCases[index]
        let eps: Float = 1e-3
        let x = random(n * p * c, in: -2...2, seed: 160), gamma = random(c, in: 0.5...1.5, seed: 161)
        let beta = random(c, seed: 162), r = random(x.count, seed: 163)
        let (xd, gd, bd) = (x.doubles, gamma.doubles, beta.doubles)
        func forward(_ x: [Double], _ gamma: [Double]?, _ beta: [Double]) -> [Double] {
            DoubleForward.groupNorm(x: x, batch: n, pixels: p, channels: c, groups: groups, gamma: gamma, beta: beta, eps: Double(eps))
        }
        var dx = [Float](repeating: 0, count: x.count), dgamma = [Float](repeating: 0, count: c), dbeta = dgamma
        groupNormBackward(dy: r, x: x, batch: n, pixels: p, channels: c, groups: groups, gamma: gamma, eps: eps,
                          dx: &dx, dgamma: &dgamma, dbeta: &dbeta)
        expectGradient("dx", dx, at: x, r: r) { forward($0, gd, bd) }
        expectGradient("dgamma", dgamma, at: gamma, r: r) { forward(xd, $0, bd) }
        expectGradient("dbeta", dbeta, at: beta, r: r) { forward(xd, gd, $0) }
        // Without affine weight (γ = 1), and with a frozen γ (only dx asked for).
        let dxUnit = gradient(x.count) {
            groupNormBackward(dy: r, x: x, batch: n, pixels: p, channels: c, groups: groups, gamma: nil, eps: eps,
                              dx: $0, dgamma: nil, dbeta: nil)
        }
        expectGradient("dx, gamma nil", dxUnit, at: x, r: r) { forward($0, nil, bd) }
        let dxFrozen = gradient(x.count) {
            groupNormBackward(dy: r, x: x, batch: n, pixels: p, channels: c, groups: groups, gamma: gamma, eps: eps,
                              dx: $0, dgamma: nil, dbeta: nil)
        }
        #expect(dxFrozen == dx, "dx does not depend on which parameter gradients are asked for")
    }

    @Test func batchNormBackwardMatchesFiniteDifferences() {
        let (rows, c) = (10, 3)
        let eps: Float = 1e-5
        let x = random(rows * c, in: -2...2, seed: 170), gamma = random(c, in: 0.5...1.5, seed: 171)
        let beta = random(c, seed: 172), r = random(x.count, seed: 173)
        let mean = random(c, seed: 174), variance = random(c, in: 0.2...2, seed: 175)
        let (xd, gd, bd) = (x.doubles, gamma.doubles, beta.doubles)
        // Training mode: statistics of the batch.
        var dx = [Float](repeating: 0, count: x.count), dgamma = [Float](repeating: 0, count: c), dbeta = dgamma
        batchNormTrainingBackward(dy: r, x: x, rows: rows, channels: c, gamma: gamma, eps: eps, dx: &dx, dgamma: &dgamma, dbeta: &dbeta)
        func training(_ x: [Double], _ g: [Double], _ b: [Double]) -> [Double] {
            DoubleForward.batchNormTraining(x: x, rows: rows, channels: c, gamma: g, beta: b, eps: Double(eps))
        }
        expectGradient("training dx", dx, at: x, r: r) { training($0, gd, bd) }
        expectGradient("training dgamma", dgamma, at: gamma, r: r) { training(xd, $0, bd) }
        expectGradient("training dbeta", dbeta, at: beta, r: r) { training(xd, gd, $0) }
        // Inference mode: fixed statistics, an affine map per channel.
        func inference(_ x: [Double], _ g: [Double], _ b: [Double]) -> [Double] {
            x.indices.map { i in
                let ch = i % c
                return (x[i] - Double(mean[ch])) / (Double(variance[ch]) + Double(eps)).squareRoot() * g[ch] + b[ch]
            }
        }
        var idx = [Float](repeating: 0, count: x.count), idgamma = [Float](repeating: 0, count: c), idbeta = idgamma
        batchNormInferenceBackward(dy: r, x: x, rows: rows, channels: c, gamma: gamma, mean: mean, variance: variance,
                                   eps: eps, dx: &idx, dgamma: &idgamma, dbeta: &idbeta)
        expectGradient("inference dx", idx, at: x, r: r) { inference($0, gd, bd) }
        expectGradient("inference dgamma", idgamma, at: gamma, r: r) { inference(xd, $0, bd) }
        expectGradient("inference dbeta", idbeta, at: beta, r: r) { inference(xd, gd, $0) }
        // The folded form y = a·x + b.
        var adx = [Float](repeating: 0, count: x.count), da = [Float](repeating: 0, count: c), db = da
        channelAffineBackward(dy: r, x: x, rows: rows, channels: c, scale: gamma, dx: &adx, dscale: &da, dshift: &db)
        func affine(_ x: [Double], _ a: [Double], _ b: [Double]) -> [Double] { x.indices.map { x[$0] * a[$0 % c] + b[$0 % c] } }
        expectGradient("affine dx", adx, at: x, r: r) { affine($0, gd, bd) }
        expectGradient("affine dscale", da, at: gamma, r: r) { affine(xd, $0, bd) }
        expectGradient("affine dshift", db, at: beta, r: r) { affine(xd, gd, $0) }
    }

    @Test func linearAndSoftmaxBackwardMatchFiniteDifferences() {
        let (n, i, o) = (3, 5, 4)
        let x = random(n * i, seed: 180), w = random(o * i, seed: 181), b = random(o, seed: 182), r = random(n * o, seed: 183)
        let (xd, wd, bd) = (x.doubles, w.doubles, b.doubles)
        func forward(_ x: [Double], _ w: [Double], _ b: [Double]) -> [Double] {
            DoubleForward.linear(x: x, batch: n, inFeatures: i, outFeatures: o, w: w, b: b)
        }
        let grads: [(String, [Float], [Float], ([Double]) -> [Double])] = [
            ("dx", gradient(x.count) { linearBackwardInput(dy: r, batch: n, inFeatures: i, outFeatures: o, weight: w, dx: $0) }, x, { forward($0, wd, bd) }),
            ("dx reference", gradient(x.count) { linearBackwardInputReference(dy: r, batch: n, inFeatures: i, outFeatures: o, weight: w, dx: $0) }, x, { forward($0, wd, bd) }),
            ("dw", gradient(w.count) { linearBackwardWeight(dy: r, x: x, batch: n, inFeatures: i, outFeatures: o, dweight: $0) }, w, { forward(xd, $0, bd) }),
            ("dw reference", gradient(w.count) { linearBackwardWeightReference(dy: r, x: x, batch: n, inFeatures: i, outFeatures: o, dweight: $0) }, w, { forward(xd, $0, bd) }),
            ("db", gradient(o) { linearBackwardBias(dy: r, batch: n, outFeatures: o, dbias: $0) }, b, { forward(xd, wd, $0) }),
            ("db reference", gradient(o) { linearBackwardBiasReference(dy: r, batch: n, outFeatures: o, dbias: $0) }, b, { forward(xd, wd, $0) }),
        ]
        for (name, analytic, at, f) in grads { expectGradient(name, analytic, at: at, r: r, forward: f) }
        // Softmax from its output.
        let z = random(n * o, in: -3...3, seed: 184)
        var y = [Float](repeating: 0, count: z.count)
        softmaxForward(x: z, rows: n, columns: o, y: &y)
        let dz = gradient(z.count) { softmaxBackward(y: y, dy: r, rows: n, columns: o, dx: $0) }
        expectGradient("softmax", dz, at: z, r: r) { DoubleForward.softmax($0, rows: n, columns: o) }
    }

    @Test(arguments: [(2, 6, 8, 4), (1, 9, 5, 3)])
    func squeezeExciteBackwardMatchesFiniteDifferences(_ shape: (Int, Int, Int, Int)) {
        let (n, p, c, mid) = shape
        let x = random(n * p * c, in: -2...2, seed: 190), r = random(x.count, seed: 191)
        let se = DoubleForward.SE(wr: random(mid * c, seed: 192).doubles, br: random(mid, seed: 193).doubles,
                                  we: random(c * mid, seed: 194).doubles, be: random(c, seed: 195).doubles)
        let (wr, br, we, be) = (se.wr.map(Float.init), se.br.map(Float.init), se.we.map(Float.init), se.be.map(Float.init))
        var scratch = [Float](repeating: .nan, count: squeezeExciteBackwardScratchCount(batch: n, channels: c, mid: mid))
        var dx = [Float](repeating: 0, count: x.count), dwr = [Float](repeating: 0, count: wr.count), dbr = [Float](repeating: 0, count: mid)
        var dwe = [Float](repeating: 0, count: we.count), dbe = [Float](repeating: 0, count: c)
        squeezeExciteBackward(dy: r, x: x, batch: n, pixels: p, channels: c, mid: mid, reduceWeight: wr, reduceBias: br,
                              expandWeight: we, expandBias: be, dx: &dx, dReduceWeight: &dwr, dReduceBias: &dbr,
                              dExpandWeight: &dwe, dExpandBias: &dbe, scratch: &scratch)
        let xd = x.doubles
        func forward(_ x: [Double], _ p2: DoubleForward.SE) -> [Double] {
            DoubleForward.squeezeExcite(x: x, batch: n, pixels: p, channels: c, mid: mid, p2)
        }
        expectGradient("dx", dx, at: x, r: r) { forward($0, se) }
        expectGradient("dReduceWeight", dwr, at: wr, r: r) { var s = se; s.wr = $0; return forward(xd, s) }
        expectGradient("dReduceBias", dbr, at: br, r: r) { var s = se; s.br = $0; return forward(xd, s) }
        expectGradient("dExpandWeight", dwe, at: we, r: r) { var s = se; s.we = $0; return forward(xd, s) }
        expectGradient("dExpandBias", dbe, at: be, r: r) { var s = se; s.be = $0; return forward(xd, s) }
        // A frozen SE asks for dx alone and gets the same values.
        let dxOnly = gradient(x.count) {
            squeezeExciteBackward(dy: r, x: x, batch: n, pixels: p, channels: c, mid: mid, reduceWeight: wr, reduceBias: br,
                                  expandWeight: we, expandBias: be, dx: $0, scratch: &scratch)
        }
        #expect(dxOnly == dx)
    }

    @Test(arguments: [Float(0), 0.1, 1])
    func crossEntropyMatchesFiniteDifferences(_ ls: Float) {
        let (n, k) = (3, 5)
        let z = random(n * k, in: -3...3, seed: 200), labels = [4, 0, 2]
        let dz = gradient(z.count) { _ = softmaxCrossEntropy(logits: z, labels: labels, batch: n, classes: k, labelSmoothing: ls, dlogits: $0) }
        let numeric = GradientCheck.numericGradient(at: z.doubles) {
            DoubleForward.crossEntropy($0, labels: labels, classes: k, labelSmoothing: Double(ls))
        }
        let comparison = GradientComparison(dz, numeric, tolerance: 1e-4)
        #expect(comparison.passes, "\(comparison)")
        let loss = softmaxCrossEntropy(logits: z, labels: labels, batch: n, classes: k, labelSmoothing: ls, dlogits: nil)
        let expected = DoubleForward.crossEntropy(z.doubles, labels: labels, classes: k, labelSmoothing: Double(ls))
        #expect(abs(Double(loss) - expected) <= 1e-6 * abs(expected))
    }
}
