import Networks
import OFATestSupport
import Tensors
import Testing

/// Self-contained checks of network building and the arena-planned executor (no downloaded weights).
struct NetworkExecutionTests {
    /// Random weights with EfficientNet-Lite0's names and shapes: conv and linear weights uniform with
    /// variance 1/fan-in so that activations stay of order one through the depth; BN scales and variances near 1.
    static func randomLite0(classes: Int = 10) -> NamedTensors {
        var t = NamedTensors(source: "random")
        for (i, (name, shape)) in EfficientNetLite0.expectedShapes(classes: classes).enumerated() {
            let range: ClosedRange<Float>
            if shape.count > 1 {
                let bound = (3 / Float(shape.dropFirst().reduce(1, *))).squareRoot()
                range = -bound...bound
            } else if name.hasSuffix("running_var") || name.hasSuffix(".weight") {
                range = 0.5...1.5
            } else {
                range = -0.3...0.3
            }
            t.set(name, Tensor.random(shape: shape, in: range, seed: UInt64(i)))
        }
        return t
    }

    /// Runs every node with the plain reference kernels, one fresh buffer per value.
    static func referenceForward(_ net: Network, _ input: Tensor) -> Tensor {
        var values = [input]
        for node in net.nodes {
            let x = values[node.inputs[0]], s = x.shape
            switch node.layer {
            case .conv(let c):
                let g = ConvGeometry(batch: s[0], height: s[1], width: s[2], inChannels: c.inChannels, outChannels: c.outChannels,
                                     kernel: c.kernel, stride: c.stride, groups: c.groups, padding: c.padding)
                var y = [Float](repeating: 0, count: g.outputCount)
                conv2dForwardReference(g, x: x.values, weight: c.weight, bias: c.bias, activation: c.activation, y: &y)
                values.append(Tensor(shape: [g.batch, g.outHeight, g.outWidth, g.outChannels], values: y))
            case .depthwise(let d):
                let g = ConvGeometry(batch: s[0], height: s[1], width: s[2], inChannels: d.channels, outChannels: d.channels,
                                     kernel: d.kernel, stride: d.stride, groups: d.channels, padding: d.padding)
                var y = [Float](repeating: 0, count: g.outputCount)
                depthwiseConv2dForwardReference(g, x: x.values, weight: d.weight, bias: d.bias, activation: d.activation, y: &y)
                values.append(Tensor(shape: [g.batch, g.outHeight, g.outWidth, g.outChannels], values: y))
            case .add:
                values.append(Tensor(shape: s, values: zip(x.values, values[node.inputs[1]].values).map { $0 + $1 }))
            case .globalAvgPool:
                var y = [Double](repeating: 0, count: s[0] * s[3])
                for n in 0..<s[0] { for p in 0..<(s[1] * s[2]) { for c in 0..<s[3] { y[n * s[3] + c] += Double(x.values[(n * s[1] * s[2] + p) * s[3] + c]) } } }
                values.append(Tensor(shape: [s[0], 1, 1, s[3]], values: y.map { Float($0 / Double(s[1] * s[2])) }))
            case .linear(let l):
                var y = [Float](repeating: 0, count: s[0] * l.outFeatures)
                for n in 0..<s[0] { for o in 0..<l.outFeatures {
                    var sum = Double(l.bias?[o] ?? 0)
                    for i in 0..<l.inFeatures { sum += Double(x.values[n * l.inFeatures + i]) * Double(l.weight[o * l.inFeatures + i]) }
                    y[n * l.outFeatures + o] = Float(sum)
                } }
                values.append(Tensor(shape: [s[0], 1, 1, l.outFeatures], values: y))
            case .batchNorm(let b):
                var y = [Float](repeating: 0, count: x.count)
                batchNormInferenceForward(x: x.values, rows: x.count / s[3], channels: s[3], gamma: b.gamma, beta: b.beta, mean: b.mean,
                                          variance: b.variance, eps: b.eps, activation: b.activation, y: &y)
                values.append(Tensor(shape: s, values: y))
            case .squeezeExcite(let se):
                var y = [Float](repeating: 0, count: x.count), scratch = [Float](repeating: 0, count: s[0] * (2 * se.channels + se.mid))
                squeezeExciteForward(x: x.values, batch: s[0], pixels: s[1] * s[2], channels: s[3], mid: se.mid, reduceWeight: se.reduceWeight,
                                     reduceBias: se.reduceBias, expandWeight: se.expandWeight, expandBias: se.expandBias, y: &y, scratch: &scratch)
                values.append(Tensor(shape: s, values: y))
            }
        }
        return values.last!
    }

    @Test(arguments: [(1, 64, 64), (2, 57, 45)])
    func plannedForwardMatchesReferenceKernels(_ size: (Int, Int, Int)) throws {
        let net = try EfficientNetLite0.build(from: Self.randomLite0())
        let x = Tensor.random(shape: [size.0, size.1, size.2, 3], seed: 99)
        let fast = net.forward(x), slow = Self.referenceForward(net, x)
        #expect(fast.shape == [size.0, 1, 1, 10])
        let close = Closeness(fast.values, slow.values, atol: 1e-4, rtol: 1e-4)
        #expect(close.passes, "\(close)")
    }

    @Test func arenaReusesMemoryAndNeverOverlapsLiveValues() throws {
        let net = try EfficientNetLite0.build(from: Self.randomLite0())
        let plan = net.forwardPlan(batch: 1, height: 224, width: 224)
        let total = plan.shapes.reduce(0) { $0 + $1.reduce(1, *) }
        #expect(plan.arenaCount < total / 4, "arena \(plan.arenaCount) floats vs \(total) without reuse")
        // Two largest simultaneous values at 224 px: stem output (112·112·32) and first expand... at most a few of them.
        #expect(plan.arenaCount >= 112 * 112 * 32 * 2)
    }

    @Test func mismatchedWeightsNameTheFirstMissingUnexpectedAndMisshapenKeys() {
        var t = Self.randomLite0()
        var broken = NamedTensors(source: "broken.pth")
        for name in t.names where name != "_blocks.3._bn1.running_var" {
            broken.set(name, name == "_conv_head.weight" ? Tensor(shape: [1280, 321, 1, 1]) : t[name]!)
        }
        broken.set("_blocks.99._extra.weight", Tensor(shape: [1]))
        t = broken
        #expect(throws: NetworkError.self) { try EfficientNetLite0.build(from: t) }
        do { _ = try EfficientNetLite0.build(from: t) } catch {
            let text = "\(error)"
            #expect(text.contains("broken.pth"))
            #expect(text.contains("missing keys: _blocks.3._bn1.running_var"))
            #expect(text.contains("unexpected keys: _blocks.99._extra.weight"))
            #expect(text.contains("_conv_head.weight is [1280, 321, 1, 1], expected [1280, 320, 1, 1]"))
        }
    }
}
