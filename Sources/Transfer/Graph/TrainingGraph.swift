import Supernets
import Tensors

/// One parameter (or frozen buffer) of a training graph, under its PyTorch `state_dict` name.
///
/// Storage: float32 `values`, or — for a frozen conv/depthwise/linear/SE weight after
/// `TrainingGraph.quantizingFrozenWeights(bits:seed:)` — an 8-bit `quantized` tensor (≤ 256-entry codebook +
/// one `UInt8` per element) with `values` empty. `count`, `storageBits` and `storedBytes` describe the storage
/// and survive `releasingPayload()`, which drops the values (the trainer keeps them in its arena instead).
public struct GraphParameter: Sendable {
    /// PyTorch name, e.g. `blocks.3.conv.depth_conv.conv.weight` (see `ParameterRole` for folded values).
    public var name: String
    public var role: ParameterRole
    /// Float32 values in the engine's layout (conv (O,kh,kw,I/g), depthwise (kh,kw,C), linear (O,I), vectors (C));
    /// empty while the parameter is stored quantised (`quantized`) or released. Assigning values makes the
    /// parameter float32 again.
    public var values: [Float] {
        didSet { count = values.count; quantized = nil; storageBits = 32; codebookCount = 0 }
    }
    public var trainable: Bool
    /// The 8-bit storage of a frozen weight (nil: float32 `values`).
    public private(set) var quantized: QuantizedTensor?
    /// Bits per stored value: 32, or 8 for a k-means quantised frozen weight (the planner reads `storedBytes`).
    public private(set) var storageBits: Int
    /// Elements.
    public private(set) var count: Int
    /// Codebook entries of an 8-bit parameter (0 for float32).
    public private(set) var codebookCount: Int

    public init(name: String, role: ParameterRole, values: [Float], trainable: Bool) {
        self.name = name; self.role = role; self.values = values; self.trainable = trainable
        storageBits = 32; count = values.count; codebookCount = 0
    }

    /// Bytes of the stored parameter: 4·N for float32; N + 4·codebook entries for 8 bits (indices + codebook).
    public var storedBytes: Int { storageBits == 8 ? count + 4 * codebookCount : 4 * count }

    /// The float32 values the kernels compute with: `values`, or the dequantised codebook entries.
    /// - Precondition: the payload has not been released.
    public var float32Values: [Float] {
        if let quantized { return quantized.dequantized() }
        precondition(values.count == count, "\(name): values were released")
        return values
    }

    /// Replaces the float32 values by their 8-bit storage (frozen parameters only).
    mutating func store(_ q: QuantizedTensor) {
        precondition(!trainable && q.count == count, "\(name): only a frozen tensor of \(count) elements can be stored quantised")
        values = []
        quantized = q; storageBits = 8; count = q.count; codebookCount = q.codebook.count
    }

    /// Marks a frozen parameter as 8-bit with a `codebookCount`-entry codebook and drops its values (sizes only,
    /// for planning: `TrainingGraph.frozenStorageForPlanning(bits:)`).
    mutating func describeQuantized(codebookCount k: Int) {
        precondition(!trainable, "\(name): only a frozen tensor can be stored quantised")
        let n = count
        values = []
        count = n; storageBits = 8; codebookCount = k
    }

    /// The parameter without its payload (values or quantised tensor): name, role, storage and sizes only.
    public func releasingPayload() -> GraphParameter {
        var p = self
        let (n, bits, k) = (count, storageBits, codebookCount)
        p.values = []
        p.count = n; p.storageBits = bits; p.codebookCount = k
        return p
    }
}

/// A dense, grouped or pointwise conv; `weight`, `bias` index `TrainingGraph.parameters`.
public struct ConvOp: Sendable {
    public var inChannels: Int, outChannels: Int, kernel: Int, stride: Int, groups: Int
    public var padding: Padding
    public var weight: Int
    public var bias: Int?
    /// Whether the stored weight is standardised per output channel at every use (`MyConv2d`, GN + WS mode;
    /// `weightStandardizeForward` with `TrainingGraph.weightStandardizationEps`).
    public var standardize = false
}

