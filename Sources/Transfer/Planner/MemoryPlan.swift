import Tensors

/// What a planned tensor holds, for the ledger.
public enum MemoryCategory: String, CaseIterable, Sendable {
    case frozenWeights = "frozen weights"
    case trainableWeights = "trainable weights"
    /// Gradients of trainable parameters (kept across micro-batches under `GradientMode.accumulated`; one backward
    /// step each under `.fused`).
    case gradients
    case optimizerState = "optimizer state"
    /// Forward values and masks kept past the forward pass for the backward (and the logits for the loss).
    case savedActivations = "saved activations"
    /// Forward values that die within the forward pass.
    case transientActivations = "transient activations"
    /// Gradients of values during the backward pass.
    case activationGradients = "activation gradients"
    /// Kernel temporaries (im2col/col2im columns, direct convs' zero rows, squeeze-excite) and 8-bit weights expanded
    /// to float32, one step each (in the chunked prefix, its whole forward or backward).
    case scratch

    /// Parameters, their gradients and optimizer state (all persistent, except fused gradients), as opposed to
    /// activations, their gradients and scratch.
    public var isParameterMemory: Bool {
        switch self {
        case .frozenWeights, .trainableWeights, .gradients, .optimizerState: return true
        case .savedActivations, .transientActivations, .activationGradients, .scratch: return false
        }
    }
}

/// One tensor of a plan: what it is, its size, its lifetime in steps and its place in the arena.
///
/// Steps: forward op i is step i, the loss is step F (= op count), the backward of op i is step 2F − i.
/// A tensor is live over `birth...death` (inclusive); persistent tensors live over every step.
public struct PlannedTensor: Sendable {
    public enum Kind: Equatable, Sendable {
        case parameter(Int), parameterGradient(Int), optimizerState(Int)
        /// Forward value(s); ops that run in place share their input's tensor.
        case value(Int)
        /// The 1-bit ReLU/ReLU6 mask of op i.
        case mask(op: Int)
        case valueGradient(Int)
        case scratch(step: Int)
        /// The weights read at `step` expanded to float32 (8-bit dequantised, standardised), and dL/dw′ slots.
        case expandedWeights(step: Int)
    }
    public let kind: Kind
    public let name: String
    public let category: MemoryCategory
    /// Exact bytes (the ledger's unit); the arena rounds each tensor up to `MemoryPlan.alignment`.
    public internal(set) var bytes: Int
    public let birth: Int, death: Int
    public internal(set) var offset: Int
    /// With a chunked prefix (`ChunkedPrefix`): the bytes between consecutive chunks' slices of this batch
    /// tensor (chunk k at `offset + k·chunkStride`); 0 for a tensor that is not sliced.
    public let chunkStride: Int
    /// For a gradient: its first write in a step (in a chunk pass, for a chunk tensor; in the first chunk pass,
    /// for a parameter gradient of the chunked prefix) overwrites it, so nothing zeroes it at birth
    /// (`PlanBuilder.firstWriteOverwrites`). Saves a pass over most of a step's gradient bytes.
    public internal(set) var firstWriteOverwrites = false

    /// Bytes the tensor occupies in the arena.
    public var alignedBytes: Int { (bytes + MemoryPlan.alignment - 1) / MemoryPlan.alignment * MemoryPlan.alignment }

    func overlapsLifetime(_ other: PlannedTensor) -> Bool { birth <= other.death && other.birth <= death }
}

/// One float32 slot of a step's expanded-weights scratch: parameter `parameter`'s weights as the kernel reads them
/// (`gradient` false), or dL/dw′ of a standardised trainable weight (`gradient` true), at float offset `offset`.
struct WeightSlot: Sendable {
    let parameter: Int, offset: Int, gradient: Bool
    /// Weight standardisation of the slot: output channels, weights per channel, and whether channels are the
    /// last axis (depthwise); nil when the weight is not standardised.
    let standardization: (outChannels: Int, perChannel: Int, channelLast: Bool)?
    /// Output channels of the one block the slot holds when the op runs over its weight in blocks
    /// (`TrainingGraph.weightBlockRows`); nil when the slot holds the whole weight.
    let blockRows: Int?
}

/// Bytes by category.
public struct MemoryLedger: Sendable, CustomStringConvertible {
    public internal(set) var bytes: [MemoryCategory: Int] = [:]

