import Foundation
import Networks
import Supernets
import Tensors

/// One tensor of an exported state dict: PyTorch name, PyTorch shape and layout, float32 values.
public struct ExportedTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    /// The values (for an 8-bit tensor, its dequantised values).
    public var values: [Float]
    /// An 8-bit tensor's storage: codebook and one index per element, in the PyTorch layout of `shape`.
    public var quantized: QuantizedTensor? = nil
}

/// A parameter's PyTorch shape and the conversions between its engine and PyTorch layouts.
struct TorchLayout {
    var shape: [Int]
    var toTorch: ([Float]) -> [Float] = { $0 }
    var fromTorch: ([Float]) -> [Float] = { $0 }

    /// Where each PyTorch-layout element comes from in the engine layout (a permutation of 0..<count).
    func torchOrder(count: Int) -> [Int] { toTorch((0..<count).map(Float.init)).map { Int($0) } }
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
        let layouts = torchLayouts()
        var out: [ExportedTensor] = []
        for (p, parameter) in parameters.enumerated() {
            let shape = layouts[p].shape, values = trained[p].values
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
                out.append(ExportedTensor(name: parameter.name, shape: shape, values: layouts[p].toTorch(values)))
            }
        }
        return out
    }

    /// PyTorch shape and layout conversions of every parameter, from the op that reads it.
    func torchLayouts() -> [TorchLayout] {
        var layouts = [TorchLayout?](repeating: nil, count: parameters.count)
        for op in ops {
            switch op.kind {
            case .conv(let c):
                let i = c.inChannels / c.groups, k = c.kernel
                layouts[c.weight] = TorchLayout(
                    shape: [c.outChannels, i, k, k],
                    toTorch: { WeightLayout.convToTorch($0, outChannels: c.outChannels, inPerGroup: i, kernel: k) },
                    fromTorch: { WeightLayout.convFromTorch($0, outChannels: c.outChannels, inPerGroup: i, kernel: k) })
                if let b = c.bias { layouts[b] = TorchLayout(shape: [c.outChannels]) }
            case .depthwise(let d):
                layouts[d.weight] = TorchLayout(
                    shape: [d.channels, 1, d.kernel, d.kernel],
                    toTorch: { WeightLayout.depthwiseToTorch($0, channels: d.channels, kernel: d.kernel) },
                    fromTorch: { WeightLayout.depthwiseFromTorch($0, channels: d.channels, kernel: d.kernel) })
                if let b = d.bias { layouts[b] = TorchLayout(shape: [d.channels]) }
            case .affine(let a):
                for p in [a.gamma, a.beta, a.mean, a.variance] { layouts[p] = TorchLayout(shape: [a.channels]) }
            case .squeezeExcite(let s):
                layouts[s.reduceWeight] = TorchLayout(shape: [s.mid, s.channels, 1, 1]); layouts[s.reduceBias] = TorchLayout(shape: [s.mid])
                layouts[s.expandWeight] = TorchLayout(shape: [s.channels, s.mid, 1, 1]); layouts[s.expandBias] = TorchLayout(shape: [s.channels])
            case .linear(let l):
                layouts[l.weight] = TorchLayout(shape: [l.outFeatures, l.inFeatures]); layouts[l.bias] = TorchLayout(shape: [l.outFeatures])
            case .activation, .add, .globalAvgPool, .avgPool, .resize:
                break
            }
        }
        return layouts.enumerated().map { p, layout in
            guard let layout else { preconditionFailure("parameter \(parameters[p].name) is read by no op") }
            return layout
        }
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
