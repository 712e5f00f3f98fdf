import Tensors

extension Trainer {
    /// Pointer to value `v` under `plan`; the input images (v = 0, read only) are the caller's, at the current
    /// chunk's images inside the chunked prefix.
    func value(_ v: Int, _ plan: MemoryPlan, writing: Bool = false) -> UnsafeMutablePointer<Float> {
        guard v == 0 else { return floats(plan.valueTensor[v], in: plan, writing: writing) }
        precondition(!writing, "the input images are read only")
        let chunk = plan.chunkShapes.map { currentChunk * $0.count(0) } ?? 0
        return UnsafeMutablePointer(mutating: inputImages! + chunk)
    }

    func parameter(_ p: Int, _ plan: MemoryPlan) -> UnsafeMutablePointer<Float> {
        floats(plan.parameterTensor[p], in: plan, writing: false)
    }

    /// The float32 weights of parameter `p` at `step`: its arena tensor, or for an 8-bit or standardised weight its
    /// expansion in the step's expanded-weights scratch (written by `expandWeights`).
    func weight(_ p: Int, step: Int, _ plan: MemoryPlan) -> UnsafeMutablePointer<Float> {
        guard let slot = plan.expandedWeights[step].first(where: { $0.parameter == p && !$0.gradient }) else { return parameter(p, plan) }
        return floats(plan.expandedWeightTensor[step]!, in: plan, writing: false) + slot.offset
    }

    /// The dL/dw′ slot of standardised trainable weight `p` at backward `step`, zeroed (nil when `p` has none).
    func standardizedWeightGradient(_ p: Int, step: Int, _ plan: MemoryPlan) -> UnsafeMutablePointer<Float>? {
        guard let slot = plan.expandedWeights[step].first(where: { $0.parameter == p && $0.gradient }) else { return nil }
        let out = floats(plan.expandedWeightTensor[step]!, in: plan) + slot.offset
        out.update(repeating: 0, count: graph.parameters[p].count)
        return out
    }

    /// Writes the float32 weights read at `step` into that step's scratch before the step's kernels run: 8-bit
    /// weights dequantised, float32 ones copied, then standardised where the op standardises them. Inside the
    /// chunked prefix only in the first chunk's pass: the plan keeps them for the later chunks.
    func expandWeights(_ step: Int, _ plan: MemoryPlan) {
        guard currentChunk == 0, let t = plan.expandedWeightTensor[step] else { return }
        let base = floats(t, in: plan)
        for slot in plan.expandedWeights[step] where !slot.gradient && slot.blockRows == nil {
            let out = base + slot.offset, p = slot.parameter, n = graph.parameters[p].count
            if graph.parameters[p].storageBits == 8 { dequantize(p, into: out) } else { out.update(from: parameter(p, plan), count: n) }
            if let s = slot.standardization {
                weightStandardizeForward(out, outChannels: s.outChannels, perChannel: s.perChannel, channelLast: s.channelLast,
                                         eps: graph.weightStandardizationEps, out: out)
            }
        }
    }

    /// Rows `first..<first + count` of weight `p` of op `i` as float32 at `step`, for a kernel that reads it in
    /// blocks: an 8-bit weight dequantised into its one-block slot, a float32 one in place.
    func weightRows(_ p: Int, op i: Int, step: Int, _ plan: MemoryPlan, first: Int, count: Int) -> UnsafePointer<Float> {
        let perRow = graph.parameters[p].count / graph.weightOutChannels(op: i)
        guard let slot = plan.expandedWeights[step].first(where: { $0.parameter == p && !$0.gradient }) else {
            return UnsafePointer(parameter(p, plan) + first * perRow)
        }
        precondition(slot.blockRows.map { count <= $0 } ?? false, "\(graph.ops[i].name): weight rows outside a one-block slot")
        let out = floats(plan.expandedWeightTensor[step]!, in: plan) + slot.offset
        dequantize(p, elements: (first * perRow)..<((first + count) * perRow), into: out)
        return UnsafePointer(out)
    }

    func scratch(_ step: Int, _ plan: MemoryPlan) -> UnsafeMutablePointer<Float>? {
        plan.scratchTensor[step].map { floats($0, in: plan) }
    }

    /// Fills the tensors whose lifetime ends at `step` with NaN (when poisoning is on); in a pass over the
    /// chunked prefix that is not the last, only its chunk tensors (batch tensors and expanded weights still serve
    /// later chunks).
    func retire(_ step: Int, _ plan: MemoryPlan, lastChunk: Bool = true) {
        guard poisonsDeadTensors else { return }
        func servesLaterChunks(_ t: PlannedTensor) -> Bool {
            if case .expandedWeights = t.kind { return true }
            return t.chunkStride > 0
        }
        for t in plan.dying[step] where lastChunk || !servesLaterChunks(plan.tensors[t]) {
            (arena + plan.tensors[t].offset).initializeMemory(as: UInt8.self, repeating: 0xFF, count: plan.tensors[t].bytes)
        }
    }

    /// Runs `body(chunk, isLast)` for each chunk of the plan's chunked prefix with `currentChunk` set.
    func forEachChunk(_ plan: MemoryPlan, _ body: (_ chunk: Int, _ isLast: Bool) -> Void) {
        guard let prefix = plan.chunkedPrefix else { return }
        let chunks = plan.batch / prefix.images
        for k in 0..<chunks {
            currentChunk = k
            body(k, k == chunks - 1)
        }
        currentChunk = 0
    }

    /// Runs `body` with `images` as value 0 of `plan`, read in place from the tensor's storage.
    func withInput<R>(_ images: Tensor, _ plan: MemoryPlan, _ body: () -> R) -> R {
        precondition(images.shape == plan.shapes.shapes[0], "images must be \(plan.shapes.shapes[0]), got \(images.shape)")
        return images.values.withUnsafeBufferPointer { pixels in
            inputImages = pixels.baseAddress
            defer { inputImages = nil }
            return body()
        }
    }

