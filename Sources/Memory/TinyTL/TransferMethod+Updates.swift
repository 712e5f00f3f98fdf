import Supernets

/// TinyTL's formula's view of a method: the script's update flags.
extension TransferMethod {
    /// The script's flags: feature extractor, norm (bn), bias and lite residual updates.
    var updates: (featureExtractor: Bool, norm: Bool, bias: Bool, liteResidual: Bool) {
        switch self {
        case .full: return (true, false, false, false)
        case .bnLast: return (false, true, false, false)
        case .last: return (false, false, false, false)
        case .bias: return (false, false, true, false)
        case .liteResidual: return (false, false, false, true)
        case .liteResidualBias: return (false, false, true, true)
        }
    }

    /// Whether the method trains lite residual branches (so they are inserted when not asked otherwise).
    public var trainsLiteResidual: Bool { updates.liteResidual }

    /// `requires_grad` of the parameter `name` of a leaf, in the script's order: everything set to the
    /// feature-extractor flag; classifier on; norms on (`enable_bn_update`); every `bias` on
    /// (`enable_bias_update`); lite residual branches on, then `final_bn.bias` off again if bias or norm
    /// updates are enabled.
    func trains(_ name: String, of kind: ProfiledLeafKind, in section: ProfiledSection) -> Bool {
        let u = updates
        var trainable = u.featureExtractor
        if section == .classifier { trainable = true }
        if u.norm && kind.isNorm { trainable = true }
        if u.bias && name == "bias" { trainable = true }
        if u.liteResidual && (section == .liteResidual || section == .liteResidualFinalNorm) {
            trainable = !(section == .liteResidualFinalNorm && name == "bias" && (u.bias || u.norm))
        }
        return trainable
    }
}
