import Tensors

/// A conv (dense, grouped or pointwise) with batch norm folded into its weight and bias.
public struct ConvLayer: Sendable {
    /// Weight (O, kh, kw, I/groups).
    public var weight: [Float]
    /// Bias (O): the folded batch-norm shift.
    public var bias: [Float]?
    public var inChannels: Int, outChannels: Int, kernel: Int, stride: Int, groups: Int
    public var padding: Padding
    public var activation: Activation

    public init(weight: [Float], bias: [Float]?, inChannels: Int, outChannels: Int, kernel: Int, stride: Int, groups: Int,
                padding: Padding, activation: Activation) {
        self.weight = weight; self.bias = bias; self.inChannels = inChannels; self.outChannels = outChannels
        self.kernel = kernel; self.stride = stride; self.groups = groups; self.padding = padding; self.activation = activation
    }
}

/// A depthwise conv with batch norm folded into its weight and bias.
public struct DepthwiseLayer: Sendable {
    /// Weight (kh, kw, C).
    public var weight: [Float]
    public var bias: [Float]?
    public var channels: Int, kernel: Int, stride: Int
    public var padding: Padding
    public var activation: Activation

    public init(weight: [Float], bias: [Float]?, channels: Int, kernel: Int, stride: Int, padding: Padding, activation: Activation) {
        self.weight = weight; self.bias = bias; self.channels = channels; self.kernel = kernel; self.stride = stride
        self.padding = padding; self.activation = activation
    }
}

/// A fully connected layer on pooled features.
public struct LinearLayer: Sendable {
    /// Weight (O, I) as PyTorch.
    public var weight: [Float]
    public var bias: [Float]?
    public var inFeatures: Int, outFeatures: Int

    public init(weight: [Float], bias: [Float]?, inFeatures: Int, outFeatures: Int) {
        self.weight = weight; self.bias = bias; self.inFeatures = inFeatures; self.outFeatures = outFeatures
    }
}

/// Batch normalisation kept separate from its conv (for re-calibration of running statistics); folded
/// networks have none.
public struct BatchNormLayer: Sendable {
    /// The `state_dict` prefix of this BN (e.g. `blocks.3.conv.depth_conv.bn`), used to write statistics back.
    public var key: String
    public var gamma: [Float], beta: [Float], mean: [Float], variance: [Float]
    public var eps: Float
    public var activation: Activation

    public init(key: String, gamma: [Float], beta: [Float], mean: [Float], variance: [Float], eps: Float, activation: Activation) {
        self.key = key; self.gamma = gamma; self.beta = beta; self.mean = mean; self.variance = variance; self.eps = eps
        self.activation = activation
    }
}

/// Squeeze-and-excitation (OFA `SEModule`): mean over pixels → reduce (1x1, bias) → ReLU → expand (1x1, bias)
/// → h-sigmoid → scale channels.
public struct SqueezeExciteLayer: Sendable {
    /// Reduce weight (mid, C) and expand weight (C, mid), as PyTorch's 1x1 conv weights without the 1x1.
    public var reduceWeight: [Float], reduceBias: [Float], expandWeight: [Float], expandBias: [Float]
    public var channels: Int, mid: Int

    public init(reduceWeight: [Float], reduceBias: [Float], expandWeight: [Float], expandBias: [Float], channels: Int, mid: Int) {
        self.reduceWeight = reduceWeight; self.reduceBias = reduceBias; self.expandWeight = expandWeight
        self.expandBias = expandBias; self.channels = channels; self.mid = mid
    }
}

/// One op of a static network: what it computes; `Node` says from which values.
public enum Layer: Sendable {
    case conv(ConvLayer)
    case depthwise(DepthwiseLayer)
    /// Elementwise sum of the node's two inputs (a residual connection).
    case add
    /// Mean over pixels: (N,H,W,C) → (N,1,1,C).
    case globalAvgPool
    case linear(LinearLayer)
    case batchNorm(BatchNormLayer)
    case squeezeExcite(SqueezeExciteLayer)
}

/// A layer applied to earlier values. Value 0 is the network input; node i produces value i + 1.
public struct Node: Sendable {
    /// The PyTorch module path this node came from (for messages and per-op timings).
    public var name: String
    public var layer: Layer
    public var inputs: [Int]

    public init(name: String, layer: Layer, inputs: [Int]) {
        self.name = name; self.layer = layer; self.inputs = inputs
    }
}

/// A network as a static list of ops over NHWC Float32 values: the form the planner and trainer read.
public struct Network: Sendable {
    public var nodes: [Node]
    /// Channels of the input image (3 for RGB).
    public var inputChannels: Int

    public init(nodes: [Node], inputChannels: Int) {
        for (i, node) in nodes.enumerated() {
            precondition(node.inputs.allSatisfy { $0 <= i }, "node \(i) \(node.name) reads a later value")
        }
        self.nodes = nodes
        self.inputChannels = inputChannels
    }

    /// Number of parameters (weights and biases after folding).
    public var parameterCount: Int {
        nodes.reduce(0) { total, node in
            switch node.layer {
            case .conv(let c): return total + c.weight.count + (c.bias?.count ?? 0)
            case .depthwise(let d): return total + d.weight.count + (d.bias?.count ?? 0)
            case .linear(let l): return total + l.weight.count + (l.bias?.count ?? 0)
            case .batchNorm(let b): return total + b.gamma.count + b.beta.count
            case .squeezeExcite(let s): return total + s.reduceWeight.count + s.reduceBias.count + s.expandWeight.count + s.expandBias.count
            case .add, .globalAvgPool: return total
            }
        }
    }
}
