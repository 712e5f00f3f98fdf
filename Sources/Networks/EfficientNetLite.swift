import Tensors

/// EfficientNet-Lite0 (Tan & Le 2019, the Lite variant): ReLU6, no squeeze-excite, fixed stem (32) and
/// head (1280), TensorFlow "SAME" padding, batch-norm eps 1e-3, as trained in TensorFlow and converted by
/// `efficientnet-lite-pytorch` (lukemelas-style `state_dict` names: `_conv_stem`, `_blocks.i._expand_conv`, …).
///
/// ### References
/// https://arxiv.org/abs/1905.11946 ; TF `efficientnet/lite/efficientnet_lite_builder.py`.
public enum EfficientNetLite0 {
    /// One stage of MBConv blocks: repeats, kernel, first stride, expand ratio, in and out channels.
    public struct Stage: Sendable {
        public let repeats, kernel, stride, expand, inChannels, outChannels: Int
    }

    /// The seven stages of Lite0 (`r1_k3_s11_e1_i32_o16`, … from the TF builder).
    public static let stages: [Stage] = [
        Stage(repeats: 1, kernel: 3, stride: 1, expand: 1, inChannels: 32, outChannels: 16),
        Stage(repeats: 2, kernel: 3, stride: 2, expand: 6, inChannels: 16, outChannels: 24),
        Stage(repeats: 2, kernel: 5, stride: 2, expand: 6, inChannels: 24, outChannels: 40),
        Stage(repeats: 3, kernel: 3, stride: 2, expand: 6, inChannels: 40, outChannels: 80),
        Stage(repeats: 3, kernel: 5, stride: 1, expand: 6, inChannels: 80, outChannels: 112),
        Stage(repeats: 4, kernel: 5, stride: 2, expand: 6, inChannels: 112, outChannels: 192),
        Stage(repeats: 1, kernel: 3, stride: 1, expand: 6, inChannels: 192, outChannels: 320),
    ]

    public static let stemChannels = 32, headChannels = 1280, batchNormEps = 1e-3
    /// The preprocessing its TensorFlow training used: (x·255 − 127) / 128 per channel, expressed on [0, 1].
    public static let mean: [Float] = [127 / 255, 127 / 255, 127 / 255]
    public static let std: [Float] = [128 / 255, 128 / 255, 128 / 255]
    public static let resolution = 224

    /// Every parameter the architecture needs, with its PyTorch shape, in `state_dict` order
    /// (`num_batches_tracked` buffers are accepted but not required).
    public static func expectedShapes(classes: Int = 1000) -> [(String, [Int])] {
        var keys: [(String, [Int])] = []
        func bn(_ prefix: String, _ c: Int) {
            for s in ["weight", "bias", "running_mean", "running_var"] { keys.append(("\(prefix).\(s)", [c])) }
        }
        keys.append(("_conv_stem.weight", [stemChannels, 3, 3, 3])); bn("_bn0", stemChannels)
        var index = 0
        for stage in stages {
            for r in 0..<stage.repeats {
                let cin = r == 0 ? stage.inChannels : stage.outChannels, mid = cin * stage.expand, p = "_blocks.\(index)"
                if stage.expand != 1 { keys.append(("\(p)._expand_conv.weight", [mid, cin, 1, 1])); bn("\(p)._bn0", mid) }
                keys.append(("\(p)._depthwise_conv.weight", [mid, 1, stage.kernel, stage.kernel])); bn("\(p)._bn1", mid)
                keys.append(("\(p)._project_conv.weight", [stage.outChannels, mid, 1, 1])); bn("\(p)._bn2", stage.outChannels)
                index += 1
            }
        }
        keys.append(("_conv_head.weight", [headChannels, stages.last!.outChannels, 1, 1])); bn("_bn1", headChannels)
        keys.append(("_fc.weight", [classes, headChannels])); keys.append(("_fc.bias", [classes]))
        return keys
    }