    /// Runs the forward pass of `plan` on `images` (the chunked prefix a chunk at a time).
    func forward(_ images: Tensor, _ plan: MemoryPlan) {
        withInput(images, plan) { forwardOps(plan) }
    }

    /// The forward pass of `plan` on the input set by `withInput`; saves masks when the plan has a backward.
    func forwardOps(_ plan: MemoryPlan) {
        let chunked = plan.chunkedPrefix?.ops ?? 0
        forEachChunk(plan) { _, isLast in
            for i in 0..<chunked {
                forwardOp(i, plan, plan.chunkShapes!)
                retire(i, plan, lastChunk: isLast)
            }
        }
        for i in chunked..<graph.ops.count {
            forwardOp(i, plan, plan.shapes)
            retire(i, plan)
        }
    }

    /// Op `i`'s forward on values of `shapes` (the batch's, or a chunk's inside the chunked prefix).
    private func forwardOp(_ i: Int, _ plan: MemoryPlan, _ shapes: ValueShapes) {
        let op = graph.ops[i], s = shapes.shapes[op.inputs[0]], count = shapes.count(i + 1)
        let x = UnsafePointer(value(op.inputs[0], plan)), y = value(i + 1, plan, writing: true)
        let g = shapes.geometries[i]
        expandWeights(i, plan)
        func parameter(_ p: Int, _ plan: MemoryPlan) -> UnsafeMutablePointer<Float> { weight(p, step: i, plan) }
        switch op.kind {
        case .conv(let c):
            if let rows = graph.weightBlockRows(op: i, g) {
                conv2dPointwiseForwardBlocked(g!, x: x, bias: c.bias.map { UnsafePointer(parameter($0, plan)) }, y: y, blockRows: rows) {
                    weightRows(c.weight, op: i, step: i, plan, first: $0, count: $1)
                }
            } else {
                conv2dForward(g!, x: x, weight: parameter(c.weight, plan), bias: c.bias.map { UnsafePointer(parameter($0, plan)) },
                              y: y, scratch: scratch(i, plan))
            }
        case .depthwise(let d):
            depthwiseConv2dForward(g!, x: x, weight: parameter(d.weight, plan), bias: d.bias.map { UnsafePointer(parameter($0, plan)) }, y: y)
        case .affine(let a) where a.groups != nil:
            groupNormForward(x: x, batch: s[0], pixels: s[1] * s[2], channels: a.channels, groups: a.groups!,
                             gamma: parameter(a.gamma, plan), beta: parameter(a.beta, plan), eps: a.eps, y: y)
        case .affine(let a):
            batchNormInferenceForward(x: x, rows: count / a.channels, channels: a.channels, gamma: parameter(a.gamma, plan),
                                      beta: parameter(a.beta, plan), mean: parameter(a.mean, plan),
                                      variance: parameter(a.variance, plan), eps: a.eps, y: y)
        case .activation(let f):
            if plan.valueTensor[i + 1] != plan.valueTensor[op.inputs[0]] { y.update(from: x, count: count) }
            if let m = plan.maskTensor[i] {
                floats(m, in: plan).withMemoryRebound(to: UInt64.self, capacity: activationMaskWordCount(count)) { mask in
                    applyActivationWithMask(f, values: y, count: count, mask: mask)
                }
            } else {
                f.apply(y, count: count)
            }
        case .add:
            addForward(x, value(op.inputs[1], plan), count: count, y: y)
        case .globalAvgPool:
            globalAvgPoolForward(x: x, batch: s[0], pixels: s[1] * s[2], channels: s[3], y: y)
        case .avgPool:
            avgPool2dForward(g!, x: x, y: y)
        case .resize:
            let o = shapes.shapes[i + 1]
            bilinearResizeForward(x: x, batch: s[0], height: s[1], width: s[2], channels: s[3], outHeight: o[1], outWidth: o[2], y: y)
        case .squeezeExcite(let se):
            squeezeExciteForward(x: x, batch: s[0], pixels: s[1] * s[2], channels: s[3], mid: se.mid,
                                 reduceWeight: parameter(se.reduceWeight, plan), reduceBias: parameter(se.reduceBias, plan),
                                 expandWeight: parameter(se.expandWeight, plan), expandBias: parameter(se.expandBias, plan),
                                 y: y, scratch: scratch(i, plan)!)
        case .linear(let l):
            linearForward(x: x, batch: s[0], inFeatures: l.inFeatures, outFeatures: l.outFeatures,
                          weight: parameter(l.weight, plan), bias: parameter(l.bias, plan), y: y)
        }
    }

    /// The loss step of a training plan: mean label-smoothed cross-entropy; dlogits += scale·∂loss/∂logits.
    func lossStep(labels: [Int], scale: Float) -> Float {
        let f = plan.opCount, n = plan.batch, k = graph.classes
        precondition(labels.count == n, "\(labels.count) labels for a batch of \(n)")
        for t in plan.bornGradients[f] { zero(t) }
        let dlogits = floats(plan.valueGradientTensor[f]!, in: plan)
        let logits = value(f, plan)
        stepTop1 += labels.indices.filter { classRank(labels[$0], logits: logits + $0 * k, classes: k) == 0 }.count
        let loss = labels.withUnsafeBufferPointer { l in
            softmaxCrossEntropy(logits: logits, labels: l.baseAddress!, batch: n, classes: k,
                                labelSmoothing: labelSmoothing, dlogits: dlogits)
        }
        if scale != 1 { for i in 0..<(n * k) { dlogits[i] *= scale } }
        retire(f, plan)
        return loss
    }
}
