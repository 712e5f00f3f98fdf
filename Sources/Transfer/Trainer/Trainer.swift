import Foundation
import Tensors

/// Trains a `TrainingGraph` inside one arena of exactly `plan.arenaBytes`, laid out by `Planner`.
///
/// Concretely, one optimiser step over micro-batches B₁…Bₙ of `plan.batch` images: zero the parameter gradients;
/// for each micro-batch run the forward (saving what `BackwardNeeds.saved` says), softmax cross-entropy with label
/// smoothing (dlogits scaled by 1/n, so the gradient is that of the mean loss over the whole batch), and the
/// backward over the op list, computing only the gradients `BackwardNeeds` asks for (value gradients are zeroed
/// where the plan creates them, since backward kernels accumulate, unless their first writer overwrites them);
/// then `Optimizer.step` per trainable tensor.
/// That is `GradientMode.accumulated`; under `.fused` (the default; one micro-batch per step) each parameter is
/// stepped right after the backward of its op, and its gradient never outlives that step.
/// Evaluation runs the forward only, in the same arena under an evaluation plan that keeps parameters (and the
/// gradient/state slots) at the same offsets.
///
/// Memory: parameters (frozen ones at their stored width), gradients, optimiser state, activations, masks and
/// scratch all live in the arena; `measuredHighWaterBytes` records the end of the highest tensor actually written.
/// Outside it the trainer keeps only bookkeeping: the graph without parameter values (`releasingPayloads()`),
/// its plans and the optimiser's per-tensor step counters; the input images are read where the caller holds them.
/// Deterministic for a graph, inputs and `Parallelism.threads`.
public final class Trainer {
    public let graph: TrainingGraph
    /// The training plan (its batch is the micro-batch size).
    public let plan: MemoryPlan
    /// The optimiser over the trainable parameters in graph order (`TrainingGraph.trainableParameterCounts`), with
    /// its state copied out of the arena (e.g. `(trainer.optimizer as! Adam).states` for a checkpoint; a new
    /// trainer built with a restored optimiser continues exactly). Each read copies the whole state.
    public var optimizer: any Optimizer { optimizer(tensors: trainableIndex.indices) }
    /// The optimiser with only trainable tensor `k`'s state copied out of the arena (the other tensors' buffers
    /// empty, every step count present): a checkpoint can be written one tensor's state at a time.
    public func optimizer(tensor k: Int) -> any Optimizer { optimizer(tensors: k..<(k + 1)) }

    /// A copy of `core` with the state of optimiser tensors `tensors` copied out of the arena.
    func optimizer(tensors: Range<Int>) -> any Optimizer {
        var copy = core
        for k in tensors {
            if let t = plan.stateTensor[trainableIndex[k]] {
                copy.copyState(k, from: UnsafeBufferPointer(stateBuffer(t, writing: false)))
            }
        }
        return copy
    }
    /// The optimiser with its float state moved into the arena (it keeps only step counters).
    var core: any Optimizer
    public var labelSmoothing: Float
    /// Fill dead tensors with NaN after their last step and the whole arena at start (debug: a planner lifetime
    /// error then shows up as NaN). Defaults to `OFA_INTERNAL_CHECKS` being set.
    public let poisonsDeadTensors: Bool
    /// The end of the highest arena byte written so far.
    public private(set) var measuredHighWaterBytes = 0
    /// Top-1 hits of the last `trainStep`'s forward passes, before its update (train accuracy without a second
    /// forward).
    public internal(set) var stepTop1 = 0
    /// The chunk a pass over the plan's chunked prefix is at (`ChunkedPrefix`): batch tensors are addressed at
    /// its slice. 0 outside the prefix.
    var currentChunk = 0
    /// The images of the forward under way (value 0), read in place from the caller's tensor.
    var inputImages: UnsafePointer<Float>?

    let arena: UnsafeMutableRawPointer
    /// Trainable parameter index → optimiser tensor index, and back.
    let optimizerIndex: [Int: Int], trainableIndex: [Int]
    var evaluationPlans: [Int: MemoryPlan] = [:]

