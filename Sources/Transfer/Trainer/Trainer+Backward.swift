import Tensors

extension Trainer {
    /// Forward, loss and backward of one micro-batch of `plan.batch` images: adds `scale`·∇(mean loss) to the
    /// parameter gradients. Returns the micro-batch's mean loss.
    /// - Precondition: the trainer keeps `GradientMode.accumulated` gradients.
    @discardableResult
    public func accumulateGradients(images: Tensor, labels: [Int], scale: Float = 1) -> Float {
        precondition(plan.gradientMode == .accumulated, "a fused trainer has no gradients to accumulate; use trainStep")
        return runStep(images: images, labels: labels, scale: scale, learningRate: nil)
    }

    /// Forward, loss and backward of one micro-batch; under `.fused`, steps each parameter with `learningRate`
    /// right after its op's backward. Returns the micro-batch's mean loss.
    /// The backward of the chunked prefix runs a chunk at a time after the rest; its parameter gradients sum over
    /// the chunks (zeroed before the first) and are applied after the last.
    func runStep(images: Tensor, labels: [Int], scale: Float, learningRate: Double?) -> Float {
        withInput(images, plan) { forwardLossBackward(labels: labels, scale: scale, learningRate: learningRate) }
    }

    /// Forward, loss and backward on the input set by `withInput`.
    private func forwardLossBackward(labels: [Int], scale: Float, learningRate: Double?) -> Float {
        forwardOps(plan)
        let loss = lossStep(labels: labels, scale: scale)
        let f = plan.opCount, chunked = plan.chunkedPrefix?.ops ?? 0
        func run(_ step: Int, _ shapes: ValueShapes, firstChunk: Bool = true, lastChunk: Bool = true) {
            for t in plan.bornGradients[step] {
                if case .parameterGradient = plan.tensors[t].kind, !firstChunk { continue }
                zero(t)
            }
            let i = 2 * f - step
            if plan.needs.runsBackward[i] { backwardOp(i, shapes, firstChunk: firstChunk) }
            if let learningRate, lastChunk { for p in plan.updates[step] { stepOptimizer(p, learningRate: learningRate) } }
            retire(step, plan, lastChunk: lastChunk)
        }
        for step in (f + 1)...(2 * f - chunked) { run(step, plan.shapes) }
        forEachChunk(plan) { k, isLast in
            for step in (2 * f - chunked + 1)...(2 * f) { run(step, plan.chunkShapes!, firstChunk: k == 0, lastChunk: isLast) }
        }
        return loss
    }

    /// dw += (∂w′/∂w)ᵀ·dPrime for standardised weight `p` (raw values from the arena).
    private func standardizeBackward(_ p: Int, _ dPrime: UnsafeMutablePointer<Float>, step: Int, into dw: UnsafeMutablePointer<Float>) {
        let s = plan.expandedWeights[step].first { $0.parameter == p && $0.gradient }!.standardization!
        weightStandardizeBackward(parameter(p, plan), dOut: dPrime, outChannels: s.outChannels, perChannel: s.perChannel,
                                  channelLast: s.channelLast, eps: graph.weightStandardizationEps, dw: dw)
    }

