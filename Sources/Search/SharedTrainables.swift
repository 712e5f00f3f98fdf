import Supernets
import Transfer

/// The trainable tensors TinyTL adapts on the supernet, shared by every subnet (biases, lite residual branches,
/// classifier), with their Adam state.
///
/// Concretely, each tensor is stored under its *supernet key*: the subnet graph's parameter name with the block
/// index mapped back to the supernet's (subnet block j ≥ 1 → 1 + its active slot) and `.main_branch` removed,
/// e.g. subnet `blocks.3.conv.main_branch.depth_conv.bn.bias` of a config whose third active slot is 4 →
/// `blocks.5.conv.depth_conv.bn.bias`. Elastic vectors (norm biases and SE biases of the expanded channels) are
/// stored at the largest width seen and a subnet reads and writes their first `count` values: OFA sorts expanded
/// channels by importance and every subnet keeps a prefix (`Supernet.subnet(_:)`). Lite residual branches depend
/// only on the slot's input and output channels and stride, which are the same in every subnet.
///
/// Each TinyTL method has its own set (keys prefixed `<method>/` when the config names one): biases trained beside
/// lite residuals are not the biases a `bias` candidate would learn, nor is a classifier trained on adapted
/// features the one `last` learns on the pretrained ones, so sharing them across methods would rank methods by
/// each other's weights. Placements of lite residuals within a method share, as kernels and expands do.
///
/// A folded frozen batch norm's shift b′ = β − mean·a depends on the subnet's re-calibrated statistics, so the
/// store keeps β and converts with that subnet's (mean, a = γ/√(var + eps)) on the way in and out.
public struct SharedTrainables: Sendable {
    /// Values and Adam moments per supernet key; `step` counts the Adam updates the tensor received.
    public struct Entry: Sendable, Equatable {
        public var values: [Float], m: [Float], v: [Float]
        public var step: Int
        public init(values: [Float], m: [Float], v: [Float], step: Int) { self.values = values; self.m = m; self.v = v; self.step = step }
    }

    public private(set) var entries: [String: Entry] = [:]

    public init() {}

    /// The supernet key of graph parameter `name` under `config`.
    public static func key(_ name: String, config: ArchConfig, space: SearchSpace) -> String {
        let prefix = config.method.map { "\($0.name)/" } ?? ""
        let key = name.replacingOccurrences(of: ".main_branch", with: "")
        guard key.hasPrefix("blocks.") else { return prefix + key }
        let rest = key.dropFirst("blocks.".count)
        guard let dot = rest.firstIndex(of: "."), let j = Int(rest[..<dot]), j >= 1 else { return prefix + key }
        let slot = config.activeSlots(in: space)[j - 1]
        return prefix + "blocks.\(slot + 1)" + rest[dot...]
    }

    /// Per-channel (mean, scale a) of the frozen batch norm whose folded shift is graph parameter `name`
    /// (`<bn>.bias` in the subnet's naming, possibly under `.main_branch`).
    static func foldedNorm(_ name: String, subnet: Subnet, eps: Float) -> (mean: [Float], scale: [Float]) {
        let bn = String(name.replacingOccurrences(of: ".main_branch", with: "").dropLast(".bias".count))
        guard let gamma = subnet.weights["\(bn).weight"]?.values, let mean = subnet.weights["\(bn).running_mean"]?.values,
              let variance = subnet.weights["\(bn).running_var"]?.values else { preconditionFailure("subnet has no batch norm \(bn)") }
        return (mean, zip(gamma, variance).map { $0 / ($1 + eps).squareRoot() })
    }

    /// Writes the shared values into `graph`'s trainable parameters (tensors not seen before keep the graph's
    /// fresh values) and returns the Adam state for them, in graph order.
    public func load(into graph: inout TrainingGraph, subnet: Subnet, config: ArchConfig, space: SearchSpace) -> [Adam.State] {
        var states: [Adam.State] = []
        for p in graph.parameters.indices where graph.parameters[p].trainable {
            let param = graph.parameters[p], n = param.count
            let key = Self.key(param.name, config: config, space: space)
            guard let entry = entries[key], entry.values.count >= n else {
                states.append(Adam.State(step: 0, m: [Float](repeating: 0, count: n), v: [Float](repeating: 0, count: n)))
                continue
            }
            var values = Array(entry.values[0..<n])
            if param.role == .foldedNormBias {
                let f = Self.foldedNorm(param.name, subnet: subnet, eps: graph.batchNormEps)
                for c in 0..<n { values[c] -= f.mean[c] * f.scale[c] }
            }
            graph.parameters[p].values = values
            states.append(Adam.State(step: entry.step, m: Array(entry.m[0..<n]), v: Array(entry.v[0..<n])))
        }
        return states
    }

    /// Stores trained values and Adam state back (the inverse of `load`): `trained` are the graph's parameters
    /// (all, graph order, as `Trainer.parameters()` returns them), `states` the optimiser's per trainable tensor.
    public mutating func store(_ trained: [(name: String, values: [Float])], states: [Adam.State], graph: TrainingGraph,
                               subnet: Subnet, config: ArchConfig, space: SearchSpace) {
        var k = 0
        for p in graph.parameters.indices where graph.parameters[p].trainable {
            let param = graph.parameters[p], n = param.count, state = states[k]
            k += 1
            var values = trained[p].values
            if param.role == .foldedNormBias {
                let f = Self.foldedNorm(param.name, subnet: subnet, eps: graph.batchNormEps)
                for c in 0..<n { values[c] += f.mean[c] * f.scale[c] }
            }
            let key = Self.key(param.name, config: config, space: space)
            var entry = entries[key] ?? Entry(values: [], m: [], v: [], step: 0)
            if entry.values.count < n {
                // A wider subnet than any before: the tail starts from this subnet's values.
                entry.values += values[entry.values.count...]
                entry.m += [Float](repeating: 0, count: n - entry.m.count)
                entry.v += [Float](repeating: 0, count: n - entry.v.count)
            }
            entry.values.replaceSubrange(0..<n, with: values)
            entry.m.replaceSubrange(0..<n, with: state.m)
            entry.v.replaceSubrange(0..<n, with: state.v)
            entry.step = max(entry.step, state.step)
            entries[key] = entry
        }
    }

    /// Restores entries read from a checkpoint.
    public init(entries: [String: Entry]) { self.entries = entries }
}
