/// Squeeze-and-excitation, NHWC: x · gate(expand(act(reduce(mean_HW(x))))).
///
/// Concretely (OFA `SEModule`: reduce and expand are 1x1 convs with bias, act = ReLU, gate = h-sigmoid):
/// s[n,:] = mean over pixels of x[n]; z = act(s · Wrᵀ + br); e = gate(z · Weᵀ + be); y[n,p,c] = x[n,p,c] · e[n,c].
/// Layouts: x, y (N, H·W, C) (y may alias x); Wr (mid, C); We (C, mid); scratch ≥ N·(2C + mid) floats.
public func squeezeExciteForward(
    x: UnsafePointer<Float>, batch: Int, pixels: Int, channels: Int, mid: Int,
    reduceWeight: UnsafePointer<Float>, reduceBias: UnsafePointer<Float>?,
    expandWeight: UnsafePointer<Float>, expandBias: UnsafePointer<Float>?,
    activation: Activation = .relu, gate: Activation = .hsigmoid,
    y: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
) {
    let squeezed = scratch, reduced = scratch + batch * channels, excited = reduced + batch * mid
    globalAvgPoolForward(x: x, batch: batch, pixels: pixels, channels: channels, y: squeezed)
    linearForward(x: squeezed, batch: batch, inFeatures: channels, outFeatures: mid,
                  weight: reduceWeight, bias: reduceBias, activation: activation, y: reduced)
    linearForward(x: reduced, batch: batch, inFeatures: mid, outFeatures: channels,
                  weight: expandWeight, bias: expandBias, activation: gate, y: excited)
    scaleChannelsForward(x: x, batch: batch, pixels: pixels, channels: channels, scale: excited, y: y)
}

/// y[n,p,c] = x[n,p,c] · scale[n,c]. Layouts: x, y (N, H·W, C) (may alias); scale (N, C).
public func scaleChannelsForward(
    x: UnsafePointer<Float>, batch: Int, pixels: Int, channels: Int, scale: UnsafePointer<Float>,
    y: UnsafeMutablePointer<Float>
) {
    for n in 0..<batch {
        let s = scale + n * channels
        for p in 0..<pixels {
            let base = (n * pixels + p) * channels
            for c in 0..<channels { y[base + c] = x[base + c] * s[c] }
        }
    }
}

/// y = a + b elementwise over `count` values (y may alias a or b): residual connections.
/// Split across threads (`forEachElementRange`).
public func addForward(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int, y: UnsafeMutablePointer<Float>) {
    forEachElementRange(count) { range in
        var i = range.lowerBound
        while i + 8 <= range.upperBound { store8(load8(a + i) + load8(b + i), y + i); i += 8 }
        while i < range.upperBound { y[i] = a[i] + b[i]; i += 1 }
    }
}

// MARK: - Backward

// Composed from the backward of its parts (pooling, linear, activations). Every kernel **accumulates**
// (`+=`) into its gradient buffers.

/// Gradient of `scaleChannelsForward` (y = x · scale per sample and channel).
///
/// Concretely: dx[n,p,c] += dy[n,p,c] · scale[n,c]; dscale[n,c] += Σ_p dy[n,p,c] · x[n,p,c].
/// Layouts: x, dy, dx (N, H·W, C); scale, dscale (N, C). `x` is read only for `dscale`.
public func scaleChannelsBackward(
    dy: UnsafePointer<Float>, x: UnsafePointer<Float>?, batch: Int, pixels: Int, channels: Int,
    scale: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, dscale: UnsafeMutablePointer<Float>?
) {
    if let dx {
        for n in 0..<batch {
            channelAffineBackward(dy: dy + n * pixels * channels, x: nil, rows: pixels, channels: channels,
                                  scale: scale + n * channels, dx: dx + n * pixels * channels, dscale: nil, dshift: nil)
        }
    }
    if let dscale {
        guard let x else { preconditionFailure("scaleChannelsBackward: dscale needs x") }
        for n in 0..<batch {
            var sums = [Double](repeating: 0, count: channels)
            for p in 0..<pixels {
                let base = (n * pixels + p) * channels
                for c in 0..<channels { sums[c] += Double(dy[base + c]) * Double(x[base + c]) }
            }
            for c in 0..<channels { dscale[n * channels + c] += Float(sums[c]) }
        }
    }
}

/// Gradient of `addForward` (y = a + b): da += dy and db += dy, each only if asked for (`accumulateA`/`B`
/// false: da = dy, db = dy).
///
/// Trivial, and often free: a residual's gradient can be *the same buffer* for both branches when the
/// planner lets them share it; this kernel is for when they cannot. Layouts: dy, da, db (count). Split across
/// threads (`forEachElementRange`).
public func addBackward(
    dy: UnsafePointer<Float>, count: Int, da: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?,
    accumulateA: Bool = true, accumulateB: Bool = true
) {
    forEachElementRange(count) { range in
        func write(_ d: UnsafeMutablePointer<Float>?, accumulate: Bool) {
            guard let d = d.map({ $0 + range.lowerBound }) else { return }
            if accumulate { addInPlace(d, dy + range.lowerBound, count: range.count) } else { copy(dy + range.lowerBound, count: range.count, into: d) }
        }
        write(da, accumulate: accumulateA)
        write(db, accumulate: accumulateB)
    }
}

/// Temporary floats `squeezeExciteBackward` needs: N·(6C + 4·mid).
public func squeezeExciteBackwardScratchCount(batch: Int, channels: Int, mid: Int) -> Int {
    batch * (6 * channels + 4 * mid)
}

