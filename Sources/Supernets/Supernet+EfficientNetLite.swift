import Foundation
import Networks
import Tensors

extension Supernet {
    /// Makes the elastic EfficientNet-Lite0 supernet from EfficientNet-Lite0 weights with lukemelas-style names
    /// (`_conv_stem`, `_blocks.i._expand_conv`, …; `efficientnet-lite-pytorch`).
    ///
    /// Tensors are renamed to the OFA layout (`blocks.i.conv.inverted_bottleneck.conv.conv.weight`, …), and the
    /// middle channels of every expanding block are sorted by importance — Σ|projection weight| over output
    /// channels, descending, as OFA's `re_organize_middle_weights` does — so that the first `mid` channels a
    /// smaller expand ratio keeps are the most important ones. The max subnet computes the same function as
    /// the original network (only the order of channels changes).
    /// - Throws: `NetworkError.stateDictMismatch` if the weights are not EfficientNet-Lite0's.
    public static func effnetLite0Elastic(from lite: NamedTensors, provenance: [String: String] = [:]) throws -> Supernet {
        _ = try EfficientNetLite0.build(from: lite)  // checks every key and shape, with its one-line error
        let space = SearchSpace.effnetLite0Elastic(classes: lite["_fc.bias"]!.count)
        var w = NamedTensors(source: lite.source)
        func bn(_ from: String, _ to: String, order: [Int]? = nil) {
            for (a, b) in [("weight", "weight"), ("bias", "bias"), ("running_mean", "running_mean"), ("running_var", "running_var")] {
                let t = lite["\(from).\(a)"]!
                w.set("\(to).\(b)", order.map { Tensor(shape: t.shape, values: $0.map { t.values[$0] }) } ?? t)
            }
        }
        w.set("first_conv.conv.weight", lite["_conv_stem.weight"]!); bn("_bn0", "first_conv.bn")
        w.set("blocks.0.conv.depth_conv.conv.weight", lite["_blocks.0._depthwise_conv.weight"]!); bn("_blocks.0._bn1", "blocks.0.conv.depth_conv.bn")
        w.set("blocks.0.conv.point_linear.conv.weight", lite["_blocks.0._project_conv.weight"]!); bn("_blocks.0._bn2", "blocks.0.conv.point_linear.bn")
        for (j, slot) in space.slots.enumerated() {
            let from = "_blocks.\(j + 1)", to = "blocks.\(j + 1).conv", mid = space.maxMid(slot)
            let project = lite["\(from)._project_conv.weight"]!  // (out, mid, 1, 1)
            let importance = (0..<mid).map { c in (0..<slot.outChannels).reduce(Float(0)) { $0 + abs(project.values[$1 * mid + c]) } }
            let order = (0..<mid).sorted { importance[$0] > importance[$1] || (importance[$0] == importance[$1] && $0 < $1) }
            let expand = lite["\(from)._expand_conv.weight"]!  // (mid, in, 1, 1): permute rows
            w.set("\(to).inverted_bottleneck.conv.conv.weight",
                  Tensor(shape: expand.shape, values: order.flatMap { expand.values[($0 * slot.inChannels)..<(($0 + 1) * slot.inChannels)] }))
            bn("\(from)._bn0", "\(to).inverted_bottleneck.bn.bn", order: order)
            let depthwise = lite["\(from)._depthwise_conv.weight"]!  // (mid, 1, k, k): permute channels
            let kk = depthwise.shape[2] * depthwise.shape[3]
            w.set("\(to).depth_conv.conv.conv.weight",
                  Tensor(shape: depthwise.shape, values: order.flatMap { depthwise.values[($0 * kk)..<(($0 + 1) * kk)] }))
            bn("\(from)._bn1", "\(to).depth_conv.bn.bn", order: order)
            w.set("\(to).point_linear.conv.conv.weight",
                  Tensor(shape: project.shape, values: (0..<slot.outChannels).flatMap { o in order.map { project.values[o * mid + $0] } }))
            bn("\(from)._bn2", "\(to).point_linear.bn.bn")
        }
        w.set("feature_mix_layer.conv.weight", lite["_conv_head.weight"]!); bn("_bn1", "feature_mix_layer.bn")
        w.set("classifier.linear.weight", lite["_fc.weight"]!); w.set("classifier.linear.bias", lite["_fc.bias"]!)
        return try Supernet(space: space, weights: w, mean: EfficientNetLite0.mean, std: EfficientNetLite0.std, provenance: provenance)
    }
}
