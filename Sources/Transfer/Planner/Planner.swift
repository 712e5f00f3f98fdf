import Tensors

/// Plans the memory of training or evaluating a `TrainingGraph`: which tensors exist, their exact sizes and
/// lifetimes (from `ValueShapes` and `BackwardNeeds`), and their places in one arena.
///
/// Concretely, with F ops, forward op i at step i, the loss at step F and the backward of op i at step 2F − i:
/// - parameters (frozen at their stored width, `GraphParameter.storedBytes`: 4 B per value, or 1 B per value plus
///   a float32 codebook when stored in 8 bits; trainable at 4 B) and the optimizer state live throughout; so do
///   parameter gradients under `GradientMode.accumulated`, while under `.fused` the gradient of a parameter lives
///   only at the backward step of the op that owns it, after which the optimizer consumes it;
/// - the input images (value 0) are not in the arena: the trainer reads them from the caller's tensor;
/// - value v lives from its producer to its last forward reader, or to the backward of an op that saves it
///   (`SavedForBackward.input`), the logits to the loss; elementwise ops (activation, affine, add) write over
///   their first input when that input dies there, sharing its tensor;
/// - a ReLU/ReLU6 mask lives from its op's forward to its backward;
/// - dL/dv lives from the backward of v's last reader that produces it (where it is zeroed, or overwritten by a
///   kernel that can: `PlannedTensor.firstWriteOverwrites`) to the backward of
///   v's producer; dlogits from the loss; an activation, frozen batch norm or addition that is the last reader of
///   its first input writes that input's gradient over its output's (one shared tensor, as the forward's in-place
///   values);
/// - scratch is one tensor per step, the kernel's need at that step; a step that reads 8-bit or standardised
///   weights has one more scratch tensor holding those weights expanded to float32 (4 B per value), plus dL/dw′ of
///   a standardised trainable weight in its backward, live for that step only.
/// Persistent tensors are packed first (frozen, trainable, gradients, state — so evaluation and training plans of
/// one graph put parameters at the same offsets); the rest go by first fit over lifetimes, trying largest-first
/// and birth order and keeping the smaller arena.
/// - Complexity: O(T·P) placement (`PlanBuilder.firstFit`), T tensors (300–800 for a subnet), after a few
///   candidate builds under `.automatic` chunking: median 0.34 ms (bias) and 0.89 ms (lite-residual+bias) per plan
///   in release on the shipped supernet (`ofa-bench --planner`).
public enum Planner {
    /// The plan of one training step (`backward: true`) or of a forward-only evaluation (`backward: false`).
    /// - Parameters:
    ///   - optimizerState: the optimiser's state per trainable tensor (`Optimizer.stateSize`);
    ///     nil plans no gradients and no state (deployment inference). An evaluation during training passes the
    ///     training value, so its arena keeps gradients and state in place.
    ///   - gradients: how parameter gradients live (`GradientMode`); the same value for a training plan and the
    ///     evaluation plans inside its arena.
    ///   - chunking: sample chunking of the graph's front (`ChunkedPrefix`); `.automatic` builds the candidates
    ///     (the stage ends, about 4, in chunks of one image) front to back until the peak of live bytes rises, and
    ///     places the one with the smallest peak (no chunking when that is smallest).
    /// - Throws: `PlanError` when the resolution is too small for the graph.
    public static func plan(_ graph: TrainingGraph, batch: Int, height: Int, width: Int, optimizerState: OptimizerStateSize?,
                            backward: Bool, gradients: GradientMode = .fused, chunking: Chunking = .automatic) throws -> MemoryPlan {
        precondition(!backward || optimizerState != nil, "a training plan needs the optimizer's state size")
        let shapes = try ValueShapes(graph, batch: batch, height: height, width: width)
        let needs = BackwardNeeds(graph)
        var chunkShapes: [Int: ValueShapes] = [:]
        func build(_ prefix: ChunkedPrefix?, comparing: Bool = false) throws -> PlanBuilder {
            if let prefix {
                precondition(prefix.ops < graph.ops.count && batch % prefix.images == 0, "\(prefix) does not fit \(graph.ops.count) ops, batch \(batch)")
                if chunkShapes[prefix.images] == nil {
                    chunkShapes[prefix.images] = try ValueShapes(graph, batch: prefix.images, height: height, width: width)
                }
            }
            var b = PlanBuilder(graph: graph, shapes: shapes, needs: needs, backward: backward, gradients: gradients,
                                prefix: prefix, chunkShapes: prefix.flatMap { chunkShapes[$0.images] }, comparing: comparing)
            if !comparing { b.addParameters(optimizerState: optimizerState) }
            b.addValues()
            if backward { b.addMasksAndGradients() }
            if backward && gradients == .fused { b.addFusedParameterGradients() }
            b.addScratch()
            return b
        }
        let chosen: PlanBuilder
        switch chunking {
        case .none: chosen = try build(nil)
        case .prefix(let p): chosen = try build(p)
        case .automatic:
            // Candidates, built without tensor names and without the persistent tensors (the same bytes in every
            // one), compete on their peak of live bytes (a sweep); only the winner is built whole and placed.
            // Cuts come front to back; the peak falls while a longer prefix still shrinks the largest tensors and
            // rises once the prefix's gradients living over its whole backward outweigh that: stop at the first rise.
            // The first cut is the baseline: chunking the highest resolution only shrinks its tensors (what it
            // keeps whole, masks and saved inputs, is kept whole unchunked too), so no chunking is tried only when
            // there is no cut.
            let candidates = chunkingCandidates(graph, shapes, batch: batch)
            var best = candidates.first, bestPeak = try build(best, comparing: true).livePeak().bytes
            var previous = bestPeak
            for candidate in candidates.dropFirst() {
                let peak = try build(candidate, comparing: true).livePeak().bytes
                if peak < bestPeak { (best, bestPeak) = (candidate, peak) }
                if peak > previous { break }
                previous = peak
            }
            chosen = try build(best)
        }
        return chosen.finish(batch: batch, height: height, width: width, optimizerState: optimizerState)
    }
}

