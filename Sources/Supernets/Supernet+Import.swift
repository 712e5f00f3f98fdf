import Foundation
import Networks
import Tensors

extension Supernet {
    /// Imports a published OFA checkpoint (or, for `effnet-lite0-elastic`, EfficientNet-Lite0 weights; see
    /// `effnetLite0Elastic(from:)`) (`torch.load(f)["state_dict"]`, zip or legacy format) with the
    /// reference's key renames (spec §1.6): `.mobile_inverted_conv.` → `.conv.`; then, for a key the space does
    /// not have, the first matching rewrite of `.bn.bn.`→`.bn.`, `.conv.conv.weight`→`.conv.weight`,
    /// `.linear.linear.`→`.linear.`, `.linear.`→`.linear.linear.`, `bn.`→`bn.bn.`, `conv.weight`→`conv.conv.weight`.
    /// `num_batches_tracked` buffers are dropped.
    /// - Throws: checkpoint errors, or `SupernetError.checkpointMismatch` naming what does not fit.
    /// The number of classes is read from the classifier's bias.
    public static func importCheckpoint(
        _ url: URL, family: SupernetFamily, widthMult: Double, provenance: [String: String] = [:]
    ) throws -> Supernet {
        let loaded = try NamedTensors.load(from: url)
        if family == .effnetLite0Elastic { return try effnetLite0Elastic(from: loaded, provenance: provenance) }
        let bias = loaded.names.first { $0.hasSuffix("classifier.linear.bias") || $0.hasSuffix("classifier.linear.linear.bias") }
        let space = SearchSpace.make(family: family, widthMult: widthMult, classes: bias.flatMap { loaded[$0]?.shape.first } ?? 1000)
        let expected = Set(space.supernetKeys().map(\.name))
        var renamed = NamedTensors(source: url.path)
        for name in loaded.names where !name.hasSuffix("num_batches_tracked") {
            renamed.set(canonicalName(name, expected: expected), loaded[name]!)
        }
        return try Supernet(space: space, weights: renamed, mean: imageNetMean, std: imageNetStd, provenance: provenance)
    }

    /// The reference's remapping of one checkpoint key (unchanged when nothing applies; the check then reports it).
    static func canonicalName(_ key: String, expected: Set<String>) -> String {
        let name = key.replacingOccurrences(of: ".mobile_inverted_conv.", with: ".conv.")
        if expected.contains(name) { return name }
        let rules = [(".bn.bn.", ".bn."), (".conv.conv.weight", ".conv.weight"), (".linear.linear.", ".linear."),
                     (".linear.", ".linear.linear."), ("bn.", "bn.bn."), ("conv.weight", "conv.conv.weight")]
        for (from, to) in rules where name.contains(from) {
            let candidate = name.replacingOccurrences(of: from, with: to)
            return expected.contains(candidate) ? candidate : name
        }
        return name
    }
}
