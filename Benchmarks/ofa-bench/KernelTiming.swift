import Foundation
import Tensors

/// Median seconds of `body` over repeated runs lasting about `seconds`.
func medianSeconds(_ seconds: Double = 1, _ body: () -> Void) -> Double {
    for _ in 0..<3 { body() }
    var times: [Double] = []
    let start = DispatchTime.now().uptimeNanoseconds
    while Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < seconds || times.count < 5 {
        let t = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
    }
    return times.sorted()[times.count / 2]
}

/// Times the depthwise and pointwise kernels on EfficientNet-Lite0's hottest shapes (stderr).
func kernelTimings() {
    let shapes: [(h: Int, c: Int, k: Int, s: Int)] = [(112, 32, 3, 1), (56, 144, 3, 1), (112, 96, 3, 2), (56, 96, 3, 1)]
    for (h, c, k, s) in shapes {
        let g = ConvGeometry(batch: 1, height: h, width: h, inChannels: c, outChannels: c, kernel: k, stride: s, groups: c, padding: .tfSame)
        let x = Tensor.random(shape: [g.inputCount], seed: 1).values, w = Tensor.random(shape: [k * k * c], seed: 2).values
        var y = [Float](repeating: 0, count: g.outputCount)
        let t = medianSeconds { depthwiseConv2dForward(g, x: x, weight: w, bias: w, activation: .relu6, y: &y) }
        let flops = Double(g.outputCount * k * k * 2)
        FileHandle.standardError.write(Data(String(format: "depthwise %dx%dx%d k%d s%d: %.1f µs, %.1f GFLOP/s\n", h, h, c, k, s, t * 1e6, flops / t / 1e9).utf8))
    }
}


/// Times depthwise forward and input-gradient kernels on the training benchmark's shapes (OFA-Proxyless w1.3,
/// 128 px, batch 8), stderr.
func depthwiseTrainingTimings() {
    let shapes: [(h: Int, c: Int, k: Int, s: Int)] = [(32, 128, 5, 1), (64, 96, 5, 2), (16, 224, 5, 1), (8, 512, 5, 1), (64, 40, 3, 1)]
    for (h, c, k, s) in shapes {
        let g = ConvGeometry(batch: 8, height: h, width: h, inChannels: c, outChannels: c, kernel: k, stride: s, groups: c)
        let x = Tensor.random(shape: [g.inputCount], seed: 1).values, w = Tensor.random(shape: [k * k * c], seed: 2).values
        var y = [Float](repeating: 0, count: g.outputCount), dx = [Float](repeating: 0, count: g.inputCount)
        let forward = medianSeconds { depthwiseConv2dForward(g, x: x, weight: w, bias: w, activation: .identity, y: &y) }
        let backward = medianSeconds { depthwiseConv2dBackwardInput(g, dy: y, weight: w, dx: &dx) }
        let flops = Double(g.outputCount * k * k * 2)
        FileHandle.standardError.write(Data(String(format: "depthwise n8 %dx%dx%d k%d s%d: forward %.0f µs %.1f GFLOP/s, dx %.0f µs %.1f GFLOP/s\n",
                                                   h, h, c, k, s, forward * 1e6, flops / forward / 1e9, backward * 1e6, flops / backward / 1e9).utf8))
    }
}

/// Times the k×k conv kernels (forward, input gradient, weight gradient) on the training benchmark's shapes
/// (OFA-Proxyless w1.3 at 128 px: the stem and the lite residuals' grouped convs, in the batch each runs at), stderr.
func convTrainingTimings() {
    let shapes: [(n: Int, h: Int, cin: Int, cout: Int, k: Int, s: Int, groups: Int)] = [
        (1, 128, 3, 40, 3, 2, 1), (1, 32, 24, 24, 5, 2, 2), (1, 16, 32, 32, 5, 1, 2), (1, 8, 56, 56, 5, 1, 2),
        (8, 4, 104, 104, 5, 1, 2), (8, 4, 128, 128, 5, 1, 2), (8, 4, 128, 128, 5, 2, 2), (8, 2, 248, 248, 3, 1, 2),
    ]
    for (n, h, cin, cout, k, s, groups) in shapes {
        let g = ConvGeometry(batch: n, height: h, width: h, inChannels: cin, outChannels: cout, kernel: k, stride: s, groups: groups)
        let x = Tensor.random(shape: [g.inputCount], seed: 1).values, w = Tensor.random(shape: [g.weightCount], seed: 2).values
        let dy = Tensor.random(shape: [g.outputCount], seed: 3).values
        var y = [Float](repeating: 0, count: g.outputCount), dx = [Float](repeating: 0, count: g.inputCount)
        var dw = [Float](repeating: 0, count: g.weightCount), scratch = [Float](repeating: 0, count: Swift.max(conv2dScratchCount(g), 1))
        let forward = medianSeconds { conv2dForward(g, x: x, weight: w, bias: nil, y: &y, scratch: &scratch) }
        let input = medianSeconds { conv2dBackwardInput(g, dy: dy, weight: w, dx: &dx, scratch: &scratch) }
        let weight = medianSeconds { conv2dBackwardWeight(g, x: x, dy: dy, dweight: &dw, scratch: &scratch) }
        let flops = Double(2 * g.outputPixels * g.outChannels * k * k * (cin / groups))
        FileHandle.standardError.write(Data(String(
            format: "conv n%d %dx%d %d->%d k%d s%d g%d: forward %.0f µs %.1f, dx %.0f µs %.1f, dw %.0f µs %.1f GFLOP/s (dense)\n",
            n, h, h, cin, cout, k, s, groups, forward * 1e6, flops / forward / 1e9, input * 1e6, flops / input / 1e9,
            weight * 1e6, flops / weight / 1e9).utf8))
    }
}
