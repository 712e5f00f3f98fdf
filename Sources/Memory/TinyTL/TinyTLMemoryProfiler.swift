/// TinyTL's published training-memory formula (`tinytl/utils/memory_cost_profiler.py`, spec §6).
///
/// Concretely: memory = P · batch + params, where params = Σ trainable numel · 4 + Σ frozen numel · 1 bytes
/// (frozen weights at 8 bits) and P is the batch-1 activation peak of one forward pass. Walking the leaves in
/// order with running totals G (saved activations), P (peak) and Rs (held residual input):
/// before each leaf P = max(P, tmp + G + Rs), then G += grad (per-leaf tmp and grad: `ProfiledLeafKind`);
/// entering a block with a shortcut sets Rs = numel(input) · 4, leaving it sets Rs = 0.
/// Bytes may be fractional (ReLU masks are numel/8). The reference keeps tmp, grad, G and P in float32 tensors
/// (`torch.Tensor([...])`), so this does too: its integers above 2^24 are float32-rounded, bit for bit.
///
/// - Complexity: O(leaves).
/// ### References
/// Cai et al., "TinyTL: Reduce Memory, Not Parameters for Efficient On-Device Learning", NeurIPS 2020,
/// <https://arxiv.org/abs/2007.11622>.
public enum TinyTLMemoryProfiler {
    /// The cost of `network`: `profile_memory_cost` with `require_backward = requireBackward`.
    /// - Parameters:
    ///   - activationBits: bits per stored activation (32).
    ///   - trainableParameterBits: bits per trainable parameter (32).
    ///   - frozenParameterBits: bits per frozen parameter (8; nil counts them at 32, as the reference does).
    public static func profile(_ network: ProfiledNetwork, requireBackward: Bool, activationBits: Int = 32,
                               trainableParameterBits: Int = 32, frozenParameterBits: Int? = 8) -> TinyTLMemoryCost {
        var cost = TinyTLMemoryCost()
        for leaf in network.leaves {
            for p in leaf.parameters {
                if p.trainable {
                    cost.trainableParameterCount += p.elements
                    cost.trainableParameterBytes += Double(trainableParameterBits) / 8 * Double(p.elements)
                } else {
                    cost.frozenParameterCount += p.elements
                    cost.frozenParameterBytes += Double(frozenParameterBits ?? 32) / 8 * Double(p.elements)
                }
            }
        }
        let rows = ledger(network, requireBackward: requireBackward, activationBits: activationBits)
        cost.peakActivationBytes = Double(rows.last?.peak ?? 0)
        cost.gradActivationBytes = Double(rows.last?.savedTotal ?? 0)
        return cost
    }

    /// The cost of `backbone`'s TinyTL network under `setup` at `resolution`, with the script's
    /// `require_backward` (false only for `last`).
    public static func profile(_ backbone: TinyTLBackbone, setup: TinyTLSetup, resolution: Int) -> TinyTLMemoryCost {
        profile(ProfiledNetwork(backbone, setup: setup, resolution: resolution), requireBackward: setup.method.requiresBackward)
    }

    /// One row per step: the leaf's costs and the running totals after it (float32, as the reference).
    public static func ledger(_ network: ProfiledNetwork, requireBackward: Bool, activationBits: Int = 32) -> [TinyTLLedgerRow] {
        let b = Double(activationBits) / 8
        var saved: Float = 0, peak: Float = 0, residual: Float = 0
        var rows: [TinyTLLedgerRow] = []
        for step in network.steps {
            switch step {
            case let .enterResidual(n):
                residual = Float(Double(n) * b)
                rows.append(TinyTLLedgerRow(label: "enter residual", residual: residual, savedTotal: saved, peak: peak))
            case .exitResidual:
                residual = 0
                rows.append(TinyTLLedgerRow(label: "exit residual", residual: residual, savedTotal: saved, peak: peak))
            case let .leaf(leaf):
                let (tmp, grad) = costs(leaf, requireBackward: requireBackward, actByte: b)
                let check = tmp + saved + residual
                peak = max(peak, check)
                saved += grad
                rows.append(TinyTLLedgerRow(label: leaf.path, kind: leaf.kind, inputElements: leaf.inputElements,
                                            outputElements: leaf.outputElements, tmp: tmp, grad: grad, check: check,
                                            residual: residual, savedTotal: saved, peak: peak))
            }
        }
        return rows
    }

    /// Pass 1 of `count_activation_size`: (tmp, grad) bytes of one leaf, rounded to float32.
    static func costs(_ leaf: ProfiledLeaf, requireBackward: Bool, actByte b: Double) -> (tmp: Float, grad: Float) {
        let x = Double(leaf.inputElements), y = Double(leaf.outputElements)
        let saved = leaf.weightTrainable ? x * b : 0
        switch leaf.kind {
        case let .conv(groups): return (Float(x * b + (y * b / Double(groups)).rounded(.down)), Float(saved))
        case .linear: return (Float(x * b + y * b), Float(saved))
        case .batchNorm, .groupNorm: return (Float(x * b), Float(saved))
        case .reluMask: return (Float(x * b), requireBackward ? Float(x / 8) : 0)
        case .smoothActivation: return (Float(x * b), requireBackward ? Float(x * b) : 0)
        case .parameterFree: return (0, 0)
        }
    }
}