    /// Plans the graph for micro-batches of `batch` images of `height`×`width` and allocates the arena.
    /// - Parameters:
    ///   - gradients: `.fused` (steps of one micro-batch, least memory) or `.accumulated` (several micro-batches
    ///     per step; `accumulateGradients`, `gradient(_:)` and `applyOptimizer` available).
    ///   - chunking: sample chunking of the network's front (`ChunkedPrefix`); by default the smallest arena.
    /// - Throws: `PlanError` when the resolution is too small for the graph.
    public init(graph: TrainingGraph, batch: Int, height: Int, width: Int, optimizer: any Optimizer,
                labelSmoothing: Float = 0, gradients: GradientMode = .fused, chunking: Chunking = .automatic,
                poisonsDeadTensors: Bool = TransferDebug.internalChecks) throws {
        precondition(optimizer.parameterCounts == graph.trainableParameterCounts,
                     "the optimiser must be built over graph.trainableParameterCounts")
        plan = try Planner.plan(graph, batch: batch, height: height, width: width, optimizerState: optimizer.stateSize,
                                backward: true, gradients: gradients, chunking: chunking)
        self.graph = graph.releasingPayloads(); self.core = optimizer; self.labelSmoothing = labelSmoothing
        self.poisonsDeadTensors = poisonsDeadTensors
        var index: [Int: Int] = [:]
        for p in graph.parameters.indices where graph.parameters[p].trainable { index[p] = index.count }
        optimizerIndex = index
        trainableIndex = graph.parameters.indices.filter { graph.parameters[$0].trainable }
        arena = UnsafeMutableRawPointer.allocate(byteCount: max(plan.arenaBytes, 1), alignment: MemoryPlan.alignment)
        if poisonsDeadTensors { arena.initializeMemory(as: UInt8.self, repeating: 0xFF, count: plan.arenaBytes) }
        for (p, parameter) in graph.parameters.enumerated() where parameter.count > 0 {
            let destination = bytes(plan.parameterTensor[p], in: plan)
            if let q = parameter.quantized {
                // Layout of an 8-bit tensor: the float32 codebook, then one UInt8 index per element.
                q.codebook.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                q.indices.withUnsafeBytes { (destination + 4 * q.codebook.count).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            } else {
                precondition(parameter.storageBits == 32 && parameter.values.count == parameter.count,
                             "\(parameter.name): the graph holds sizes only (released or planning storage); train a graph with values")
                parameter.values.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            }
        }
        for (p, k) in optimizerIndex {
            if let t = plan.stateTensor[p] { core.moveState(k, into: stateBuffer(t)) }
        }
        zeroGradients()
    }

    /// The optimiser state tensor `t` of the training plan.
    func stateBuffer(_ t: Int, writing: Bool = true) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: floats(t, in: plan, writing: writing), count: plan.tensors[t].bytes / 4)
    }

    deinit { arena.deallocate() }

    /// A Float view of tensor `t` of `plan`, recording it as written.
    func floats(_ t: Int, in plan: MemoryPlan, writing: Bool = true) -> UnsafeMutablePointer<Float> {
        bytes(t, in: plan, writing: writing).bindMemory(to: Float.self, capacity: plan.tensors[t].bytes / 4)
    }

    /// The bytes of tensor `t` of `plan` — of the current chunk's slice of a sliced batch tensor — recording the
    /// tensor as written.
    func bytes(_ t: Int, in plan: MemoryPlan, writing: Bool = true) -> UnsafeMutableRawPointer {
        let tensor = plan.tensors[t]
        if writing { measuredHighWaterBytes = max(measuredHighWaterBytes, tensor.offset + tensor.bytes) }
        return arena + tensor.offset + currentChunk * tensor.chunkStride
    }

    /// Zeroes tensor `t` of the training plan (backward kernels accumulate), split across threads when large.
    func zero(_ t: Int) {
        let base = floats(t, in: plan), count = plan.tensors[t].bytes / 4
        Parallelism.forEachChunk(count, minChunk: Parallelism.minimumValuesPerThread) { (base + $0.lowerBound).update(repeating: 0, count: $0.count) }
    }

    /// Zeroes every parameter gradient (backward kernels accumulate; `.accumulated` only — fused gradients are
    /// zeroed where they are born).
    public func zeroGradients() {
        guard plan.gradientMode == .accumulated else { return }
        for case let t? in plan.gradientTensor { zero(t) }
    }

    /// One optimiser step on the mean loss over `microBatches` (each `plan.batch` images (N,H,W,C) and labels).
    /// Returns the mean loss (label-smoothed).
    /// - Precondition: one micro-batch under `GradientMode.fused`.
    @discardableResult
    public func trainStep(_ microBatches: [(images: Tensor, labels: [Int])], learningRate: Double) -> Float {
        precondition(!microBatches.isEmpty, "a step needs at least one micro-batch")
        stepTop1 = 0
        if plan.gradientMode == .fused {
            precondition(microBatches.count == 1, "fused updates take one micro-batch per step; build the trainer with gradients: .accumulated")
            return runStep(images: microBatches[0].images, labels: microBatches[0].labels, scale: 1, learningRate: learningRate)
        }
        zeroGradients()
        var loss: Float = 0
        for batch in microBatches {
            loss += accumulateGradients(images: batch.images, labels: batch.labels, scale: 1 / Float(microBatches.count))
        }
        applyOptimizer(learningRate: learningRate)
        return loss / Float(microBatches.count)
    }

    /// Steps the optimiser once on the accumulated gradients (`.accumulated` only).
    public func applyOptimizer(learningRate: Double) {
        precondition(plan.gradientMode == .accumulated, "fused trainers step the optimiser inside trainStep")
        for (p, _) in optimizerIndex.sorted(by: { $0.value < $1.value }) { stepOptimizer(p, learningRate: learningRate) }
    }

    /// Updates trainable parameter `p` from its gradient tensor.
    func stepOptimizer(_ p: Int, learningRate: Double) {
        let count = graph.parameters[p].count
        let values = floats(plan.parameterTensor[p], in: plan)
        let gradient = floats(plan.gradientTensor[p]!, in: plan, writing: false)
        core.step(optimizerIndex[p]!, parameters: UnsafeMutableBufferPointer(start: values, count: count),
                  gradients: UnsafeBufferPointer(start: gradient, count: count),
                  state: plan.stateTensor[p].map { stateBuffer($0) } ?? UnsafeMutableBufferPointer(start: nil, count: 0), lr: learningRate)
    }

    /// Current values of parameter `name` (engine layout; an 8-bit weight dequantised).
    public func parameterValues(_ name: String) -> [Float] {
        guard let p = graph.parameterIndex(name) else { preconditionFailure("no parameter \(name)") }
        let n = graph.parameters[p].count
        if graph.parameters[p].storageBits == 8 {
            return [Float](unsafeUninitializedCapacity: n) { out, initialized in
                if n > 0 { dequantize(p, into: out.baseAddress!) }
                initialized = n
            }
        }
        return Array(UnsafeBufferPointer(start: floats(plan.parameterTensor[p], in: plan, writing: false), count: n))
    }

    /// Expands elements `elements` (all by default) of 8-bit parameter `p` from its arena codebook and indices into
    /// `out`.
    func dequantize(_ p: Int, elements: Range<Int>? = nil, into out: UnsafeMutablePointer<Float>) {
        let stored = bytes(plan.parameterTensor[p], in: plan, writing: false), k = graph.parameters[p].codebookCount
        let range = elements ?? 0..<graph.parameters[p].count
        QuantizedTensor.dequantize(codebook: stored.assumingMemoryBound(to: Float.self),
                                   indices: (stored + 4 * k).assumingMemoryBound(to: UInt8.self) + range.lowerBound,
                                   count: range.count, into: out)
    }

    /// Overwrites all values of parameter `name` (engine layout, `GraphParameter.values`'s order): e.g. weights
    /// trained elsewhere. Frozen or trainable alike; the optimiser state is untouched.
    /// - Precondition: `name` is a parameter of the graph and `values` holds exactly its element count.
    public func setParameterValues(_ name: String, _ values: [Float]) {
        guard let p = graph.parameterIndex(name) else { preconditionFailure("no parameter \(name)") }
        precondition(graph.parameters[p].storageBits == 32, "\(name) is stored in 8 bits; set its values before quantising the graph")
        precondition(values.count == graph.parameters[p].count, "\(name): \(values.count) values, expected \(graph.parameters[p].count)")
        values.withUnsafeBufferPointer { floats(plan.parameterTensor[p], in: plan).update(from: $0.baseAddress!, count: values.count) }
    }

    /// Overwrites one value of parameter `name` (finite-difference checks).
    public func setParameterValue(_ name: String, at index: Int, to value: Float) {
        guard let p = graph.parameterIndex(name) else { preconditionFailure("no parameter \(name)") }
        precondition(graph.parameters[p].storageBits == 32, "\(name) is stored in 8 bits")
        floats(plan.parameterTensor[p], in: plan)[index] = value
    }

    /// The accumulated gradient of trainable parameter `name` (`.accumulated` only).
    public func gradient(_ name: String) -> [Float] {
        precondition(plan.gradientMode == .accumulated, "fused gradients do not outlive their step; build the trainer with gradients: .accumulated")
        guard let p = graph.parameterIndex(name), let t = plan.gradientTensor[p] else { preconditionFailure("\(name) is not trainable") }
        return Array(UnsafeBufferPointer(start: floats(t, in: plan, writing: false), count: graph.parameters[p].count))
    }

    /// All parameters (trained values included) under their names, engine layouts, as a copy.
    public func parameters() -> [(name: String, values: [Float])] {
        graph.parameters.map { ($0.name, parameterValues($0.name)) }
    }
}

extension TrainingGraph {
    /// Element counts of the trainable parameters in graph order: what an `Optimizer` for this graph is built over.
    public var trainableParameterCounts: [Int] { parameters.filter(\.trainable).map(\.count) }
}

/// Debug switches of the Transfer target, read once from the environment.
public enum TransferDebug {
    /// `OFA_INTERNAL_CHECKS` set (to anything but 0): expensive invariant checks such as poisoning dead tensors.
    public static let internalChecks: Bool = {
        guard let v = getenv("OFA_INTERNAL_CHECKS") else { return false }
        return String(cString: v) != "0"
    }()
}