/// A depthwise conv (weight (kh,kw,C)).
public struct DepthwiseOp: Sendable {
    public var channels: Int, kernel: Int, stride: Int
    public var padding: Padding
    public var weight: Int
    public var bias: Int?
    /// Whether the weight is standardised per channel at every use (see `ConvOp.standardize`).
    public var standardize = false
}

/// A normalisation y = γ·x̂ + β per channel: a batch norm with frozen statistics (`groups` nil) or a GroupNorm
/// (`groups` set; statistics of each sample and group, computed at every forward).
///
/// Frozen batch norm: the per-channel affine y = a·x + b with a = γ/√(var + eps), b = β − mean·a. The gradients
/// (`batchNormInferenceBackward`): dx = a·dy; dβ = Σ dy (∂b/∂β = 1); dγ = Σ dy·x̂ with x̂ = (x − mean)/√(var + eps),
/// because y = γ·x̂ + β — equivalently dγ = (Σ dy·x − mean·Σ dy)/σ from ∂a/∂γ = 1/σ and ∂b/∂γ = −mean/σ. Only dγ
/// reads x, so only a trainable γ keeps the input.
///
/// GroupNorm (`groupNormForward`/`groupNormBackward`, spec §5.5): x̂ depends on the whole group, so dx needs x̂ —
/// the input is kept whenever dx or dγ is computed, even with γ frozen (TinyTL's formula counts nothing then).
/// A GroupNorm has no running statistics: `mean` and `variance` repeat `gamma` and `beta` (so code that lists an
/// affine's four parameters stays valid) and are never read as statistics.
public struct AffineOp: Sendable {
    public var channels: Int
    public var gamma: Int, beta: Int, mean: Int, variance: Int
    public var eps: Float
    /// GroupNorm groups (C / min_divisible_value(C, channels per group)); nil for a frozen batch norm.
    public var groups: Int? = nil
}

/// Squeeze-and-excitation (OFA `SEModule`: reduce 1x1 + bias, ReLU, expand 1x1 + bias, h-sigmoid, scale).
public struct SqueezeExciteOp: Sendable {
    public var channels: Int, mid: Int
    public var reduceWeight: Int, reduceBias: Int, expandWeight: Int, expandBias: Int
}

/// A fully connected layer on pooled features (weight (O,I)).
public struct LinearOp: Sendable {
    public var inFeatures: Int, outFeatures: Int
    public var weight: Int, bias: Int
}

/// What an op computes. Activations are ops of their own, so each op saves its own tensors for backward.
public enum OpKind: Sendable {
    case conv(ConvOp)
    case depthwise(DepthwiseOp)
    case affine(AffineOp)
    case activation(Activation)
    /// Elementwise sum of the op's two inputs.
    case add
    /// Mean over pixels: (N,H,W,C) → (N,1,1,C).
    case globalAvgPool
    /// `AvgPool2d(kernel, stride, padding 0)`, floor mode.
    case avgPool(kernel: Int, stride: Int)
    /// Bilinear resize (align_corners=False) to the height and width of value `like` (read for its shape only).
    case resize(like: Int)
    case squeezeExcite(SqueezeExciteOp)
    case linear(LinearOp)

    /// Indices of the parameters the op reads.
    public var parameters: [Int] {
        switch self {
        case .conv(let c): return [c.weight] + (c.bias.map { [$0] } ?? [])
        case .depthwise(let d): return [d.weight] + (d.bias.map { [$0] } ?? [])
        case .affine(let a): return a.groups == nil ? [a.gamma, a.beta, a.mean, a.variance] : [a.gamma, a.beta]
        case .squeezeExcite(let s): return [s.reduceWeight, s.reduceBias, s.expandWeight, s.expandBias]
        case .linear(let l): return [l.weight, l.bias]
        case .activation, .add, .globalAvgPool, .avgPool, .resize: return []
        }
    }

