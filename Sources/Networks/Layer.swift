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
}

/// A depthwise conv with batch norm folded into its weight and bias.
public struct DepthwiseLayer: Sendable {
    /// Weight (kh, kw, C).
    public var weight: [Float]
    public var bias: [Float]?
    public var channels: Int, kernel: Int, stride: Int
    public var padding: Padding
    public var activation: Activation
}

/// A fully connected layer on pooled features.
public struct LinearLayer: Sendable {
    /// Weight (O, I) as PyTorch.
    public var weight: [Float]
    public var bias: [Float]?
    public var inFeatures: Int, outFeatures: Int
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
}

/// A layer applied to earlier values. Value 0 is the network input; node i produces value i + 1.
public struct Node: Sendable {
    /// The PyTorch module path this node came from (for messages and per-op timings).
    public var name: String
    public var layer: Layer
    public var inputs: [Int]
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
            case .add, .globalAvgPool: return total
            }
        }
    }
}