/// How a training step holds parameter gradients.
public enum GradientMode: Equatable, Sendable {
    /// Each trainable parameter has a gradient buffer for the whole step: micro-batches accumulate into it and
    /// the optimiser steps all parameters at the end (gradient accumulation; gradients readable for checks).
    case accumulated
    /// One micro-batch per step: the optimiser updates a parameter right after the backward of the op that owns
    /// it (its only reader, so nothing later reads the old value), and the gradient's bytes are reused at once —
    /// TinyEngine's in-place update (MCUNetV3). The same arithmetic as `.accumulated` with one micro-batch.
    case fused
}

/// The bookkeeping of one `Planner.plan` call.
struct PlanBuilder {
    let graph: TrainingGraph, shapes: ValueShapes, needs: BackwardNeeds, backward: Bool, gradients: GradientMode
    let opCount: Int, lastStep: Int
    /// Sample chunking of the front and the shapes of one chunk (`ChunkedPrefix`).
    let prefix: ChunkedPrefix?, chunkShapes: ValueShapes?
    /// Per value: the last op reading it in the forward (its producer when none does).
    let lastReader: [Int]
    /// A candidate built only to compare its live peak with others': no tensor names, no persistent tensors.
    let comparing: Bool
    var tensors: [PlannedTensor] = []
    var persistentCount = 0
    var valueTensor: [Int], valueGradientTensor: [Int?], maskTensor: [Int?]
    var parameterTensor: [Int], gradientTensor: [Int?], stateTensor: [Int?], scratchTensor: [Int?]
    var expandedWeightTensor: [Int?], expandedWeights: [[WeightSlot]]
    /// Per step: parameters the optimiser steps right after it (`GradientMode.fused`).
    var updates: [[Int]]
    /// Per step: whether a conv's backward runs side by side (`conv2dBackward`).
    var sideBySide: [Bool]

    init(graph: TrainingGraph, shapes: ValueShapes, needs: BackwardNeeds, backward: Bool, gradients: GradientMode,
         prefix: ChunkedPrefix?, chunkShapes: ValueShapes?, comparing: Bool) {
        self.graph = graph; self.shapes = shapes; self.needs = needs; self.backward = backward; self.gradients = gradients
        self.prefix = prefix; self.chunkShapes = chunkShapes; self.comparing = comparing
        opCount = graph.ops.count
        var lastReader = (0...graph.ops.count).map { max($0 - 1, 0) }
        for (i, op) in graph.ops.enumerated() { for v in op.inputs { lastReader[v] = max(lastReader[v], i) } }
        self.lastReader = lastReader
        lastStep = backward ? 2 * opCount : opCount
        valueTensor = Array(repeating: -1, count: opCount + 1)
        valueGradientTensor = Array(repeating: nil, count: opCount + 1)
        maskTensor = Array(repeating: nil, count: opCount)
        parameterTensor = Array(repeating: -1, count: graph.parameters.count)
        gradientTensor = Array(repeating: nil, count: graph.parameters.count)
        stateTensor = gradientTensor
        scratchTensor = Array(repeating: nil, count: lastStep + 1)
        expandedWeightTensor = scratchTensor
        expandedWeights = Array(repeating: [], count: lastStep + 1)
        updates = expandedWeights.map { _ in [] }
        sideBySide = Array(repeating: false, count: lastStep + 1)
        tensors.reserveCapacity(3 * graph.parameters.count + 4 * opCount)
    }

