import Memory
import Supernets
import Transfer

/// Whether the search's budget limits all training memory or the activations only (`--mem-scope`).
public enum MemoryScope: String, Sendable, CaseIterable, Codable {
    /// The planner's whole peak: weights, gradients, optimiser state, activations, scratch.
    case total
    /// The non-persistent part of the peak: saved and transient activations, activation gradients, scratch.
    case activations
}

/// The planned training memory of one candidate, and TinyTL's published formula for the same configuration.
///
/// The training process holds the trainer's arena (the planner's peak) plus the one batch of images the data
/// loader hands it (`BatchLoader` with prefetch 0, as the final training runs), which the trainer copies into its
/// arena; the search budgets both.
public struct MemoryEstimate: Sendable, Equatable {
    /// Planner peak + one input batch (bytes): what the budget limits under `--mem-scope total`.
    public var plannedBytes: Int
    /// The planner's peak (bytes) for one training step at the search's batch and the candidate's resolution.
    public var planPeakBytes: Int
    /// The part that is not persistent (activations, their gradients, scratch, the input batch); bytes.
    public var activationBytes: Int
    /// Bytes by ledger category at the peak (category names as `MemoryCategory.rawValue`, plus "input batch").
    public var ledger: [String: Int]
    /// TinyTL's formula (peak activation × batch + 8-bit frozen + 32-bit trainable parameters), bytes.
    public var formulaBytes: Int

    /// The bytes `scope` constrains.
    public func bytes(in scope: MemoryScope) -> Int { scope == .total ? plannedBytes : activationBytes }

    /// The ledger as a JSON object text with keys in category order.
    public var ledgerJSON: String {
        "{" + (MemoryCategory.allCases.map(\.rawValue) + [Self.inputBatch]).map { "\"\($0)\": \(ledger[$0] ?? 0)" }
            .joined(separator: ", ") + "}"
    }

    /// The ledger key of the loader's batch outside the arena.
    public static let inputBatch = "input batch"

    /// The float32 images (N, r, r, 3) of one batch, bytes.
    public static func inputBatchBytes(batch: Int, resolution: Int) -> Int { 4 * batch * resolution * resolution * 3
    }

    /// Plans `graph` as the trainer will run it: micro-batches of `batch` images at `resolution`, Adam state
    /// (2 floats per trainable value); adds the formula for the graph's subnet structure.
    public init(graph: TrainingGraph, structure: SubnetStructure, batch: Int, resolution: Int) throws {
        let plan = try Planner.plan(graph, batch: batch, height: resolution, width: resolution,
                                    optimizerStateFloatsPerValue: 2, backward: true)
        let input = Self.inputBatchBytes(batch: batch, resolution: resolution)
        planPeakBytes = plan.peakBytes
        plannedBytes = plan.peakBytes + input
        let persistent: Set<MemoryCategory> = [.frozenWeights, .trainableWeights, .gradients, .optimizerState]
        activationBytes = MemoryCategory.allCases.filter { !persistent.contains($0) }.reduce(input) { $0 + plan.ledgerAtPeak[$1] }
        ledger = Dictionary(uniqueKeysWithValues: MemoryCategory.allCases.map { ($0.rawValue, plan.ledgerAtPeak[$0]) })
        ledger[Self.inputBatch] = input
        var structure = structure
        structure.classes = graph.classes
        let method = TransferMethod(rawValue: graph.method.rawValue)!
        let cost = TinyTLMemoryProfiler.profile(TinyTLBackbone(structure), setup: .trainScript(method, classes: graph.classes),
                                                resolution: resolution)
        formulaBytes = Int(cost.memoryBytes(batchSize: batch).rounded())
    }
}
