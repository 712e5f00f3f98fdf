/// A TinyTL transfer-learning method: which parameters train (spec §5.6, `tinytl_fgvc_train.py`). One type for
/// the planner and trainer (`Transfer`), TinyTL's formula (`Memory`) and the search's method gene.
///
/// Raw values are the script's `--transfer_learning_method` names; `name` is what commands print and take
/// (`TransferMethod(named:)` accepts both). The classifier always trains.
public enum TransferMethod: String, CaseIterable, Codable, Sendable {
    /// Everything trains: conv weights, norm γ and β, SE weights and biases.
    case full
    /// Every norm γ and β plus the classifier.
    case bnLast = "bn+last"
    /// The classifier only: no backward through the network at all.
    case last
    /// Every leaf parameter named `bias` (norm β, SE conv biases) plus the classifier.
    case bias = "tinytl-bias"
    /// Lite residual branches (their `final_bn.bias` included) plus the classifier.
    case liteResidual = "tinytl-lite_residual"
    /// Lite residual branches except `final_bn.bias`, every bias, and the classifier (TinyTL's default).
    case liteResidualBias = "tinytl-lite_residual+bias"

    /// The command-line name: full, bn+last, last, bias, lite-residual, lite-residual+bias.
    public var name: String {
        switch self {
        case .full, .bnLast, .last: return rawValue
        case .bias: return "bias"
        case .liteResidual: return "lite-residual"
        case .liteResidualBias: return "lite-residual+bias"
        }
    }

    /// The method called `name` (the command-line name or TinyTL's).
    public init?(named name: String) {
        guard let m = Self.allCases.first(where: { $0.name == name || $0.rawValue == name }) else { return nil }
        self = m
    }

    /// The methods a search can choose among: those whose trainables every subnet of a supernet can share
    /// (`full` trains the backbone itself).
    public static let searchable: [TransferMethod] = [.last, .bias, .bnLast, .liteResidual, .liteResidualBias]

    /// The methods a search chooses among by default: TinyTL's four.
    public static let searchDefault: [TransferMethod] = [.last, .bias, .liteResidual, .liteResidualBias]

    /// Whether lite residual branches are inserted (into every block unless a placement says otherwise).
    public var insertsLiteResidual: Bool { self == .liteResidual || self == .liteResidualBias }

    /// The method that trains the same as `self` when no block has a lite residual: `last` for lite-residual,
    /// `bias` for lite-residual+bias, `self` otherwise.
    public var withoutLiteResidual: TransferMethod {
        switch self {
        case .liteResidual: return .last
        case .liteResidualBias: return .bias
        default: return self
        }
    }

    /// Whether the profiler counts backward activations (`require_backward`): false only for `last`.
    public var requiresBackward: Bool { self != .last }
}