/// Gradient of `squeezeExciteForward`, composed from the backward of its parts, from the saved input x.
///
/// Concretely, recomputing s = mean_HW(x), z̃ = s·Wrᵀ + br, z = act(z̃), ẽ = z·Weᵀ + be, e = gate(ẽ):
/// - dx += dy·e (the channel scale) + (dz̃·Wr)/(H·W) broadcast over pixels (the pooled path), where
/// - de = Σ_p dy·x, dẽ = gate′(ẽ)·de, dz = dẽ·We, dz̃ = act′(z̃)·dz;
/// - dWe += dẽᵀ·z, dbe += Σ_n dẽ, dWr += dz̃ᵀ·s, dbr += Σ_n dz̃.
/// Pass nil for the gradients that are not needed (a frozen SE needs only dx). The whole chain runs whenever
/// any gradient is asked for, but costs only O(N·C·mid) beyond the two passes over (N, H·W, C).
///
/// Layouts: x, dy, dx (N, H·W, C) — dx must not alias x; Wr, dWr (mid, C); We, dWe (C, mid);
/// br, dbr (mid); be, dbe (C). `scratch`: `squeezeExciteBackwardScratchCount(...)` floats.
/// ### References
/// Hu, Shen, Sun, "Squeeze-and-Excitation Networks", 2017, https://arxiv.org/abs/1709.01507
public func squeezeExciteBackward(
    dy: UnsafePointer<Float>, x: UnsafePointer<Float>, batch: Int, pixels: Int, channels: Int, mid: Int,
    reduceWeight: UnsafePointer<Float>, reduceBias: UnsafePointer<Float>?,
    expandWeight: UnsafePointer<Float>, expandBias: UnsafePointer<Float>?,
    activation: Activation = .relu, gate: Activation = .hsigmoid,
    dx: UnsafeMutablePointer<Float>?,
    dReduceWeight: UnsafeMutablePointer<Float>? = nil, dReduceBias: UnsafeMutablePointer<Float>? = nil,
    dExpandWeight: UnsafeMutablePointer<Float>? = nil, dExpandBias: UnsafeMutablePointer<Float>? = nil,
    scratch: UnsafeMutablePointer<Float>
) {
    let (n, c) = (batch, channels)
    let squeezed = scratch, excitedPre = squeezed + n * c, excited = excitedPre + n * c
    let dExcited = excited + n * c, dExcitedPre = dExcited + n * c, dSqueezed = dExcitedPre + n * c
    let reducedPre = dSqueezed + n * c, reduced = reducedPre + n * mid
    let dReduced = reduced + n * mid, dReducedPre = dReduced + n * mid
    // Recompute the forward, keeping the pre-activations.
    globalAvgPoolForward(x: x, batch: n, pixels: pixels, channels: c, y: squeezed)
    linearForward(x: squeezed, batch: n, inFeatures: c, outFeatures: mid, weight: reduceWeight, bias: reduceBias, y: reducedPre)
    reduced.update(from: reducedPre, count: n * mid)
    activation.apply(reduced, count: n * mid)
    linearForward(x: reduced, batch: n, inFeatures: mid, outFeatures: c, weight: expandWeight, bias: expandBias, y: excitedPre)
    excited.update(from: excitedPre, count: n * c)
    gate.apply(excited, count: n * c)
    // y = x · e.
    dExcited.update(repeating: 0, count: n * c)
    scaleChannelsBackward(dy: dy, x: x, batch: n, pixels: pixels, channels: c, scale: excited, dx: dx, dscale: dExcited)
    // e = gate(ẽ), ẽ = z·Weᵀ + be.
    dExcitedPre.update(repeating: 0, count: n * c)
    activationBackward(gate, x: excitedPre, dy: dExcited, count: n * c, dx: dExcitedPre)
    if let dExpandBias { linearBackwardBias(dy: dExcitedPre, batch: n, outFeatures: c, dbias: dExpandBias) }
    if let dExpandWeight {
        linearBackwardWeight(dy: dExcitedPre, x: reduced, batch: n, inFeatures: mid, outFeatures: c, dweight: dExpandWeight)
    }
    guard dx != nil || dReduceWeight != nil || dReduceBias != nil else { return }
    dReduced.update(repeating: 0, count: n * mid)
    linearBackwardInput(dy: dExcitedPre, batch: n, inFeatures: mid, outFeatures: c, weight: expandWeight, dx: dReduced)
    // z = act(z̃), z̃ = s·Wrᵀ + br.
    dReducedPre.update(repeating: 0, count: n * mid)
    activationBackward(activation, x: reducedPre, dy: dReduced, count: n * mid, dx: dReducedPre)
    if let dReduceBias { linearBackwardBias(dy: dReducedPre, batch: n, outFeatures: mid, dbias: dReduceBias) }
    if let dReduceWeight {
        linearBackwardWeight(dy: dReducedPre, x: squeezed, batch: n, inFeatures: c, outFeatures: mid, dweight: dReduceWeight)
    }
    // s = mean_HW(x).
    guard let dx else { return }
    dSqueezed.update(repeating: 0, count: n * c)
    linearBackwardInput(dy: dReducedPre, batch: n, inFeatures: c, outFeatures: mid, weight: reduceWeight, dx: dSqueezed)
    globalAvgPoolBackward(dy: dSqueezed, batch: n, pixels: pixels, channels: c, dx: dx)
}