    /// True for ops that may write their output over their first input (elementwise, kernel-safe aliasing).
    var canRunInPlace: Bool {
        switch self {
        case .activation, .add: return true
        case .affine(let a): return a.groups == nil
        default: return false
        }
    }
}

/// One op of the static list: value `i + 1` is op i's output; value 0 is the input images.
public struct GraphOp: Sendable {
    /// The PyTorch module path (`blocks.2.conv.depth_conv.act`), for ledgers and messages.
    public var name: String
    public var kind: OpKind
    public var inputs: [Int]
}

/// How a training graph normalises (spec §5.5).
public enum NormMode: Equatable, Sendable {
    /// The subnet's batch norms with frozen (re-calibrated) statistics, folded into their convs where nothing in
    /// them trains (the default for BN-trained supernets).
    case frozenBatchNorm
    /// TinyTL's setting: every batch norm becomes GroupNorm(C / min_divisible_value(C, channelsPerGroup) groups,
    /// the batch norm's eps, γ and β kept) and every bias-free conv standardises its weight (`MyConv2d`, eps
    /// `weightStandardizationEps`). Meant for checkpoints pretrained that way: on BN-trained weights it changes the
    /// function. Squeeze-excite convs have biases and are not standardised (the reference's
    /// `replace_conv2d_with_my_conv2d` raises on them, spec §5.5).
    case groupNorm(channelsPerGroup: Int, weightStandardizationEps: Float)

    /// TinyTL's GN + WS: 8 channels per group, ws_eps 1e-5.
    public static let tinyTL = NormMode.groupNorm(channelsPerGroup: 8, weightStandardizationEps: 1e-5)

    /// "frozen-bn" or "gn" (the command line's and the trained file's names).
    public var name: String { self == .frozenBatchNorm ? "frozen-bn" : "gn" }
}

/// A network prepared for TinyTL training: a static op list over NHWC values and its parameters, each marked
/// frozen or trainable. Batch norms are frozen-statistics affines, folded into their conv where exact.
///
/// The graph does not depend on the batch or resolution; `ValueShapes` derives those, and `Planner` and
/// `Trainer` read the same graph, shapes and `BackwardNeeds`.
public struct TrainingGraph: Sendable {
    public var parameters: [GraphParameter]
    public var ops: [GraphOp]
    public var inputChannels: Int
    public var classes: Int
    public var method: TransferMethod
    /// Floats of one weight block of a pointwise conv run over its weight in blocks (`weightBlockRows`);
    /// `pointwiseWeightBlockFloats` unless a test sets it small.
    public var weightBlockFloats = pointwiseWeightBlockFloats
    /// The eps of every frozen batch norm (the subnet's), for refolding (`load(stateDict:)`).
    public internal(set) var batchNormEps: Float = 1e-5
    /// How the subnet's batch norms train (frozen-BN folding, or TinyTL's GroupNorm + weight standardisation).
    public internal(set) var norm: NormMode = .frozenBatchNorm
    /// The eps of weight standardisation (`ConvOp.standardize`; TinyTL's `ws_eps`).
    public var weightStandardizationEps: Float {
        if case .groupNorm(_, let eps) = norm { return eps }
        return 1e-5
    }

    /// Index of the parameter called `name`.
    public func parameterIndex(_ name: String) -> Int? { parameters.firstIndex { $0.name == name } }

    /// Trainable values (floats).
    public var trainableCount: Int { parameters.filter(\.trainable).reduce(0) { $0 + $1.count } }

    /// The graph without parameter payloads (`GraphParameter.releasingPayload()`): structure, names and sizes only.
    public func releasingPayloads() -> TrainingGraph {
        var g = self
        g.parameters = parameters.map { $0.releasingPayload() }
        return g
    }

    /// Whether op `i`'s parameter `p` trains.
    func trains(_ p: Int?) -> Bool { p.map { parameters[$0].trainable } ?? false }
}