    func backwardStep(_ op: Int) -> Int { 2 * opCount - op }

    /// The number of chunked ops (0 without chunking).
    var chunkedOps: Int { prefix?.ops ?? 0 }
    /// Whether op `i` runs in chunks.
    func isChunked(op i: Int) -> Bool { i < chunkedOps }
    /// The shapes op `i` runs with: one chunk's inside the chunked prefix, the batch's elsewhere.
    func shapes(op i: Int) -> ValueShapes { isChunked(op: i) ? chunkShapes! : shapes }
    /// Whether value `v` is produced and read only inside the chunked prefix (a chunk tensor unless saved).
    func staysInPrefix(_ v: Int) -> Bool { v >= 1 && v <= chunkedOps && lastReader[v] < chunkedOps }
    /// The bytes between consecutive chunks' slices of a batch tensor of `bytes` (0 without chunking).
    func chunkStride(batchBytes bytes: Int) -> Int { prefix.map { bytes / shapes.shapes[0][0] * $0.images } ?? 0 }

    mutating func add(_ kind: PlannedTensor.Kind, _ name: @autoclosure () -> String, _ category: MemoryCategory, bytes: Int, birth: Int,
                      death: Int, chunkStride: Int = 0) -> Int {
        tensors.append(PlannedTensor(kind: kind, name: comparing ? "" : name(), category: category, bytes: bytes, birth: birth, death: death,
                                     offset: 0, chunkStride: chunkStride))
        return tensors.count - 1
    }

    mutating func addParameters(optimizerState: OptimizerStateSize?) {
        let graph = self.graph   // a local the tensor names' autoclosures can read during `add`
        let ordered = graph.parameters.indices.filter { !graph.parameters[$0].trainable } + graph.parameters.indices.filter { graph.parameters[$0].trainable }
        for p in ordered {
            let param = graph.parameters[p]
            precondition(!param.trainable || param.storageBits == 32, "\(param.name): a trainable parameter is stored in float32")
            let bytes = param.storedBytes
            parameterTensor[p] = add(.parameter(p), param.name, param.trainable ? .trainableWeights : .frozenWeights,
                                     bytes: bytes, birth: 0, death: lastStep)
        }
        if let optimizerState {
            for p in graph.parameters.indices where graph.parameters[p].trainable && gradients == .accumulated {
                gradientTensor[p] = add(.parameterGradient(p), "grad \(graph.parameters[p].name)", .gradients,
                                        bytes: 4 * graph.parameters[p].count, birth: 0, death: lastStep)
            }
            for p in graph.parameters.indices where graph.parameters[p].trainable && optimizerState.bytes(count: 1) > 0 {
                stateTensor[p] = add(.optimizerState(p), "state \(graph.parameters[p].name)", .optimizerState,
                                     bytes: optimizerState.bytes(count: graph.parameters[p].count), birth: 0, death: lastStep)
            }
        }
        persistentCount = tensors.count
    }

