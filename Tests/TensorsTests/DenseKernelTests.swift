import Foundation
import OFATestSupport
import Tensors
import Testing

struct DenseKernelTests {
    @Test(arguments: [(1, 1, 1), (5, 7, 3), (33, 17, 65), (64, 130, 31)])
    func gemmMatchesReferenceInEveryTransposition(_ shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        let a = Tensor.random(shape: [m * k], seed: 10), b = Tensor.random(shape: [k * n], seed: 11)
        for transA in [false, true] {
            for transB in [false, true] {
                let lda = transA ? m : k, ldb = transB ? k : n
                var c1 = Tensor.random(shape: [m * n], seed: 12).values, c2 = c1
                gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a.values, lda: lda, b: b.values, ldb: ldb, beta: 2, c: &c1, ldc: n)
                gemmReference(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a.values, lda: lda, b: b.values, ldb: ldb, beta: 2, c: &c2, ldc: n)
                let close = Closeness(c1, c2, atol: 1e-5, rtol: 1e-5)
                #expect(close.passes, "transA \(transA) transB \(transB): \(close)")
            }
        }
    }

    @Test func vectorisedActivationsMatchScalarDefinitions() {
        let x = (0..<203).map { Float($0 - 101) * 0.07 }  // crosses -3, 0, 3 and 6; odd count exercises the tail
        for activation in Activation.allCases {
            var y = x
            activation.apply(&y, count: y.count)
            let expected = x.map { v -> Double in
                let d = Double(v)
                switch activation {
                case .identity: return d
                case .relu: return max(d, 0)
                case .relu6: return min(max(d, 0), 6)
                case .hswish: return d * min(max(d + 3, 0), 6) / 6
                case .hsigmoid: return min(max(d + 3, 0), 6) / 6
                case .sigmoid: return 1 / (1 + exp(-d))
                }
            }
            #expect(Closeness(y, expected, atol: 1e-6, rtol: 1e-6).passes, "\(activation)")
        }
    }

    /// Large enough to be split across threads; every element must equal the scalar definition bit for bit.
    @Test func inPlaceActivationEqualsScalarActivation() {
        let x = Tensor.random(shape: [40_003], in: -8...8, seed: 13).values
        for activation in Activation.allCases {
            var y = x
            activation.apply(&y, count: y.count)
            #expect(y.map(\.bitPattern) == x.map { activation($0).bitPattern }, "\(activation)")
        }
    }

    /// The vectorised, row-split forward performs the reference loop's operations: bit-identical, with a
    /// channel tail (13 = 8 + 5) and rows enough for several threads.
    @Test(arguments: [13, 40])
    func batchNormInferenceForwardEqualsReference(channels: Int) {
        let rows = 3_001
        let x = Tensor.random(shape: [rows * channels], in: -4...4, seed: 26).values
        let gamma = Tensor.random(shape: [channels], in: 0.5...1.5, seed: 27).values, beta = Tensor.random(shape: [channels], seed: 28).values
        let mean = Tensor.random(shape: [channels], seed: 29).values, variance = Tensor.random(shape: [channels], in: 0.1...2, seed: 30).values
        for activation in [Activation.identity, .relu6, .hswish] {
            var fast = [Float](repeating: .nan, count: x.count), slow = fast
            batchNormInferenceForward(x: x, rows: rows, channels: channels, gamma: gamma, beta: beta, mean: mean, variance: variance,
                                      eps: 1e-3, activation: activation, y: &fast)
            batchNormInferenceForwardReference(x: x, rows: rows, channels: channels, gamma: gamma, beta: beta, mean: mean,
                                               variance: variance, eps: 1e-3, activation: activation, y: &slow)
            #expect(fast.map(\.bitPattern) == slow.map(\.bitPattern), "\(activation)")
        }
    }

    @Test func foldedBatchNormEqualsConvThenBatchNorm() {
        let g = ConvGeometry(batch: 2, height: 6, width: 5, inChannels: 4, outChannels: 6, kernel: 3, stride: 1)
        let x = Tensor.random(shape: [g.inputCount], seed: 20), w = Tensor.random(shape: [g.weightCount], seed: 21)
        let gamma = Tensor.random(shape: [6], in: 0.5...1.5, seed: 22).values, beta = Tensor.random(shape: [6], seed: 23).values
        let mean = Tensor.random(shape: [6], seed: 24).values, variance = Tensor.random(shape: [6], in: 0.1...2, seed: 25).values
        var convOut = [Float](repeating: 0, count: g.outputCount), unfolded = convOut, folded = convOut
        conv2dForwardReference(g, x: x.values, weight: w.values, bias: nil, y: &convOut)
        batchNormInferenceForward(x: convOut, rows: g.outputPixels, channels: 6, gamma: gamma, beta: beta, mean: mean,
                                  variance: variance, eps: 1e-3, activation: .relu6, y: &unfolded)
        let f = foldBatchNorm(weight: w.values, bias: nil, outChannels: 6, gamma: gamma, beta: beta, mean: mean, variance: variance, eps: 1e-3)
        conv2dForwardReference(g, x: x.values, weight: f.weight, bias: f.bias, activation: .relu6, y: &folded)
        #expect(Closeness(folded, unfolded, atol: 1e-5, rtol: 1e-5).passes)
        // Channel-last (depthwise) folding scales the innermost index.
        let dw = foldBatchNorm(weight: [1, 1, 2, 2], bias: nil, outChannels: 2, channelLast: true,
                               gamma: [1, 2], beta: [0, 0], mean: [0, 0], variance: [1, 1], eps: 0)
        #expect(dw.weight == [1, 2, 2, 4])
    }

    @Test func linearAndSoftmaxMatchDefinitions() {
        let x = Tensor.random(shape: [3, 10], seed: 30), w = Tensor.random(shape: [7, 10], seed: 31), b = Tensor.random(shape: [7], seed: 32)
        var y = [Float](repeating: 0, count: 21)
        linearForward(x: x.values, batch: 3, inFeatures: 10, outFeatures: 7, weight: w.values, bias: b.values, y: &y)
        var expected = [Double]()
        for n in 0..<3 { for o in 0..<7 {
            var sum = Double(b.values[o])
            for i in 0..<10 { sum += Double(x.values[n * 10 + i]) * Double(w.values[o * 10 + i]) }
            expected.append(sum)
        } }
        #expect(Closeness(y, expected, atol: 1e-5, rtol: 1e-5).passes)
        var p = [Float](repeating: 0, count: 21)
        softmaxForward(x: y, rows: 3, columns: 7, y: &p)
        for n in 0..<3 {
            let row = expected[(n * 7)..<(n * 7 + 7)], m = row.max()!
            let e = row.map { exp($0 - m) }, s = e.reduce(0, +)
            #expect(Closeness(p[(n * 7)..<(n * 7 + 7)], e.map { $0 / s }, atol: 1e-6, rtol: 1e-5).passes)
        }
    }
}
