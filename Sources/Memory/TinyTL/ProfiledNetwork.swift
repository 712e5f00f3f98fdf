import Supernets

/// What a leaf module is, as TinyTL's profiler tells leaves apart (by exact PyTorch type).
///
/// Concretely (act byte b = 4, x/y = input/output element counts, batch 1), the per-leaf costs of
/// `count_activation_size` (spec §6.2):
/// - `conv` (Conv2d, MyConv2d): saved x·b if the weight trains; working set x·b + ⌊y·b / groups⌋.
/// - `linear`: saved x·b if the weight trains; working set x·b + y·b.
/// - `batchNorm`, `groupNorm`: saved x·b if γ trains (β alone saves nothing); working set x·b.
/// - `reluMask` (ReLU, ReLU6, LeakyReLU): saved x/8 (a 1-bit mask) when backward runs; working set x·b.
/// - `smoothActivation` (Hswish, Hsigmoid, Sigmoid, Tanh): saved x·b when backward runs; working set x·b.
/// - `parameterFree` (Dropout, AvgPool2d, MyGlobalAvgPool2d, IdentityLayer): nothing, but it still takes
///   part in the peak check.
public enum ProfiledLeafKind: Equatable, Sendable {
    case conv(groups: Int)
    case linear
    case batchNorm
    /// GroupNorm with `groups` groups (the profiler treats it exactly like batch norm).
    case groupNorm(groups: Int)
    case reluMask
    case smoothActivation
    case parameterFree

    /// BatchNorm2d or GroupNorm: what `enable_bn_update` unfreezes.
    public var isNorm: Bool {
        switch self {
        case .batchNorm, .groupNorm: return true
        default: return false
        }
    }
}

/// Where a leaf sits, which decides what each TinyTL method trains (spec §5.6).
public enum ProfiledSection: Hashable, Sendable {
    /// The pretrained feature extractor (stem, main branches, shortcuts, head convs, pooling).
    case featureExtractor
    /// A lite residual branch (`blocks.i.conv.lite_residual.*`) other than its final norm.
    case liteResidual
    /// The lite residual's `final_bn`, whose β TinyTL freezes when bias or norm updates are on.
    case liteResidualFinalNorm
    /// The new classifier (`classifier.*`): always trained.
    case classifier
}

/// One parameter tensor of a leaf: its PyTorch name inside the leaf ("weight" or "bias"), element count
/// and whether it trains (`requires_grad`).
public struct ProfiledParameter: Equatable, Sendable {
    public var name: String
    public var elements: Int
    public var trainable: Bool

    public init(name: String, elements: Int, trainable: Bool = false) {
        self.name = name; self.elements = elements; self.trainable = trainable
    }
}

/// One leaf module as the profiler sees it: type, input/output element counts at batch 1, parameters.
public struct ProfiledLeaf: Equatable, Sendable {
    /// The PyTorch module path, e.g. `blocks.1.conv.main_branch.depth_conv.conv`.
    public var path: String
    public var kind: ProfiledLeafKind
    public var section: ProfiledSection
    /// Elements of the leaf's input and output for one sample.
    public var inputElements: Int, outputElements: Int
    public var parameters: [ProfiledParameter]

    public init(path: String, kind: ProfiledLeafKind, section: ProfiledSection = .featureExtractor,
                inputElements: Int, outputElements: Int, parameters: [ProfiledParameter] = []) {
        self.path = path; self.kind = kind; self.section = section
        self.inputElements = inputElements; self.outputElements = outputElements; self.parameters = parameters
    }

    /// Whether the parameter named `weight` trains (false when there is none): the profiler's test for
    /// convs, linears and norms.
    public var weightTrainable: Bool { parameters.first { $0.name == "weight" }?.trainable ?? false }
}

/// One event of the profiled forward pass, in execution order.
public enum ProfiledStep: Equatable, Sendable {
    /// A leaf module runs.
    case leaf(ProfiledLeaf)
    /// A `ResidualBlock` with a shortcut is entered: its input (`inputElements` per sample) is held.
    case enterResidual(inputElements: Int)
    /// That block returns: the held input is released.
    case exitResidual
}

/// The TinyTL training network as the memory profiler sees it: leaves in forward order with their sizes,
/// the residual markers, and every parameter with its trainability.
public struct ProfiledNetwork: Equatable, Sendable {
    public var steps: [ProfiledStep]

    public init(steps: [ProfiledStep]) { self.steps = steps }

    /// The leaves in forward order.
    public var leaves: [ProfiledLeaf] {
        steps.compactMap { if case let .leaf(leaf) = $0 { return leaf } else { return nil } }
    }

    /// All parameter elements (`sum(p.numel() for p in net.parameters())`).
    public var parameterCount: Int { leaves.reduce(0) { $0 + $1.parameters.reduce(0) { $0 + $1.elements } } }

    /// Trainable parameter elements (`requires_grad`).
    public var trainableParameterCount: Int {
        leaves.reduce(0) { $0 + $1.parameters.reduce(0) { $0 + ($1.trainable ? $1.elements : 0) } }
    }

    /// Parameter elements of the leaves in `sections`.
    public func parameterCount(in sections: Set<ProfiledSection>) -> Int {
        leaves.filter { sections.contains($0.section) }.reduce(0) { $0 + $1.parameters.reduce(0) { $0 + $1.elements } }
    }

    /// Applies `method`'s `requires_grad` flags to every parameter, as `tinytl_fgvc_train.py` sets them (§5.6).
    public mutating func setTrainable(for method: TransferMethod) {
        for i in steps.indices {
            guard case var .leaf(leaf) = steps[i] else { continue }
            for p in leaf.parameters.indices {
                leaf.parameters[p].trainable = method.trains(leaf.parameters[p].name, of: leaf.kind, in: leaf.section)
            }
            steps[i] = .leaf(leaf)
        }
    }
}
