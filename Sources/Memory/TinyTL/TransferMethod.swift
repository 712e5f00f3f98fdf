/// A TinyTL transfer-learning method: which parameters train (spec §5.6, `tinytl_fgvc_train.py`).
///
/// Raw values are the script's `--transfer_learning_method` names. The classifier always trains.
public enum TransferMethod: String, CaseIterable, Sendable {
    /// Everything trains.
    case full
    /// Every BatchNorm2d/GroupNorm γ and β (lite residual norms included) plus the classifier.
    case bnLast = "bn+last"
    /// The classifier only (the one method that needs no backward through the network).
    case last
    /// Every leaf parameter named `bias` (norm β, linear and SE conv biases) plus the classifier.
    case bias = "tinytl-bias"
    /// The lite residual branches, their `final_bn.bias` included, plus the classifier.
    case liteResidual = "tinytl-lite_residual"
    /// The lite residual branches except `final_bn.bias`, every bias, and the classifier (TinyTL's default).
    case liteResidualBias = "tinytl-lite_residual+bias"

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

    /// Whether the profiler counts backward activations (`require_backward`): false only for `last`.
    public var requiresBackward: Bool { self != .last }

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
