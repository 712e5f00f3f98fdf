import OFATestSupport
import Tensors
import Testing

/// Fast conv kernels against their plain reference loops on random shapes, including odd sizes,
/// stride 2, groups and both padding modes.
struct ConvKernelTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let batch, height, width, cin, cout, kernel, stride, groups: Int
        let padding: Padding
        var testDescription: String { "n\(batch) \(height)x\(width) \(cin)->\(cout) k\(kernel) s\(stride) g\(groups) \(padding)" }
    }

    static let denseCases: [Case] = [
        Case(batch: 1, height: 7, width: 7, cin: 5, cout: 9, kernel: 1, stride: 1, groups: 1, padding: .symmetric),
        Case(batch: 2, height: 9, width: 11, cin: 3, cout: 16, kernel: 3, stride: 2, groups: 1, padding: .tfSame),
        Case(batch: 2, height: 8, width: 8, cin: 3, cout: 8, kernel: 3, stride: 2, groups: 1, padding: .tfSame),
        Case(batch: 1, height: 13, width: 10, cin: 6, cout: 10, kernel: 5, stride: 1, groups: 2, padding: .symmetric),
        Case(batch: 3, height: 5, width: 6, cin: 8, cout: 4, kernel: 1, stride: 2, groups: 1, padding: .symmetric),
        Case(batch: 1, height: 15, width: 15, cin: 4, cout: 6, kernel: 7, stride: 2, groups: 2, padding: .symmetric),
        Case(batch: 1, height: 60, width: 60, cin: 3, cout: 5, kernel: 3, stride: 1, groups: 1, padding: .explicit(1)),
        // Direct (eight input channels per group or more): tiles of four columns, 2 × 2 and four images, part tiles,
        // channel runs off multiples of eight, an odd output channel count per group, maps smaller than the kernel.
        Case(batch: 1, height: 13, width: 10, cin: 20, cout: 14, kernel: 5, stride: 1, groups: 2, padding: .symmetric),
        Case(batch: 2, height: 9, width: 11, cin: 24, cout: 16, kernel: 3, stride: 2, groups: 1, padding: .tfSame),
        Case(batch: 5, height: 7, width: 6, cin: 16, cout: 9, kernel: 3, stride: 2, groups: 1, padding: .tfSame),
        Case(batch: 8, height: 4, width: 4, cin: 48, cout: 48, kernel: 5, stride: 1, groups: 2, padding: .symmetric),
        Case(batch: 3, height: 2, width: 2, cin: 34, cout: 30, kernel: 3, stride: 1, groups: 2, padding: .symmetric),
    ]

    @Test(arguments: denseCases)
    func denseConvMatchesReference(_ c: Case) {
        let g = ConvGeometry(batch: c.batch, height: c.height, width: c.width, inChannels: c.cin, outChannels: c.cout,
                             kernel: c.kernel, stride: c.stride, groups: c.groups, padding: c.padding)
        let x = Tensor.random(shape: [g.inputCount], seed: 1), w = Tensor.random(shape: [g.weightCount], seed: 2)
        let b = Tensor.random(shape: [c.cout], seed: 3)
        for activation in [Activation.identity, .relu6, .hswish] {
            var fast = [Float](repeating: .nan, count: g.outputCount), slow = fast
            var scratch = [Float](repeating: .nan, count: Swift.max(conv2dScratchCount(g), 1))
            conv2dForward(g, x: x.values, weight: w.values, bias: b.values, activation: activation, y: &fast, scratch: &scratch)
            conv2dForwardReference(g, x: x.values, weight: w.values, bias: b.values, activation: activation, y: &slow)
            let close = Closeness(fast, slow, atol: 1e-5, rtol: 1e-5)
            #expect(close.passes, "\(activation): \(close)")
        }
    }

    static let depthwiseCases: [Case] = [
        Case(batch: 1, height: 7, width: 9, cin: 3, cout: 3, kernel: 3, stride: 1, groups: 3, padding: .symmetric),
        Case(batch: 2, height: 11, width: 10, cin: 45, cout: 45, kernel: 5, stride: 2, groups: 45, padding: .tfSame),
        Case(batch: 1, height: 14, width: 14, cin: 96, cout: 96, kernel: 3, stride: 2, groups: 96, padding: .tfSame),
        Case(batch: 2, height: 9, width: 9, cin: 40, cout: 40, kernel: 7, stride: 1, groups: 40, padding: .symmetric),
        Case(batch: 1, height: 4, width: 3, cin: 17, cout: 17, kernel: 5, stride: 2, groups: 17, padding: .symmetric),
        // Four-pixel tiles (C a multiple of 8: blocks of 16 and one of 8) between border pixels.
        Case(batch: 2, height: 16, width: 21, cin: 40, cout: 40, kernel: 5, stride: 1, groups: 40, padding: .symmetric),
        Case(batch: 1, height: 13, width: 17, cin: 24, cout: 24, kernel: 5, stride: 2, groups: 24, padding: .tfSame),
    ]

    @Test(arguments: depthwiseCases)
    func depthwiseMatchesReference(_ c: Case) {
        let g = ConvGeometry(batch: c.batch, height: c.height, width: c.width, inChannels: c.cin, outChannels: c.cout,
                             kernel: c.kernel, stride: c.stride, groups: c.groups, padding: c.padding)
        let x = Tensor.random(shape: [g.inputCount], seed: 4)
        let torchWeight = Tensor.random(shape: [c.cin * c.kernel * c.kernel], seed: 5)
        let w = WeightLayout.depthwiseFromTorch(torchWeight.values, channels: c.cin, kernel: c.kernel)
        let b = Tensor.random(shape: [c.cout], seed: 6)
        for activation in [Activation.identity, .relu6, .hswish] {
            var fast = [Float](repeating: .nan, count: g.outputCount), slow = fast, dense = fast
            depthwiseConv2dForward(g, x: x.values, weight: w, bias: b.values, activation: activation, y: &fast)
            depthwiseConv2dForwardReference(g, x: x.values, weight: w, bias: b.values, activation: activation, y: &slow)
            // The dense reference on the PyTorch layout (O,kh,kw,1) is an independent oracle for the layout change.
            conv2dForwardReference(g, x: x.values, weight: torchWeight.values, bias: b.values, activation: activation, y: &dense)
            #expect(Closeness(fast, slow, atol: 1e-5, rtol: 1e-5).passes, "\(Closeness(fast, slow, atol: 1e-5, rtol: 1e-5))")
            #expect(Closeness(slow, dense, atol: 1e-6, rtol: 1e-6).passes, "\(Closeness(slow, dense, atol: 1e-6, rtol: 1e-6))")
        }
    }

    @Test func tfSamePaddingIsAsymmetricForStrideTwo() {
        let even = ConvGeometry(batch: 1, height: 224, width: 224, inChannels: 3, outChannels: 32, kernel: 3, stride: 2, padding: .tfSame)
        #expect(even.outHeight == 112 && even.padTop == 0)  // total padding 1: all of it at the bottom
        let odd = ConvGeometry(batch: 1, height: 113, width: 113, inChannels: 8, outChannels: 8, kernel: 5, stride: 2, groups: 8, padding: .tfSame)
        #expect(odd.outHeight == 57 && odd.padTop == 2)
        let sym = ConvGeometry(batch: 1, height: 224, width: 224, inChannels: 3, outChannels: 32, kernel: 3, stride: 2)
        #expect(sym.outHeight == 112 && sym.padTop == 1)
    }

    @Test func weightLayoutRoundTripsPyTorchConvWeights() {
        // (O=2, I=3, k=2): element (o,i,ky,kx) moves to (o,ky,kx,i).
        let torch = (0..<24).map(Float.init)
        let ours = WeightLayout.convFromTorch(torch, outChannels: 2, inPerGroup: 3, kernel: 2)
        let oursIndex: Int = ((1 * 2 + 1) * 2 + 0) * 3 + 2  // (o=1, ky=1, kx=0, i=2)
        let torchIndex: Int = ((1 * 3 + 2) * 2 + 1) * 2 + 0  // (o=1, i=2, ky=1, kx=0)
        #expect(ours[oursIndex] == torch[torchIndex])
        #expect(Set(ours) == Set(torch))
    }
}

struct WeightLayoutRoundTripTests {
    @Test func engineLayoutsConvertBackToPyTorchExactly() {
        let conv = Tensor.random(shape: [4 * 3 * 5 * 5], seed: 9).values
        #expect(WeightLayout.convToTorch(WeightLayout.convFromTorch(conv, outChannels: 4, inPerGroup: 3, kernel: 5),
                                         outChannels: 4, inPerGroup: 3, kernel: 5) == conv)
        let depthwise = Tensor.random(shape: [7 * 3 * 3], seed: 10).values
        #expect(WeightLayout.depthwiseToTorch(WeightLayout.depthwiseFromTorch(depthwise, channels: 7, kernel: 3), channels: 7, kernel: 3) == depthwise)
    }
}
