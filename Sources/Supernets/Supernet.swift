import Foundation
import Networks
import Tensors

/// A supernet: its search space and its weights under the reference `state_dict` names, in PyTorch
/// layouts, plus how inputs are preprocessed and where the weights came from.
public struct Supernet: Sendable {
    public var space: SearchSpace
    /// Every tensor of `space.supernetKeys()`, by name.
    public var weights: NamedTensors
    /// Per-channel mean and std on [0, 1] pixel values (ImageNet's for OFA; 127/255 and 128/255 for EfficientNet-Lite).
    public var mean: [Float]
    public var std: [Float]
    /// Free-form provenance (source file name, sha256, licence, command), stored as HDF5 attributes.
    public var provenance: [String: String]

    public init(space: SearchSpace, weights: NamedTensors, mean: [Float], std: [Float], provenance: [String: String] = [:]) throws {
        try Self.check(weights, against: space, source: weights.source)
        self.space = space; self.weights = weights; self.mean = mean; self.std = std; self.provenance = provenance
    }

    /// ImageNet normalisation used by OFA (spec §3.13).
    public static let imageNetMean: [Float] = [0.485, 0.456, 0.406]
    public static let imageNetStd: [Float] = [0.229, 0.224, 0.225]

    /// Checks names and shapes of `weights` against the space.
    /// - Throws: `SupernetError.checkpointMismatch` listing the first missing and unexpected keys and shape mismatches.
    static func check(_ weights: NamedTensors, against space: SearchSpace, source: String) throws {
        let expected = space.supernetKeys()
        let names = Set(expected.map(\.name))
        let missing = expected.filter { weights[$0.name] == nil }.map(\.name)
        let unexpected = weights.names.filter { !names.contains($0) }
        let shapes = expected.compactMap { key -> String? in
            guard let t = weights[key.name], t.shape != key.shape else { return nil }
            return "\(key.name) is \(t.shape), expected \(key.shape)"
        }
        guard missing.isEmpty && unexpected.isEmpty && shapes.isEmpty else {
            throw SupernetError.checkpointMismatch(file: source, space: "the \(space.name) supernet", missing: missing, unexpected: unexpected,
                                                   shapeMismatches: shapes, hint: "check --family and the width multiplier")
        }
    }

    /// The tensor `name` (programmer error if absent: construction checked every key).
    func tensor(_ name: String) -> Tensor {
        guard let t = weights[name] else { preconditionFailure("supernet has no tensor \(name)") }
        return t
    }
}