    public subscript(_ c: MemoryCategory) -> Int { bytes[c] ?? 0 }
    public var total: Int { bytes.values.reduce(0, +) }

    public var description: String {
        MemoryCategory.allCases.map { "\($0.rawValue): \(self[$0]) B" }.joined(separator: ", ")
    }
}

/// The exact memory of training (or evaluating) one graph at one batch and resolution: every tensor with its
/// lifetime and arena offset, the ledger and the peak. The trainer allocates `arenaBytes` and nothing else.
public struct MemoryPlan: Sendable {
    /// Byte alignment of every tensor in the arena (a cache line).
    public static let alignment = 64

    public let batch: Int, height: Int, width: Int
    /// Whether the plan includes the backward pass (training) or only the forward (evaluation).
    public let backward: Bool
    /// The optimizer's state per trainable tensor; nil when no training state is planned (pure inference).
    public let optimizerState: OptimizerStateSize?
    /// How parameter gradients live (persistent, or fused into the backward).
    public let gradientMode: GradientMode
    /// The front of the graph run a few images at a time, if any.
    public let chunkedPrefix: ChunkedPrefix?
    public let shapes: ValueShapes
    /// The shapes of one chunk of `chunkedPrefix` (nil without chunking).
    public let chunkShapes: ValueShapes?
    public let needs: BackwardNeeds
    public let tensors: [PlannedTensor]
    /// Size of the one arena (first fit over lifetimes; ≥ `peakBytes` by alignment and fragmentation).
    public let arenaBytes: Int
    /// The largest sum of live tensors' exact bytes over all steps, the step where it occurs and what is live there.
    public let peakBytes: Int, peakStep: Int
    public let tensorsAtPeak: [Int]
    /// Bytes by category at the peak step (sums to `peakBytes`).
    public let ledgerAtPeak: MemoryLedger
    /// Bytes by category summed over all tensors regardless of lifetime (persistent categories equal the peak's).
    public let allocated: MemoryLedger
    /// Number of ops (F): the loss is step F, the last step 2F (training) or F (evaluation).
    public let opCount: Int

    // Lookups for the trainer.
    let valueTensor: [Int]
    let valueGradientTensor: [Int?]
    let maskTensor: [Int?]
    let parameterTensor: [Int]
    let gradientTensor: [Int?]
    let stateTensor: [Int?]
    let scratchTensor: [Int?]
    /// Per step: the scratch tensor of weights expanded to float32 (8-bit weights dequantised, standardised weights
    /// standardised) and of standardised weights' dL/dw′, and which parameter each slot holds.
    let expandedWeightTensor: [Int?]
    let expandedWeights: [[WeightSlot]]
    /// Per step: value-gradient tensors and fused parameter gradients born there that the trainer zeroes before the
    /// step runs (all but those whose first writer overwrites them, `PlannedTensor.firstWriteOverwrites`).
    let bornGradients: [[Int]]
    /// Per step: non-persistent tensors whose lifetime ends there.
    let dying: [[Int]]
    /// Per step: parameters the optimiser steps right after it (`GradientMode.fused`; empty otherwise).
    let updates: [[Int]]
    /// Per step: whether a conv's backward there runs its input and weight gradients side by side
    /// (`conv2dBackward`).
    let sideBySide: [Bool]

    public var lastStep: Int { backward ? 2 * opCount : opCount }

    /// Which op runs at `step`, as "forward <name>", "loss" or "backward <name>".
    public func stepDescription(_ step: Int, graph: TrainingGraph) -> String {
        if step < opCount { return "forward \(graph.ops[step].name)" }
        if step == opCount { return "loss" }
        return "backward \(graph.ops[2 * opCount - step].name)"
    }

    /// The tensors live at the peak, largest first: name, category, bytes (llm.c-style annotation).
    public func peakReport(graph: TrainingGraph) -> String {
        var lines = ["peak \(peakBytes) B at \(stepDescription(peakStep, graph: graph)); arena \(arenaBytes) B"]
        for i in tensorsAtPeak.sorted(by: { tensors[$0].bytes > tensors[$1].bytes }) {
            let t = tensors[i]
            lines.append("  \(t.name)  [\(t.category.rawValue)]  \(t.bytes) B")
        }
        return lines.joined(separator: "\n")
    }
}
