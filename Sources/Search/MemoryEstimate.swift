import Memory
import Supernets
import Transfer

/// Whether the search's budget limits all training memory or the activations only (`--mem-scope`).
public enum MemoryScope: String, Sendable, CaseIterable, Codable {
    /// The planner's whole peak: weights, gradients, optimiser state, activations, scratch.
    case total
    /// The peak without parameter memory (weights, their gradients, optimiser state): saved and transient
    /// activations, activation gradients, scratch.
    case activations
}

/// The planned training memory of one candidate, and TinyTL's published formula for the same configuration.
///
/// The training process holds the trainer's arena plus what the data loader holds — the one batch of images it
/// hands the trainer (`BatchLoader` with prefetch 0, as the final training runs), read in place, and the working
/// set of making one image (`LoaderWorkingSet`) — plus the runtime's own (OpenBLAS buffers, code, thread stacks,
/// the trainer's bookkeeping: `ProcessMemory.runtimeOverheadBytes`). The search budgets all of it.
public struct MemoryEstimate: Sendable, Equatable {
    /// Arena + the loader's batch and working set + runtime (bytes): what the budget limits under `--mem-scope total`.
    public var plannedBytes: Int
    /// The trainer's arena (bytes) for one training step at the search's batch and the candidate's resolution:
    /// the planner's peak of live tensors plus what first-fit placement leaves unused (`MemoryPlan.arenaBytes`).
    public var arenaBytes: Int
    /// The part that is not parameter memory (activations, their gradients, scratch, the loader's share); bytes.
    public var activationBytes: Int
    /// Bytes by ledger category at the peak (category names as `MemoryCategory.rawValue`, plus "arena gap",
    /// "input batch", "image transform" and "runtime"); they sum to `plannedBytes`.
    public var ledger: [String: Int]
    /// TinyTL's formula (peak activation × batch + 8-bit frozen + 32-bit trainable parameters), bytes.
    public var formulaBytes: Int

    /// The bytes `scope` constrains.
    public func bytes(in scope: MemoryScope) -> Int { scope == .total ? plannedBytes : activationBytes }

    /// The ledger as a JSON object text with keys in category order.
    public var ledgerJSON: String {
        "{" + (MemoryCategory.allCases.map(\.rawValue) + [Self.arenaGap, Self.inputBatch, Self.imageTransform, Self.runtime]).map { "\"\($0)\": \(ledger[$0] ?? 0)" }
            .joined(separator: ", ") + "}"
    }

    /// Ledger keys beyond the planner's categories: the arena bytes first-fit placement leaves unused at the
    /// peak, the loader's batch outside the arena and its per-image working set.
    public static let arenaGap = "arena gap", inputBatch = "input batch", imageTransform = "image transform"
    /// Ledger key of `ProcessMemory.runtimeOverheadBytes`.
    public static let runtime = "runtime"

    /// The float32 images (N, r, r, 3) of one batch, bytes.
    public static func inputBatchBytes(batch: Int, resolution: Int) -> Int { 4 * batch * resolution * resolution * 3 }

    /// Plans `graph` as the trainer will run it: micro-batches of `batch` images at `resolution`, the state of
    /// `optimizer`; adds the loader's share and the formula for the graph's subnet structure.
    public init(graph: TrainingGraph, structure: SubnetStructure, batch: Int, resolution: Int, loader: LoaderWorkingSet,
                optimizer: OptimizerChoice) throws {
        let plan = try Planner.plan(graph, batch: batch, height: resolution, width: resolution,
                                    optimizerState: optimizer.stateSize, backward: true)
        self.init(plan: plan, graph: graph, structure: structure, batch: batch, resolution: resolution, loader: loader)
    }

    /// The budget's view of `plan` (any optimiser or norm mode): what the training process holds beside the
    /// arena — the input batch, the loader's working set, the runtime — added once, here, for every command that
    /// budgets (`search --mem`, `memory --budget`, `train`).
    public init(plan: MemoryPlan, graph: TrainingGraph, structure: SubnetStructure, batch: Int, resolution: Int,
                loader: LoaderWorkingSet) {
        let input = Self.inputBatchBytes(batch: batch, resolution: resolution), transform = loader.bytes(resolution: resolution)
        arenaBytes = plan.arenaBytes
        plannedBytes = plan.arenaBytes + input + transform + ProcessMemory.runtimeOverheadBytes
        let gap = plan.arenaBytes - plan.peakBytes
        activationBytes = MemoryCategory.allCases.filter { !$0.isParameterMemory }.reduce(gap + input + transform) { $0 + plan.ledgerAtPeak[$1] }
        ledger = Dictionary(uniqueKeysWithValues: MemoryCategory.allCases.map { ($0.rawValue, plan.ledgerAtPeak[$0]) })
        ledger[Self.arenaGap] = gap
        ledger[Self.inputBatch] = input
        ledger[Self.imageTransform] = transform
        ledger[Self.runtime] = ProcessMemory.runtimeOverheadBytes
        var structure = structure
        structure.classes = graph.classes
        let method = graph.method
        let cost = TinyTLMemoryProfiler.profile(TinyTLBackbone(structure), setup: .trainScript(method, classes: graph.classes),
                                                resolution: resolution)
        formulaBytes = Int(cost.memoryBytes(batchSize: batch).rounded())
    }
}