    /// Forward values, with their deaths extended by what the backward saves, and in-place aliasing.
    /// With a chunked prefix, a batch tensor the prefix writes is born at step 0, one it reads lives to the
    /// prefix's last forward step, and one its backward reads to the last step (every chunk pass revisits them).
    mutating func addValues() {
        var death = lastReader, birth = (0...opCount).map { max($0 - 1, 0) }
        death[opCount] = opCount
        var savedByPrefix = [Bool](repeating: false, count: opCount + 1)
        if backward {
            for (i, op) in graph.ops.enumerated() where needs.saved[i] == .input {
                death[op.inputs[0]] = max(death[op.inputs[0]], backwardStep(i))
                if isChunked(op: i) { savedByPrefix[op.inputs[0]] = true }
            }
        }
        let chunk = (0...opCount).map { staysInPrefix($0) && death[$0] < opCount }
        if chunkedOps > 0 {
            for v in 0...opCount where !chunk[v] {
                if v <= chunkedOps { birth[v] = 0 }
                if v == 0 || (v <= chunkedOps && lastReader[v] >= v) { death[v] = max(death[v], chunkedOps - 1) }
                if savedByPrefix[v] { death[v] = lastStep }
            }
        }
        var members: [[Int]] = [[0]]
        var owner = [0]
        for (i, op) in graph.ops.enumerated() {
            let u = op.inputs[0], t = owner[u]
            let inPlace = op.kind.canRunInPlace && u != 0 && death[u] == i && members[t].last == u && chunk[u] == chunk[i + 1]
                && !op.inputs.dropFirst().contains { owner[$0] == t }
            if inPlace { members[t].append(i + 1); owner.append(t) } else { members.append([i + 1]); owner.append(members.count - 1) }
        }
        // The input images (value 0) stay in the caller's tensor: the trainer reads them there.
        for group in members where group[0] != 0 {
            let local = chunk[group[0]]
            let bytes = 4 * (local ? chunkShapes!.count(group[0]) : shapes.count(group[0])), d = group.map { death[$0] }.max()!
            let saved = backward && d >= opCount
            let name = group[0] == 0 ? "input" : graph.ops[group[0] - 1].name
            let t = add(.value(group[0]), name, saved ? .savedActivations : .transientActivations,
                        bytes: bytes, birth: group.map { birth[$0] }.min()!, death: d, chunkStride: local ? 0 : chunkStride(batchBytes: bytes))
            for v in group { valueTensor[v] = t }
        }
    }

    mutating func addMasksAndGradients() {
        let graph = self.graph   // a local the tensor names' autoclosures can read during `add`
        for (i, op) in graph.ops.enumerated() where needs.saved[i] == .bitMask {
            if let prefix, isChunked(op: i) {
                // One mask of a chunk's elements per chunk, side by side.
                let words = activationMaskWordCount(chunkShapes!.count(i + 1)), chunks = shapes.shapes[0][0] / prefix.images
                maskTensor[i] = add(.mask(op: i), "\(op.name) mask", .savedActivations, bytes: 8 * words * chunks,
                                    birth: 0, death: lastStep, chunkStride: 8 * words)
            } else {
                maskTensor[i] = add(.mask(op: i), "\(op.name) mask", .savedActivations,
                                    bytes: 8 * activationMaskWordCount(shapes.count(i + 1)), birth: i, death: backwardStep(i))
            }
        }
        var firstWriter = [Int?](repeating: nil, count: opCount + 1)
        for (i, op) in graph.ops.enumerated() {
            for (k, v) in op.inputs.enumerated() where needs.inputGradients[i][k] { firstWriter[v] = max(firstWriter[v] ?? i, i) }
        }
        // Shared gradient buffers: an elementwise op whose backward is the first to write its input's gradient
        // computes it over its output's gradient, which dies there (`Trainer` runs the in-place kernels).
        var representative = Array(0...opCount)
        for v in stride(from: opCount, through: 1, by: -1) where needs.valueNeedsGradient[v] {
            let i = v - 1, op = graph.ops[i], u = op.inputs[0]
            if Self.writesInputGradientInPlace(op.kind) && u != 0 && needs.inputGradients[i][0] && firstWriter[u] == i
                && !op.inputs.dropFirst().contains(u) && staysInPrefix(u) == staysInPrefix(v) {
                representative[u] = representative[v]
            }
        }
        var groups: [Int: [Int]] = [:]
        for v in 1...opCount where needs.valueNeedsGradient[v] { groups[representative[v], default: []].append(v) }
        for r in groups.keys.sorted(by: >) {
            let members = groups[r]!, local = staysInPrefix(r)
            let birth = r == opCount ? opCount : backwardStep(firstWriter[r]!)
            // A batch gradient the prefix's backward reads lives through all its chunk passes.
            let death = !local && members.min()! <= chunkedOps ? lastStep : backwardStep(members.min()! - 1)
            let bytes = 4 * (local ? chunkShapes!.count(r) : shapes.count(r))
            let t = add(.valueGradient(r), "grad \(graph.ops[r - 1].name)", .activationGradients,
                        bytes: bytes, birth: birth, death: death, chunkStride: local ? 0 : chunkStride(batchBytes: bytes))
            for v in members { valueGradientTensor[v] = t }
            if r != opCount, let i = firstWriter[r] {
                let reads = graph.ops[i].inputs.indices.filter { graph.ops[i].inputs[$0] == r }
                tensors[t].firstWriteOverwrites = reads.count == 1 && overwritesInputGradient(op: i, input: reads[0])
            }
        }
    }