    /// Op `i`'s backward on values of `shapes` (the batch's, or a chunk's inside the chunked prefix), in the first
    /// chunk pass or a later one. A gradient tensor the plan lets its first writer overwrite
    /// (`PlannedTensor.firstWriteOverwrites`) is written with `accumulate: false` at its birth step (parameter
    /// gradients: in the first pass), added to everywhere else.
    private func backwardOp(_ i: Int, _ shapes: ValueShapes, firstChunk: Bool) {
        let op = graph.ops[i], needs = plan.needs, s = shapes.shapes[op.inputs[0]], count = shapes.count(i + 1)
        let dy = UnsafePointer(floats(plan.valueGradientTensor[i + 1]!, in: plan, writing: false))
        let savedInput: UnsafePointer<Float>? = needs.saved[i] == .input ? UnsafePointer(value(op.inputs[0], plan)) : nil
        func dx(_ k: Int) -> UnsafeMutablePointer<Float>? {
            needs.inputGradients[i][k] ? floats(plan.valueGradientTensor[op.inputs[k]]!, in: plan) : nil
        }
        func grad(_ p: Int?) -> UnsafeMutablePointer<Float>? {
            p.flatMap { plan.gradientTensor[$0] }.map { floats($0, in: plan) }
        }
        let step = 2 * plan.opCount - i
        func accumulates(_ t: Int) -> Bool {
            guard plan.tensors[t].firstWriteOverwrites else { return true }
            if case .parameterGradient = plan.tensors[t].kind { return !firstChunk }
            return plan.tensors[t].birth != step
        }
        func dxAccumulates(_ k: Int) -> Bool { accumulates(plan.valueGradientTensor[op.inputs[k]]!) }
        func gradAccumulates(_ p: Int) -> Bool { accumulates(plan.gradientTensor[p]!) }
        // dL/d(input 0) shares dL/d(output)'s tensor (`Planner`): the backward rewrites dy in place.
        let inPlace = needs.inputGradients[i][0] && plan.valueGradientTensor[op.inputs[0]] == plan.valueGradientTensor[i + 1]
        let g = shapes.geometries[i]
        expandWeights(step, plan)
        func parameter(_ p: Int, _ plan: MemoryPlan) -> UnsafeMutablePointer<Float> { weight(p, step: step, plan) }
        switch op.kind {
        case .conv(let c):
            if let db = grad(c.bias) { conv2dBackwardBias(g!, dy: dy, dbias: db, accumulate: gradAccumulates(c.bias!)) }
            // A standardised weight: dL/dw′ into scratch, then through the standardisation into dw.
            let dw = grad(c.weight), dPrime = dw == nil ? nil : standardizedWeightGradient(c.weight, step: step, plan)
            let accumulateWeight = dw == nil || dPrime != nil || gradAccumulates(c.weight)
            if let d = dx(0), let rows = graph.weightBlockRows(op: i, g) {
                if let target = dPrime ?? dw {
                    conv2dBackwardWeight(g!, x: savedInput!, dy: dy, dweight: target, scratch: nil, accumulate: accumulateWeight)
                }
                conv2dPointwiseBackwardInputBlocked(g!, dy: dy, dx: d, accumulate: dxAccumulates(0), blockRows: rows) {
                    weightRows(c.weight, op: i, step: step, plan, first: $0, count: $1)
                }
            } else {
                conv2dBackward(g!, x: savedInput, dy: dy, weight: parameter(c.weight, plan),
                               dx: dx(0), accumulateInput: dx(0) == nil || dxAccumulates(0),
                               dweight: dPrime ?? dw, accumulateWeight: accumulateWeight, scratch: scratch(step, plan),
                               sideBySide: plan.sideBySide[step])
            }
            if let dw, let dPrime { standardizeBackward(c.weight, dPrime, step: step, into: dw) }
        case .depthwise(let dw):
            if let db = grad(dw.bias) { depthwiseConv2dBackwardBias(g!, dy: dy, dbias: db) }
            if let dW = grad(dw.weight) {
                let dPrime = standardizedWeightGradient(dw.weight, step: step, plan)
                depthwiseConv2dBackwardWeight(g!, x: savedInput!, dy: dy, dweight: dPrime ?? dW)
                if let dPrime { standardizeBackward(dw.weight, dPrime, step: step, into: dW) }
            }
            if let d = dx(0) { depthwiseConv2dBackwardInput(g!, dy: dy, weight: parameter(dw.weight, plan), dx: d, accumulate: dxAccumulates(0)) }
        case .affine(let a) where a.groups != nil:
            let statistics = scratch(step, plan).map { UnsafeMutableRawPointer($0).bindMemory(to: Double.self, capacity: 2 * s[0] * a.channels) }
            groupNormBackward(dy: dy, x: savedInput ?? dy, batch: s[0], pixels: s[1] * s[2], channels: a.channels, groups: a.groups!,
                              gamma: parameter(a.gamma, plan), eps: a.eps, dx: dx(0), dgamma: grad(a.gamma), dbeta: grad(a.beta),
                              scratch: statistics)
        case .affine(let a) where inPlace:
            batchNormInferenceBackwardInPlace(dx(0)!, x: savedInput, rows: count / a.channels, channels: a.channels,
                                              gamma: parameter(a.gamma, plan), mean: parameter(a.mean, plan),
                                              variance: parameter(a.variance, plan), eps: a.eps, dgamma: grad(a.gamma), dbeta: grad(a.beta))
        case .affine(let a):
            batchNormInferenceBackward(dy: dy, x: savedInput, rows: count / a.channels, channels: a.channels,
                                       gamma: parameter(a.gamma, plan), mean: parameter(a.mean, plan),
                                       variance: parameter(a.variance, plan), eps: a.eps,
                                       dx: dx(0), dgamma: grad(a.gamma), dbeta: grad(a.beta))
        case .activation(let f):
            guard let d = dx(0) else { return }
            if let m = plan.maskTensor[i] {
                floats(m, in: plan, writing: false).withMemoryRebound(to: UInt64.self, capacity: activationMaskWordCount(count)) { mask in
                    if inPlace { reluBackwardInPlace(d, mask: mask, count: count) } else { reluBackward(dy: dy, mask: mask, count: count, dx: d) }
                }
            } else if inPlace {
                activationBackwardInPlace(f, x: savedInput!, d, count: count)
            } else {
                activationBackward(f, x: savedInput!, dy: dy, count: count, dx: d)
            }
        case .add:
            addBackward(dy: dy, count: count, da: inPlace ? nil : dx(0), db: dx(1),
                        accumulateA: inPlace || dx(0) == nil || dxAccumulates(0), accumulateB: dx(1) == nil || dxAccumulates(1))
        case .globalAvgPool:
            if let d = dx(0) { globalAvgPoolBackward(dy: dy, batch: s[0], pixels: s[1] * s[2], channels: s[3], dx: d, accumulate: dxAccumulates(0)) }
        case .avgPool:
            if let d = dx(0) { avgPool2dBackward(g!, dy: dy, dx: d) }
        case .resize:
            let o = shapes.shapes[i + 1]
            if let d = dx(0) {
                bilinearResizeBackward(dy: dy, batch: s[0], height: s[1], width: s[2], channels: s[3], outHeight: o[1], outWidth: o[2], dx: d)
            }
        case .squeezeExcite(let se):
            squeezeExciteBackward(dy: dy, x: savedInput!, batch: s[0], pixels: s[1] * s[2], channels: s[3], mid: se.mid,
                                  reduceWeight: parameter(se.reduceWeight, plan), reduceBias: parameter(se.reduceBias, plan),
                                  expandWeight: parameter(se.expandWeight, plan), expandBias: parameter(se.expandBias, plan),
                                  dx: dx(0), dReduceWeight: grad(se.reduceWeight), dReduceBias: grad(se.reduceBias),
                                  dExpandWeight: grad(se.expandWeight), dExpandBias: grad(se.expandBias),
                                  scratch: scratch(step, plan)!)
        case .linear(let l):
            if let db = grad(l.bias) { linearBackwardBias(dy: dy, batch: s[0], outFeatures: l.outFeatures, dbias: db) }
            if let dw = grad(l.weight) {
                linearBackwardWeight(dy: dy, x: savedInput!, batch: s[0], inFeatures: l.inFeatures, outFeatures: l.outFeatures, dweight: dw)
            }
            if let d = dx(0) {
                linearBackwardInput(dy: dy, batch: s[0], inFeatures: l.inFeatures, outFeatures: l.outFeatures,
                                    weight: parameter(l.weight, plan), dx: d)
            }
        }
    }
}
