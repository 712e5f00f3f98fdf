import Tensors

/// The (N, H, W, C) shape of every value of a graph for one batch and input size, and the conv/pool geometry
/// of every op: the one size function that both `Planner` (bytes) and `Trainer` (kernels) read.
public struct ValueShapes: Sendable {
    /// Per value (0 = input).
    public let shapes: [[Int]]
    /// Per op: the geometry of conv, depthwise and avg-pool ops (nil for others).
    public let geometries: [ConvGeometry?]

    /// - Throws: `PlanError.inputTooSmall` when a pooling window exceeds its input.
    public init(_ graph: TrainingGraph, batch: Int, height: Int, width: Int) throws {
        guard batch >= 1 else { throw PlanError.invalidBatch(batch) }
        var shapes = [[batch, height, width, graph.inputChannels]]
        var geometries: [ConvGeometry?] = []
        for op in graph.ops {
            let s = shapes[op.inputs[0]]
            var geometry: ConvGeometry?
            var out = s
            switch op.kind {
            case .conv(let c):
                precondition(s[3] == c.inChannels, "\(op.name): input has \(s[3]) channels, conv expects \(c.inChannels)")
                geometry = ConvGeometry(batch: s[0], height: s[1], width: s[2], inChannels: c.inChannels, outChannels: c.outChannels,
                                        kernel: c.kernel, stride: c.stride, groups: c.groups, padding: c.padding)
            case .depthwise(let d):
                precondition(s[3] == d.channels, "\(op.name): input has \(s[3]) channels, depthwise expects \(d.channels)")
                geometry = ConvGeometry(batch: s[0], height: s[1], width: s[2], inChannels: d.channels, outChannels: d.channels,
                                        kernel: d.kernel, stride: d.stride, groups: d.channels, padding: d.padding)
            case .avgPool(let k, let stride):
                guard s[1] >= k && s[2] >= k else {
                    throw PlanError.inputTooSmall(op: op.name, height: s[1], width: s[2], window: k, resolution: height)
                }
                geometry = ConvGeometry(batch: s[0], height: s[1], width: s[2], inChannels: s[3], outChannels: s[3],
                                        kernel: k, stride: stride, groups: s[3], padding: .explicit(0))
            case .affine(let a):
                precondition(s[3] == a.channels, "\(op.name): \(s[3]) channels into an affine of \(a.channels)")
            case .squeezeExcite(let se):
                precondition(s[3] == se.channels, "\(op.name): \(s[3]) channels into an SE of \(se.channels)")
            case .add:
                precondition(shapes[op.inputs[1]] == s, "\(op.name): adding \(s) and \(shapes[op.inputs[1]])")
            case .activation:
                break
            case .globalAvgPool:
                out = [s[0], 1, 1, s[3]]
            case .resize(let like):
                out = [s[0], shapes[like][1], shapes[like][2], s[3]]
            case .linear(let l):
                precondition(s[1] * s[2] * s[3] == l.inFeatures, "\(op.name): \(s) into \(l.inFeatures) features")
                out = [s[0], 1, 1, l.outFeatures]
            }
            if let g = geometry { out = [g.batch, g.outHeight, g.outWidth, g.outChannels] }
            shapes.append(out)
            geometries.append(geometry)
        }
        self.shapes = shapes; self.geometries = geometries
    }

    /// Elements of value `v`.
    public func count(_ v: Int) -> Int { shapes[v].reduce(1, *) }
}
