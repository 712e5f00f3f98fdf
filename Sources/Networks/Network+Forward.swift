import Tensors

/// Shapes and arena placement of every value of a network for one input size.
///
/// Each value lives from the node that writes it to the last node that reads it; values are placed in one
/// arena by first fit over those lifetimes, so a forward pass allocates nothing per op.
public struct ForwardPlan: Sendable {
    /// (N, H, W, C) of every value; value 0 is the input.
    public let shapes: [[Int]]
    /// Offset in floats of every value in the arena.
    public let offsets: [Int]
    /// Arena size in floats (values only).
    public let arenaCount: Int
    /// Scratch floats for im2col and squeeze-excite.
    public let scratchCount: Int
    /// Conv geometry of every conv/depthwise node (nil for other nodes).
    let geometries: [ConvGeometry?]

    init(network: Network, batch: Int, height: Int, width: Int) {
        var shapes = [[batch, height, width, network.inputChannels]]
        var geometries = [ConvGeometry?]()
        var scratch = 0
        for node in network.nodes {
            let s = shapes[node.inputs[0]]
            switch node.layer {
            case .conv(let c):
                let g = ConvGeometry(batch: s[0], height: s[1], width: s[2], inChannels: c.inChannels, outChannels: c.outChannels,
                                     kernel: c.kernel, stride: c.stride, groups: c.groups, padding: c.padding)
                precondition(s[3] == c.inChannels, "\(node.name): input has \(s[3]) channels, conv expects \(c.inChannels)")
                geometries.append(g); scratch = Swift.max(scratch, conv2dScratchCount(g))
                shapes.append([g.batch, g.outHeight, g.outWidth, g.outChannels])
            case .depthwise(let d):
                let g = ConvGeometry(batch: s[0], height: s[1], width: s[2], inChannels: d.channels, outChannels: d.channels,
                                     kernel: d.kernel, stride: d.stride, groups: d.channels, padding: d.padding)
                precondition(s[3] == d.channels, "\(node.name): input has \(s[3]) channels, depthwise expects \(d.channels)")
                geometries.append(g)
                shapes.append([g.batch, g.outHeight, g.outWidth, g.outChannels])
            case .add:
                precondition(shapes[node.inputs[1]] == s, "\(node.name): adding \(s) and \(shapes[node.inputs[1]])")
                geometries.append(nil); shapes.append(s)
            case .globalAvgPool:
                geometries.append(nil); shapes.append([s[0], 1, 1, s[3]])
            case .linear(let l):
                precondition(s[1] * s[2] * s[3] == l.inFeatures, "\(node.name): \(s) into \(l.inFeatures) features")
                geometries.append(nil); shapes.append([s[0], 1, 1, l.outFeatures])
            case .batchNorm(let b):
                precondition(s[3] == b.gamma.count, "\(node.name): \(s[3]) channels into a BN of \(b.gamma.count)")
                geometries.append(nil); shapes.append(s)
            case .squeezeExcite(let se):
                precondition(s[3] == se.channels, "\(node.name): \(s[3]) channels into an SE of \(se.channels)")
                scratch = Swift.max(scratch, s[0] * (2 * se.channels + se.mid))
                geometries.append(nil); shapes.append(s)
            }
        }
        // Lifetimes: value v is live over [producer, last reader]; the final value stays live to the end.
        var lastUse = (0..<shapes.count).map { max($0 - 1, 0) }
        for (i, node) in network.nodes.enumerated() { for v in node.inputs { lastUse[v] = max(lastUse[v], i) } }
        lastUse[shapes.count - 1] = network.nodes.count
        var offsets = [Int](repeating: 0, count: shapes.count)
        var placed: [(offset: Int, count: Int, value: Int)] = []
        var arena = 0
        for v in 0..<shapes.count {
            let count = shapes[v].reduce(1, *), born = max(v - 1, 0)
            // Blocks still alive when v is produced (their last use is at or after v's producer).
            let live = placed.filter { lastUse[$0.value] >= born && $0.value != v }.sorted { $0.offset < $1.offset }
            var candidate = 0
            for block in live {
                if candidate + count <= block.offset { break }
                candidate = max(candidate, block.offset + block.count)
            }
            offsets[v] = candidate
            placed.append((candidate, count, v))
            arena = max(arena, candidate + count)
        }
        self.shapes = shapes; self.offsets = offsets; self.arenaCount = arena
        self.scratchCount = scratch; self.geometries = geometries
    }
}

