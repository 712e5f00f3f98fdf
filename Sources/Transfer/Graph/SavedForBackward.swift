import Tensors

/// What one op keeps from its forward pass for its backward: the single table both `Planner` and `Trainer` read.
///
/// | op | saves |
/// |---|---|
/// | conv / depthwise / linear | its input if the weight trains, else nothing (dx needs only the weight; db only dy) |
/// | affine (frozen-statistics BN) | its input if γ trains, else nothing (dx = a·dy, dβ = Σ dy) |
/// | affine (GroupNorm) | its input if dx or dγ is computed (both need x̂), else nothing (dβ = Σ dy) |
/// | ReLU, ReLU6 | a 1-bit mask (`activationMaskWordCount` words), packed from the output |
/// | h-swish, h-sigmoid, sigmoid | its input |
/// | squeeze-excite | its input (the backward recomputes the squeeze path from it) |
/// | add, global/avg pool, bilinear resize | nothing (shapes only) |
/// | loss (softmax cross-entropy) | the logits, until the fused kernel turns them into dlogits |
///
/// An op whose output needs no gradient saves nothing: backward stops at the first trainable parameter.
public enum SavedForBackward: Equatable, Sendable {
    case nothing
    /// A 1-bit mask per output element, UInt64 words.
    case bitMask
    /// The op's first input, kept alive at full width until the op's backward.
    case input
}

/// Which gradients the backward pass computes and what each op saves for it, derived from which parameters train.
///
/// Concretely: value v needs a gradient iff some trainable parameter lies upstream of it (or in its producer).
/// Op i runs backward iff its output needs a gradient; it then computes the gradient of every input that needs
/// one and of every trainable parameter it owns.
public struct BackwardNeeds: Sendable {
    /// Per value (0 = input): whether dL/dv is computed.
    public let valueNeedsGradient: [Bool]
    /// Per op: whether its backward runs.
    public let runsBackward: [Bool]
    /// Per op and input: whether the op's backward produces that input's gradient.
    public let inputGradients: [[Bool]]
    /// Per op: what it saves (see the table on `SavedForBackward`).
    public let saved: [SavedForBackward]

    public init(_ graph: TrainingGraph) {
        var needs = [false]
        for op in graph.ops {
            needs.append(op.kind.parameters.contains { graph.parameters[$0].trainable } || op.inputs.contains { needs[$0] })
        }
        var saved: [SavedForBackward] = [], inputGradients: [[Bool]] = [], runs: [Bool] = []
        for (i, op) in graph.ops.enumerated() {
            let runs_ = needs[i + 1]
            runs.append(runs_)
            inputGradients.append(op.inputs.map { runs_ && needs[$0] })
            guard runs_ else { saved.append(.nothing); continue }
            switch op.kind {
            case .conv(let c): saved.append(graph.trains(c.weight) ? .input : .nothing)
            case .depthwise(let d): saved.append(graph.trains(d.weight) ? .input : .nothing)
            case .linear(let l): saved.append(graph.trains(l.weight) ? .input : .nothing)
            case .affine(let a) where a.groups == nil: saved.append(graph.trains(a.gamma) ? .input : .nothing)
            case .affine(let a): saved.append(graph.trains(a.gamma) || inputGradients[i][0] ? .input : .nothing)
            case .activation(let f): saved.append(f.backwardNeedsOnlyMask ? .bitMask : .input)
            case .squeezeExcite: saved.append(.input)
            case .add, .globalAvgPool, .avgPool, .resize: saved.append(.nothing)
            }
        }
        self.valueNeedsGradient = needs; self.runsBackward = runs; self.inputGradients = inputGradients; self.saved = saved
    }
}
