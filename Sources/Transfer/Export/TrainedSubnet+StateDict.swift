import Foundation
import Networks
import Supernets
import Tensors

/// One tensor of an exported state dict: PyTorch name, PyTorch shape and layout, float32 values.
public struct ExportedTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var values: [Float]
}

extension TrainingGraph {
    /// The trained network as a PyTorch `state_dict` (frozen-BN mode, nothing folded), from the parameter values
    /// `trained` (engine layouts, graph order, e.g. `Trainer.parameters()`) and the subnet the graph was built from.
    ///
    /// Concretely, per parameter of the graph:
    /// - conv weights (O, kh, kw, I/g) → (O, I/g, kh, kw); depthwise (kh, kw, C) → (C, 1, kh, kw); linear and SE
    ///   weights keep (O, I) / (O, I, 1, 1); vectors keep (C);
    /// - a conv weight with its batch norm folded in (`ParameterRole.foldedWeight`, always frozen) is exported as the
    ///   subnet's unfolded weight, and the folded shift b′ = β − mean·a (`foldedNormBias`, trained when β trains)
    ///   becomes β = b′ + mean·a with a = γ/√(var + eps), in Double; the batch norm's `weight` (γ), `running_mean` and
    ///   `running_var` are added from the subnet, so every batch norm has its four PyTorch tensors;
    /// - names are the graph's: the subnet's static names, `blocks.j.conv.main_branch.…` and
    ///   `blocks.j.conv.lite_residual.…` in blocks with a lite residual (TinyTL's `LiteResidualModule`), and the new
    ///   `classifier.linear.weight`/`.bias`.
    /// Order: the graph's parameter order, each folded batch norm's γ/mean/var right after its β.
    public func exportedStateDict(trained: [(name: String, values: [Float])], subnet: Subnet) -> [ExportedTensor] {
        precondition(trained.count == parameters.count && zip(trained, parameters).allSatisfy { $0.name == $1.name },
                     "trained values must be the graph's parameters, in graph order")
        var shapes = [[Int]?](repeating: nil, count: parameters.count)
        var layouts = [((Int, [Float]) -> [Float])?](repeating: nil, count: parameters.count)
        for op in ops {
            switch op.kind {
            case .conv(let c):
                let i = c.inChannels / c.groups, k = c.kernel
                shapes[c.weight] = [c.outChannels, i, k, k]
                layouts[c.weight] = { _, v in WeightLayout.convToTorch(v, outChannels: c.outChannels, inPerGroup: i, kernel: k) }
                if let b = c.bias { shapes[b] = [c.outChannels] }
            case .depthwise(let d):
                shapes[d.weight] = [d.channels, 1, d.kernel, d.kernel]
                layouts[d.weight] = { _, v in WeightLayout.depthwiseToTorch(v, channels: d.channels, kernel: d.kernel) }
                if let b = d.bias { shapes[b] = [d.channels] }
            case .affine(let a):
                for p in [a.gamma, a.beta, a.mean, a.variance] { shapes[p] = [a.channels] }
            case .squeezeExcite(let s):
                shapes[s.reduceWeight] = [s.mid, s.channels, 1, 1]; shapes[s.reduceBias] = [s.mid]
                shapes[s.expandWeight] = [s.channels, s.mid, 1, 1]; shapes[s.expandBias] = [s.channels]
            case .linear(let l):
                shapes[l.weight] = [l.outFeatures, l.inFeatures]; shapes[l.bias] = [l.outFeatures]
            case .activation, .add, .globalAvgPool, .avgPool, .resize:
                break
            }
        }
        var out: [ExportedTensor] = []
        for (p, parameter) in parameters.enumerated() {
            guard let shape = shapes[p] else { preconditionFailure("parameter \(parameter.name) is read by no op") }
            let values = trained[p].values
            switch parameter.role {
            case .foldedWeight:
                out.append(ExportedTensor(name: parameter.name, shape: shape, values: subnetTensor(subnet, parameter.name).values))
            case .foldedNormBias:
                let bn = String(parameter.name.dropLast(".bias".count))
                let gamma = subnetTensor(subnet, "\(bn).weight").values, mean = subnetTensor(subnet, "\(bn).running_mean").values
                let variance = subnetTensor(subnet, "\(bn).running_var").values
                let eps = subnet.structure.bnEps
                let beta = values.indices.map { c in
                    Float(Double(values[c]) + Double(mean[c]) * Double(gamma[c]) / (Double(variance[c]) + eps).squareRoot())
                }
                out.append(ExportedTensor(name: parameter.name, shape: shape, values: beta))
                out.append(ExportedTensor(name: "\(bn).weight", shape: shape, values: gamma))
                out.append(ExportedTensor(name: "\(bn).running_mean", shape: shape, values: mean))
                out.append(ExportedTensor(name: "\(bn).running_var", shape: shape, values: variance))
            default:
                out.append(ExportedTensor(name: parameter.name, shape: shape, values: layouts[p]?(p, values) ?? values))
            }
        }
        return out
    }

    /// The subnet tensor behind graph name `name` (`…conv.main_branch.` is the subnet's `…conv.`).
    private func subnetTensor(_ subnet: Subnet, _ name: String) -> Tensor {
        let key = name.replacingOccurrences(of: ".conv.main_branch.", with: ".conv.")
        guard let t = subnet.weights[key] else { preconditionFailure("subnet has no tensor \(key) (for \(name))") }
        return t
    }

    /// The lite residual branches of the graph, by block: kernel, stride, groups and middle channels of `conv1`.
    public var liteResidualBranchSettings: [(block: Int, kernel: Int, stride: Int, groups: Int, midChannels: Int)] {
        ops.compactMap { op in
            guard case .conv(let c) = op.kind, op.name.hasSuffix(".conv.lite_residual.conv1"),
                  let block = Int(op.name.dropFirst("blocks.".count).prefix { $0.isNumber }) else { return nil }
            return (block, c.kernel, c.stride, c.groups, c.outChannels)
        }
    }
}