    /// `GradientMode.fused`: the gradient of each trainable parameter lives at its owner's backward step only and
    /// the optimiser steps the parameter right after that step.
    /// - Precondition: every trainable parameter is read by exactly one op (its owner).
    mutating func addFusedParameterGradients() {
        let graph = self.graph   // a local the tensor names' autoclosures can read during `add`
        var owner = [Int?](repeating: nil, count: graph.parameters.count)
        for (i, op) in graph.ops.enumerated() {
            for p in op.kind.parameters where graph.parameters[p].trainable {
                precondition(owner[p] == nil, "\(graph.parameters[p].name) is read by two ops; fused updates need one owner")
                owner[p] = i
            }
        }
        for p in graph.parameters.indices where graph.parameters[p].trainable {
            guard let i = owner[p] else { preconditionFailure("\(graph.parameters[p].name) trains but no op reads it") }
            // In the chunked prefix a gradient sums over the chunks: it lives over the prefix's whole backward.
            let (birth, death) = isChunked(op: i) ? (backwardStep(chunkedOps - 1), lastStep) : (backwardStep(i), backwardStep(i))
            gradientTensor[p] = add(.parameterGradient(p), "grad \(graph.parameters[p].name)", .gradients,
                                    bytes: 4 * graph.parameters[p].count, birth: birth, death: death)
            tensors[gradientTensor[p]!].firstWriteOverwrites = overwritesGradient(of: p, op: i)
            updates[death].append(p)
        }
    }

    /// Ops whose backward can write dL/d(input 0) over dL/d(output): activations (`reluBackwardInPlace`,
    /// `activationBackwardInPlace`), frozen batch norms (`batchNormInferenceBackwardInPlace`) and additions
    /// (input 0's gradient is the output's).
    static func writesInputGradientInPlace(_ kind: OpKind) -> Bool {
        switch kind {
        case .activation, .add: return true
        case .affine(let a): return a.groups == nil
        default: return false
        }
    }

    /// Whether op `i`'s backward can overwrite dL/d(input k) (`accumulate: false`) when it writes it first: the
    /// kernels holding most of a step's gradient bytes (pointwise convs, depthwise convs, additions, global pooling).
    func overwritesInputGradient(op i: Int, input k: Int) -> Bool {
        switch graph.ops[i].kind {
        case .conv: return shapes(op: i).geometries[i]!.isPointwise
        case .depthwise, .add, .globalAvgPool: return true
        default: return false
        }
    }

    /// Whether the backward of op `i`, the owner of trainable parameter `p`, can overwrite p's fused gradient: a
    /// conv's weight (unless standardised: its dL/dw′ passes through `weightStandardizeBackward`) and bias.
    func overwritesGradient(of p: Int, op i: Int) -> Bool {
        guard case .conv(let c) = graph.ops[i].kind else { return false }
        return p == c.bias || (p == c.weight && !c.standardize)
    }

    /// One scratch tensor per step that needs one.
    mutating func addScratch() {
        for (i, op) in graph.ops.enumerated() {
            let g = shapes(op: i).geometries[i], n = shapes(op: i).shapes[i + 1][0]
            var forward = 0, backwardFloats = 0
            switch op.kind {
            case .conv(let c):
                forward = conv2dScratchCount(g!)
                let (input, weight) = (needs.inputGradients[i][0], graph.trains(c.weight))
                backwardFloats = conv2dBackwardScratchCount(g!, input: input, weight: weight)
                if backward && input && weight && conv2dBackwardSideBySide(g!) && graph.weightBlockRows(op: i, g) == nil {
                    sideBySide[backwardStep(i)] = true
                }
            case .squeezeExcite(let se):
                forward = n * (2 * se.channels + se.mid)
                backwardFloats = squeezeExciteBackwardScratchCount(batch: n, channels: se.channels, mid: se.mid)
            case .affine(let a) where a.groups != nil:
                // GroupNorm backward: per-sample Σ dy·x̂ and Σ dy in Double (`groupNormBackwardScratchCount`), as floats.
                backwardFloats = 2 * groupNormBackwardScratchCount(batch: n, channels: a.channels)
            default: break
            }
            if forward > 0 { scratchTensor[i] = add(.scratch(step: i), "\(op.name) scratch", .scratch, bytes: 4 * forward, birth: i, death: i) }
            if backward && needs.runsBackward[i] && backwardFloats > 0 {
                let s = backwardStep(i)
                scratchTensor[s] = add(.scratch(step: s), "\(op.name) backward scratch", .scratch, bytes: 4 * backwardFloats, birth: s, death: s)
            }
            addExpandedWeights(op: i, step: i, expandedWeights(i, backward: false))
            if backward && needs.runsBackward[i] { addExpandedWeights(op: i, step: backwardStep(i), expandedWeights(i, backward: true)) }
        }
    }

