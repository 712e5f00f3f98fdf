import Foundation
import HDF5
import Networks
import Supernets
import Tensors

extension TrainedSubnetFile {
    /// Reads a file written by `write(to:)` (`ofa-search train`, or a search's `best.h5`).
    /// - Throws: `HDF5Error` for a missing file or another format, naming the file.
    public static func read(from url: URL) throws -> TrainedSubnetFile {
        let file = try HDF5File.open(at: url)
        try file.requireFormat(format, hint: "write one with `ofa-search train` or `ofa-search search`")
        func string(_ name: String) throws -> String { try file.stringAttribute(name) }
        func optional(_ name: String) throws -> String? { try file.hasAttribute(name) ? try file.stringAttribute(name) : nil }
        let metrics = try JSONDecoder().decode(Metrics.self, from: Data(try string("metrics").utf8))
        let classNames = try JSONDecoder().decode([String].self, from: Data(try string("class_names").utf8))
        let family = try string("family")
        let widthMult = try file.hasAttribute("width_mult") ? try file.doubleAttribute("width_mult")
            : SupernetFamily(rawValue: family) == .ofaProxylessNAS ? 1.3 : 1.0
        var tensors: [ExportedTensor] = []
        for path in try file.datasetPaths() {
            let name = path.hasPrefix("/") ? String(path.dropFirst()) : path
            let dataset = try file.openDataset(path)
            if try dataset.hasAttribute("codebook") {
                let q = try QuantizedTensor(codebook: try dataset.floatArrayAttribute("codebook"), indices: try dataset.read(UInt8.self),
                                            shape: dataset.shape)
                tensors.append(ExportedTensor(name: name, shape: dataset.shape, values: q.dequantized(), quantized: q))
            } else {
                tensors.append(ExportedTensor(name: name, shape: dataset.shape, values: try dataset.read(Float.self)))
            }
        }
        return TrainedSubnetFile(
            tensors: tensors, family: family, netConfig: try string("net_config"), arch: try optional("arch"),
            method: try string("method"), classNames: classNames, resolution: Int(try file.int64Attribute("resolution")),
            mean: try file.floatArrayAttribute("mean"), std: try file.floatArrayAttribute("std"),
            liteResidual: try string("lite_residual"), ledger: try string("memory_ledger"),
            peakBytes: Int(try file.int64Attribute("peak_bytes")), metrics: metrics, training: try string("training"),
            seed: UInt64(bitPattern: try file.int64Attribute("seed")), supernetSHA256: try optional("supernet_sha256"),
            widthMult: widthMult, memoryCertificate: try optional("memory_certificate"), provenance: try optional("provenance"),
            parameterForm: try optional("parameter_form") ?? "state_dict", normMode: try optional("norm_mode") ?? NormMode.frozenBatchNorm.name)
    }

    /// The network the file holds as a training graph (in its `norm_mode`, every tensor from the file): the subnet
    /// rebuilt from `family`, `width_mult` and `arch`, the TinyTL method's lite residuals (where `arch` places
    /// them) and the classifier.
    /// - Throws: `TrainedSubnetFileError` when the file has no architecture (trained from a
    ///   `--subnet` file) or names an unknown family, method or norm mode, or tensors are missing.
    public func graph() throws -> TrainingGraph {
        guard let familyValue = SupernetFamily(rawValue: family), let method = TransferMethod(rawValue: method) else {
            throw TrainedSubnetFileError(reason: "unknown family '\(family)' or method '\(self.method)'")
        }
        guard let norm = [NormMode.frozenBatchNorm, .tinyTL].first(where: { $0.name == normMode }) else {
            throw TrainedSubnetFileError(reason: "unknown norm_mode '\(normMode)'")
        }
        guard let arch else {
            throw TrainedSubnetFileError(reason: "no `arch` attribute (trained from a --subnet file); rebuilding needs the architecture")
        }
        let space = SearchSpace.make(family: familyValue, widthMult: widthMult, classes: classNames.count)
        let config = try ArchConfig.parse(json: arch, space: space)
        var weights = NamedTensors(source: "trained subnet")
        var stateDict: [String: [Float]] = [:]
        for t in tensors {
            stateDict[t.name] = t.values
            weights.set(t.name.replacingOccurrences(of: ".main_branch", with: ""), Tensor(shape: t.shape, values: t.values))
        }
        let structure = space.subnetStructure(config)
        let engineForm = parameterForm == "engine"
        for (name, shape) in structure.staticKeys where weights[name] == nil && !name.hasPrefix("classifier.") && !name.hasSuffix("num_batches_tracked") {
            // The engine form has no tensors for folded batch norms, GroupNorm no running statistics: any stand-in
            // builds the same graph, whose parameters are then all set from the file.
            let runningStatistic = name.hasSuffix("running_mean") || name.hasSuffix("running_var")
            guard engineForm || (norm != .frozenBatchNorm && runningStatistic) else { throw TrainedSubnetFileError(reason: "missing tensor \(name)") }
            let one = name.hasSuffix("running_var") || name.hasSuffix("bn.weight")
            weights.set(name, Tensor(shape: shape, values: [Float](repeating: one ? 1 : 0, count: shape.reduce(1, *))))
        }
        let subnet = Subnet(structure: structure, weights: weights, resolution: resolution, mean: mean, std: std)
        var graph = TrainingGraph(subnet: subnet, method: method, classes: classNames.count, norm: norm,
                                  liteResidualBlocks: config.liteResidualBlocks(in: space, method: method))
        if engineForm {
            try graph.loadEngineForm(Dictionary(tensors.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a }))
        } else {
            graph.load(stateDict: stateDict)
        }
        return graph
    }
}

/// A trained-subnet file that cannot be turned back into a network; one line for the user.
public struct TrainedSubnetFileError: Error, Equatable, CustomStringConvertible {
    public let reason: String
    public var description: String { "cannot rebuild the trained network: \(reason) — re-export it with this ofa-search" }
}