extension Network {
    /// The plan of a forward pass on inputs of (batch, height, width, inputChannels).
    public func forwardPlan(batch: Int, height: Int, width: Int) -> ForwardPlan {
        ForwardPlan(network: self, batch: batch, height: height, width: width)
    }

    /// Runs the network on `input` (N, H, W, C) and returns the last value (logits (N, 1, 1, classes)).
    /// With `batchStatistics`, batch-norm nodes normalise with batch statistics and record them.
    public func forward(_ input: Tensor, batchStatistics: BatchStatistics? = nil) -> Tensor {
        precondition(input.shape.count == 4 && input.shape[3] == inputChannels, "input must be (N,H,W,\(inputChannels)), got \(input.shape)")
        let plan = forwardPlan(batch: input.shape[0], height: input.shape[1], width: input.shape[2])
        var arena = [Float](repeating: 0, count: plan.arenaCount)
        var scratch = [Float](repeating: 0, count: max(plan.scratchCount, 1))
        arena.withUnsafeMutableBufferPointer { a in
            scratch.withUnsafeMutableBufferPointer { s in
                forward(input, plan: plan, arena: a.baseAddress!, scratch: s.baseAddress!, batchStatistics: batchStatistics)
            }
        }
        let last = plan.shapes.count - 1
        return Tensor(shape: plan.shapes[last], values: Array(arena[plan.offsets[last]..<(plan.offsets[last] + plan.shapes[last].reduce(1, *))]))
    }

    /// Runs the network with caller-owned memory: `arena` holds `plan.arenaCount` floats and `scratch`
    /// `plan.scratchCount`. The result is the last value, at `plan.offsets.last`. `afterNode`, if given, is
    /// called with each node's index as it finishes (per-op timings).
    public func forward(
        _ input: Tensor, plan: ForwardPlan, arena: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
        batchStatistics: BatchStatistics? = nil, afterNode: ((Int) -> Void)? = nil
    ) {
        input.values.withUnsafeBufferPointer { arena.advanced(by: plan.offsets[0]).update(from: $0.baseAddress!, count: input.count) }
        for (i, node) in nodes.enumerated() {
            let x = UnsafePointer(arena + plan.offsets[node.inputs[0]])
            let y = arena + plan.offsets[i + 1]
            let s = plan.shapes[node.inputs[0]]
            switch node.layer {
            case .conv(let c):
                c.weight.withUnsafeBufferPointer { w in
                    withOptionalPointer(c.bias) { b in
                        conv2dForward(plan.geometries[i]!, x: x, weight: w.baseAddress!, bias: b, activation: c.activation, y: y, scratch: scratch)
                    }
                }
            case .depthwise(let d):
                d.weight.withUnsafeBufferPointer { w in
                    withOptionalPointer(d.bias) { b in
                        depthwiseConv2dForward(plan.geometries[i]!, x: x, weight: w.baseAddress!, bias: b, activation: d.activation, y: y)
                    }
                }
            case .add:
                addForward(x, arena + plan.offsets[node.inputs[1]], count: s.reduce(1, *), y: y)
            case .globalAvgPool:
                globalAvgPoolForward(x: x, batch: s[0], pixels: s[1] * s[2], channels: s[3], y: y)
            case .linear(let l):
                l.weight.withUnsafeBufferPointer { w in
                    withOptionalPointer(l.bias) { b in
                        linearForward(x: x, batch: s[0], inFeatures: l.inFeatures, outFeatures: l.outFeatures, weight: w.baseAddress!, bias: b, y: y)
                    }
                }
            case .batchNorm(let b):
                let rows = s[0] * s[1] * s[2]
                if let batchStatistics {
                    batchStatistics.normalize(b, x: x, rows: rows, batch: s[0], y: y)
                } else {
                    batchNormInferenceForward(x: x, rows: rows, channels: s[3], gamma: b.gamma, beta: b.beta, mean: b.mean,
                                              variance: b.variance, eps: b.eps, activation: b.activation, y: y)
                }
            case .squeezeExcite(let se):
                squeezeExciteForward(x: x, batch: s[0], pixels: s[1] * s[2], channels: s[3], mid: se.mid,
                                     reduceWeight: se.reduceWeight, reduceBias: se.reduceBias,
                                     expandWeight: se.expandWeight, expandBias: se.expandBias, y: y, scratch: scratch)
            }
            afterNode?(i)
        }
    }
}

/// Calls `body` with a pointer to `values`, or nil when there are none.
func withOptionalPointer<R>(_ values: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let values else { return body(nil) }
    return values.withUnsafeBufferPointer { body($0.baseAddress) }
}