    /// Builds the network from `weights`, folding every batch norm into its conv.
    /// - Throws: `NetworkError.stateDictMismatch` listing the first missing and unexpected keys and shape mismatches.
    public static func build(from weights: NamedTensors) throws -> Network {
        let classes = weights["_fc.bias"]?.shape.first ?? 1000
        let expected = expectedShapes(classes: classes)
        let expectedNames = Set(expected.map(\.0))
        let missing = expected.filter { weights[$0.0] == nil }.map(\.0)
        let unexpected = weights.names.filter { !expectedNames.contains($0) && !$0.hasSuffix(".num_batches_tracked") }
        let shapes = expected.compactMap { name, shape -> String? in
            guard let t = weights[name], t.shape != shape else { return nil }
            return "\(name) is \(t.shape), expected \(shape)"
        }
        guard missing.isEmpty, unexpected.isEmpty, shapes.isEmpty else {
            throw NetworkError.stateDictMismatch(source: weights.source, architecture: "EfficientNet-Lite0",
                                                 missing: missing, unexpected: unexpected, shapeMismatches: shapes)
        }
        func t(_ name: String) -> [Float] { weights[name]!.values }
        func folded(_ conv: String, _ bn: String, out: Int, channelLast: Bool, weight: [Float]) -> ([Float], [Float]) {
            foldBatchNorm(weight: weight, bias: nil, outChannels: out, channelLast: channelLast,
                          gamma: t("\(bn).weight"), beta: t("\(bn).bias"), mean: t("\(bn).running_mean"),
                          variance: t("\(bn).running_var"), eps: batchNormEps)
        }
        var nodes: [Node] = []
        func conv(_ name: String, _ bn: String, cin: Int, cout: Int, kernel: Int, stride: Int, activation: Activation, input: Int) -> Int {
            let w = WeightLayout.convFromTorch(t("\(name).weight"), outChannels: cout, inPerGroup: cin, kernel: kernel)
            let (fw, fb) = folded(name, bn, out: cout, channelLast: false, weight: w)
            nodes.append(Node(name: name, layer: .conv(ConvLayer(weight: fw, bias: fb, inChannels: cin, outChannels: cout, kernel: kernel,
                                                                stride: stride, groups: 1, padding: .tfSame, activation: activation)), inputs: [input]))
            return nodes.count
        }
        var x = conv("_conv_stem", "_bn0", cin: 3, cout: stemChannels, kernel: 3, stride: 2, activation: .relu6, input: 0)
        var index = 0
        for stage in stages {
            for r in 0..<stage.repeats {
                let cin = r == 0 ? stage.inChannels : stage.outChannels, mid = cin * stage.expand, p = "_blocks.\(index)"
                let stride = r == 0 ? stage.stride : 1
                let blockInput = x
                if stage.expand != 1 {
                    x = conv("\(p)._expand_conv", "\(p)._bn0", cin: cin, cout: mid, kernel: 1, stride: 1, activation: .relu6, input: x)
                }
                let dw = WeightLayout.depthwiseFromTorch(t("\(p)._depthwise_conv.weight"), channels: mid, kernel: stage.kernel)
                let (dwWeight, dwBias) = folded("\(p)._depthwise_conv", "\(p)._bn1", out: mid, channelLast: true, weight: dw)
                nodes.append(Node(name: "\(p)._depthwise_conv", layer: .depthwise(DepthwiseLayer(
                    weight: dwWeight, bias: dwBias, channels: mid, kernel: stage.kernel, stride: stride,
                    padding: .tfSame, activation: .relu6)), inputs: [x]))
                x = nodes.count
                x = conv("\(p)._project_conv", "\(p)._bn2", cin: mid, cout: stage.outChannels, kernel: 1, stride: 1, activation: .identity, input: x)
                if stride == 1 && cin == stage.outChannels {
                    nodes.append(Node(name: "\(p).residual", layer: .add, inputs: [x, blockInput]))
                    x = nodes.count
                }
                index += 1
            }
        }
        x = conv("_conv_head", "_bn1", cin: stages.last!.outChannels, cout: headChannels, kernel: 1, stride: 1, activation: .relu6, input: x)
        nodes.append(Node(name: "_avg_pooling", layer: .globalAvgPool, inputs: [x]))
        nodes.append(Node(name: "_fc", layer: .linear(LinearLayer(weight: t("_fc.weight"), bias: t("_fc.bias"),
                                                                   inFeatures: headChannels, outFeatures: classes)), inputs: [nodes.count]))
        return Network(nodes: nodes, inputChannels: 3)
    }
}
