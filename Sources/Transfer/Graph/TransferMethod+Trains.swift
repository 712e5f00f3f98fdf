import Supernets

/// The trainer's view of a method: which parameter of the graph trains.
extension TransferMethod {
    /// `requires_grad` of a parameter of `role` in `section`, in the script's order: everything set to the
    /// feature-extractor flag (full); classifier on; norms on (bn+last); every `bias` on (bias methods); lite
    /// residual branches on, then `final_bn.bias` off again when bias or norm updates are enabled.
    public func trains(_ role: ParameterRole, in section: ParameterSection) -> Bool {
        if role == .runningMean || role == .runningVariance { return false }
        if section == .classifier { return true }
        var trainable = self == .full
        if self == .bnLast && (role == .normWeight || role == .normBias) { trainable = true }
        if (self == .bias || self == .liteResidualBias) && role.isBias { trainable = true }
        if insertsLiteResidual && (section == .liteResidual || section == .liteResidualFinalNorm) {
            trainable = !(section == .liteResidualFinalNorm && role == .normBias && self == .liteResidualBias)
        }
        return trainable
    }
}

/// What a parameter is, independent of its name.
public enum ParameterRole: Equatable, Sendable {
    /// A conv, depthwise or linear weight as stored in the checkpoint.
    case weight
    /// A conv weight with its frozen batch norm's scale a = γ/√(var + eps) folded in: w·a.
    case foldedWeight
    /// A conv or linear bias (SE convs, the classifier).
    case bias
    /// Batch-norm γ.
    case normWeight
    /// Batch-norm β.
    case normBias
    /// The shift of a frozen batch norm folded into its conv: b′ = β − mean·a. Its gradient is β's
    /// (∂b′/∂β = 1 with a frozen), so it trains exactly when β does; export converts back by β = b′ + mean·a.
    case foldedNormBias
    case runningMean, runningVariance

    /// Leaf parameters literally named `bias` in PyTorch (`enable_bias_update`).
    public var isBias: Bool { self == .bias || self == .normBias || self == .foldedNormBias }
}

/// Where a parameter sits, for the trainable-set rules.
public enum ParameterSection: Equatable, Sendable {
    case featureExtractor
    case liteResidual
    /// A lite residual branch's `final_bn` (its bias is frozen under `tinytl-lite_residual+bias`).
    case liteResidualFinalNorm
    case classifier
}