    /// The weights op `i` reads as float32 copies in its forward, or in its backward — 8-bit or standardised ones
    /// (conv, depthwise and linear read their weight only for dx; squeeze-excite recomputes its squeeze path from
    /// both weights) — and, in the backward, the dL/dw′ slot of a standardised trainable weight.
    func expandedWeights(_ i: Int, backward: Bool) -> [(parameter: Int, gradient: Bool)] {
        let read: [Int]
        var standardizedTrainable: Int?
        switch graph.ops[i].kind {
        case .conv(let c):
            read = !backward || needs.inputGradients[i][0] ? [c.weight] : []
            if backward && c.standardize && graph.trains(c.weight) { standardizedTrainable = c.weight }
        case .depthwise(let d):
            read = !backward || needs.inputGradients[i][0] ? [d.weight] : []
            if backward && d.standardize && graph.trains(d.weight) { standardizedTrainable = d.weight }
        case .linear(let l): read = !backward || needs.inputGradients[i][0] ? [l.weight] : []
        case .squeezeExcite(let s): read = [s.reduceWeight, s.expandWeight]
        case .affine, .activation, .add, .globalAvgPool, .avgPool, .resize: read = []
        }
        let expanded = read.filter { graph.parameters[$0].storageBits == 8 || standardization(op: i, $0) != nil }
        return expanded.map { ($0, false) } + (standardizedTrainable.map { [($0, true)] } ?? [])
    }

    /// The standardisation of weight `p` in op `i` (nil when the op does not standardise it).
    func standardization(op i: Int, _ p: Int) -> (outChannels: Int, perChannel: Int, channelLast: Bool)? {
        switch graph.ops[i].kind {
        case .conv(let c) where c.standardize && c.weight == p: return (c.outChannels, graph.parameters[p].count / c.outChannels, false)
        case .depthwise(let d) where d.standardize && d.weight == p: return (d.channels, d.kernel * d.kernel, true)
        default: return nil
        }
    }

    /// One scratch tensor at `step` holding `slots` (float32 weights or weight gradients), one after the other; a
    /// weight the op reads in blocks (`TrainingGraph.weightBlockRows`) takes one block's floats. Inside the chunked
    /// prefix it lives over the prefix's whole forward (or backward), so that the weights expanded in the first
    /// chunk's pass serve every chunk (none of them changes before the last chunk's backward).
    mutating func addExpandedWeights(op i: Int, step: Int, _ slots: [(parameter: Int, gradient: Bool)]) {
        guard !slots.isEmpty else { return }
        var floats = 0
        let blockRows = graph.weightBlockRows(op: i, shapes(op: i).geometries[i])
        for slot in slots {
            let rows = slot.gradient ? nil : blockRows
            expandedWeights[step].append(WeightSlot(parameter: slot.parameter, offset: floats, gradient: slot.gradient,
                                                    standardization: standardization(op: i, slot.parameter), blockRows: rows))
            let count = graph.parameters[slot.parameter].count
            floats += rows.map { count / graph.weightOutChannels(op: i) * $0 } ?? count
        }
        let op = graph.ops[i].name
        let (birth, death) = !isChunked(op: i) ? (step, step)
            : step == i ? (0, chunkedOps - 1) : (backwardStep(chunkedOps - 1), lastStep)
        expandedWeightTensor[step] = add(.expandedWeights(step: step), "\(op) \(step == i ? "" : "backward ")expanded weights", .scratch,
                                         bytes: 4 * floats, birth: birth, death: death)
    }
}
