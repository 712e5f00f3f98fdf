import Foundation
import Tensors

extension SubnetStructure {
    /// OFA's `net.config` of the static subnet (spec §3.12): `MobileNetV3` or `ProxylessNASNets` with
    /// `first_conv`, `blocks` (ResidualBlock of MBConvLayer and IdentityLayer shortcut), the head layers and
    /// `bn`. The elastic EfficientNet-Lite0's subnets use name `EfficientNetLiteSubnet`, the ProxylessNASNets
    /// layout and one extra key, `"padding": "tf_same"`.
    public var netConfigJSON: String {
        let data = try! JSONSerialization.data(withJSONObject: netConfig, options: [.sortedKeys, .prettyPrinted])
        return String(decoding: data, as: UTF8.self)
    }

    var netConfig: [String: Any] {
        func act(_ a: Activation) -> Any { a == .identity ? NSNull() : a.ofaName }
        func convLayer(_ c: FixedConv) -> [String: Any] {
            ["name": "ConvLayer", "kernel_size": c.kernel, "stride": c.stride, "dilation": 1, "groups": 1, "bias": false,
             "has_shuffle": false, "use_se": false, "in_channels": c.inChannels, "out_channels": c.outChannels,
             "use_bn": c.hasBatchNorm, "act_func": act(c.activation), "dropout_rate": 0, "ops_order": "weight_bn_act"]
        }
        let blockConfigs: [[String: Any]] = blocks.enumerated().map { j, b in
            let conv: [String: Any] = ["name": "MBConvLayer", "in_channels": b.inChannels, "out_channels": b.outChannels,
                                       "kernel_size": b.kernel, "stride": b.stride, "expand_ratio": b.expandRatio,
                                       "mid_channels": j == 0 ? NSNull() : b.midChannels as Any, "act_func": act(b.activation),
                                       "use_se": b.useSE, "groups": NSNull()]
            let shortcut: Any = b.hasShortcut
                ? ["name": "IdentityLayer", "in_channels": b.inChannels, "out_channels": b.outChannels, "use_bn": false,
                   "act_func": NSNull(), "dropout_rate": 0, "ops_order": "weight_bn_act"] as [String: Any]
                : NSNull()
            return ["name": "ResidualBlock", "conv": conv, "shortcut": shortcut]
        }
        var config: [String: Any] = [
            "bn": ["momentum": 0.1, "eps": bnEps, "ws_eps": NSNull()],
            "first_conv": convLayer(firstConv), "blocks": blockConfigs,
            "classifier": ["name": "LinearLayer", "in_features": headFeatures, "out_features": classes, "bias": true,
                           "use_bn": false, "act_func": NSNull(), "dropout_rate": 0, "ops_order": "weight_bn_act"],
        ]
        switch head {
        case let .poolBeforeFeatureMix(finalExpand, featureMix):
            config["name"] = "MobileNetV3"
            config["final_expand_layer"] = convLayer(finalExpand); config["feature_mix_layer"] = convLayer(featureMix)
        case let .poolAfterFeatureMix(featureMix):
            config["name"] = family == .effnetLite0Elastic ? "EfficientNetLiteSubnet" : "ProxylessNASNets"
            config["feature_mix_layer"] = convLayer(featureMix)
        }
        if padding == .tfSame { config["padding"] = "tf_same" }
        return config
    }

    /// Reads a `net.config` (ours or OFA's, including the legacy spellings `mobile_inverted_conv`,
    /// `MBInvertedConvLayer`, and MBConv entries without `act_func`/`use_se`, defaulting to relu6 / false).
    /// - Throws: `SupernetError.invalidSupernetFile` naming the first unusable entry.
    public init(netConfigJSON json: String, source: String) throws {
        func fail(_ what: String) -> SupernetError { .invalidSupernetFile(file: source, reason: "net.config: \(what)") }
        guard let root = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] else { throw fail("not a JSON object") }
        func int(_ d: [String: Any], _ key: String, _ at: String) throws -> Int {
            guard let v = d[key] as? Int else { throw fail("\(at).\(key) is missing or not an integer") }
            return v
        }
        func activation(_ d: [String: Any], _ at: String, default value: Activation) throws -> Activation {
            guard let raw = d["act_func"] else { return value }
            guard let a = Activation(ofaName: raw as? String) else { throw fail("\(at).act_func '\(raw)' is not an OFA activation") }
            return a
        }
        func conv(_ key: String) throws -> FixedConv {
            guard let d = root[key] as? [String: Any] else { throw fail("\(key) is missing") }
            return FixedConv(inChannels: try int(d, "in_channels", key), outChannels: try int(d, "out_channels", key),
                             kernel: try int(d, "kernel_size", key), stride: try int(d, "stride", key),
                             activation: try activation(d, key, default: .identity), hasBatchNorm: d["use_bn"] as? Bool ?? true)
        }
        guard let name = root["name"] as? String else { throw fail("name is missing") }
        guard let blockList = root["blocks"] as? [[String: Any]], !blockList.isEmpty else { throw fail("blocks is missing or empty") }
        var blocks: [SubnetBlock] = []
        for (j, entry) in blockList.enumerated() {
            let at = "blocks[\(j)]"
            guard let c = (entry["conv"] ?? entry["mobile_inverted_conv"]) as? [String: Any] else { throw fail("\(at).conv is missing") }
            let cin = try int(c, "in_channels", at), e = try int(c, "expand_ratio", at)
            let mid = (c["mid_channels"] as? Int) ?? (e == 1 ? cin : pythonRound(Double(cin * e)))
            blocks.append(SubnetBlock(inChannels: cin, outChannels: try int(c, "out_channels", at), kernel: try int(c, "kernel_size", at),
                                      stride: try int(c, "stride", at), expandRatio: e, midChannels: mid,
                                      activation: try activation(c, at, default: .relu6), useSE: c["use_se"] as? Bool ?? false,
                                      hasShortcut: entry["shortcut"] is [String: Any]))
        }
        guard let classifier = root["classifier"] as? [String: Any] else { throw fail("classifier is missing") }
        let head: HeadLayout
        switch name {
        case "MobileNetV3": head = .poolBeforeFeatureMix(finalExpand: try conv("final_expand_layer"), featureMix: try conv("feature_mix_layer"))
        case "ProxylessNASNets", "EfficientNetLiteSubnet": head = .poolAfterFeatureMix(featureMix: try conv("feature_mix_layer"))
        default: throw fail("unknown network name '\(name)' (expected MobileNetV3, ProxylessNASNets or EfficientNetLiteSubnet)")
        }
        let family: SupernetFamily = name == "MobileNetV3" ? .ofaMobileNetV3 : name == "ProxylessNASNets" ? .ofaProxylessNAS : .effnetLite0Elastic
        let bn = root["bn"] as? [String: Any]
        self.init(family: family, firstConv: try conv("first_conv"), blocks: blocks, head: head,
                  classes: try int(classifier, "out_features", "classifier"),
                  bnEps: (bn?["eps"] as? Double) ?? (family == .ofaMobileNetV3 ? 1e-5 : 1e-3),
                  padding: (root["padding"] as? String) == "tf_same" ? .tfSame : .symmetric)
    }
}
