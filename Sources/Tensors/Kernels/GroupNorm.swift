/// Group normalisation, NHWC.
///
/// Concretely (PyTorch `GroupNorm`): for each sample n and group g of C/G channels,
/// μ, σ² = mean and biased variance over (H, W, channels of g); y = (x − μ) / √(σ² + eps) · γ[c] + β[c].
/// Layouts: x, y (N, H·W, C); γ, β (C) (nil: γ = 1, β = 0).
///
/// Per sample: one pass summing each channel's x and x² over the pixels (rows split across threads, Float over
/// blocks of 64 rows, then Double — `channelTotals`), the group statistics from the channel sums in Double, then
/// `batchNormInferenceForward` with each channel's group mean and variance (eight channels at a time). Results
/// depend on the thread count only through the order of those sums. Memory: O(C) temporaries.
public func groupNormForward(
    x: UnsafePointer<Float>, batch: Int, pixels: Int, channels: Int, groups: Int,
    gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?, eps: Float,
    activation: Activation = .identity, y: UnsafeMutablePointer<Float>
) {
    precondition(channels % groups == 0, "GroupNorm: \(channels) channels not divisible by \(groups) groups")
    let perGroup = channels / groups, count = Double(pixels * perGroup)
    var mean = [Float](repeating: 0, count: channels), variance = mean
    let ones = [Float](repeating: 1, count: gamma == nil ? channels : 0), zeros = [Float](repeating: 0, count: beta == nil ? channels : 0)
    for n in 0..<batch {
        let xs = x + n * pixels * channels
        let totals = channelTotals(rows: pixels, channels: 2 * channels) { part, r in
            addInPlace(part, xs + r * channels, count: channels)
            addSquaresInPlace(part + channels, xs + r * channels, count: channels)
        }
        for g in 0..<groups {
            let members = (g * perGroup)..<((g + 1) * perGroup)
            let sum = members.reduce(0.0) { $0 + totals[$1] }, sumSq = members.reduce(0.0) { $0 + totals[channels + $1] }
            let m = sum / count, v = Swift.max(sumSq / count - m * m, 0)
            for c in members { mean[c] = Float(m); variance[c] = Float(v) }
        }
        ones.withUnsafeBufferPointer { ones in
            zeros.withUnsafeBufferPointer { zeros in
                batchNormInferenceForward(x: xs, rows: pixels, channels: channels, gamma: gamma ?? ones.baseAddress!,
                                          beta: beta ?? zeros.baseAddress!, mean: mean, variance: variance, eps: eps,
                                          activation: activation, y: y + n * pixels * channels)
            }
        }
    }
}

/// Plain loop with the contract of `groupNormForward`, statistics accumulated in Double (the oracle of the tests).
public func groupNormForwardReference(
    x: UnsafePointer<Float>, batch: Int, pixels: Int, channels: Int, groups: Int,
    gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?, eps: Float,
    activation: Activation = .identity, y: UnsafeMutablePointer<Float>
) {
    precondition(channels % groups == 0, "GroupNorm: \(channels) channels not divisible by \(groups) groups")
    let perGroup = channels / groups
    let count = Double(pixels * perGroup)
    Parallelism.forEachChunk(batch * groups) { range in
        for item in range {
            let n = item / groups, g = item % groups
            let base = x + n * pixels * channels + g * perGroup
            var sum = 0.0, sumSq = 0.0
            for p in 0..<pixels {
                for c in 0..<perGroup {
                    let v = Double(base[p * channels + c])
                    sum += v; sumSq += v * v
                }
            }
            let mean = sum / count
            let variance = Swift.max(sumSq / count - mean * mean, 0)
            let inv = Float(1 / (variance + Double(eps)).squareRoot()), m = Float(mean)
            let out = y + n * pixels * channels + g * perGroup
            for p in 0..<pixels {
                for c in 0..<perGroup {
                    let ch = g * perGroup + c
                    let v = (base[p * channels + c] - m) * inv * (gamma?[ch] ?? 1) + (beta?[ch] ?? 0)
                    out[p * channels + c] = activation(v)
                }
            }
        }
    }
}

// MARK: - Backward (accumulates; the caller zeroes)

/// Gradient of group normalisation (`groupNormForward`) from its saved input, recomputing the statistics.
///
/// Concretely, for each sample n and group g over its M = pixels·C/G values, with μ, σ² the mean and biased
/// variance (as the forward), r = 1/√(σ² + eps), x̂ = (x − μ)·r and ĝ = γ[c]·dy:
/// - dx += r · (ĝ − mean(ĝ) − x̂·mean(ĝ·x̂))   (means over the group's M values)
/// - dγ[c] += Σ_{n,p} dy·x̂;  dβ[c] += Σ_{n,p} dy.
///
/// Per sample: one pass summing each channel's x, x², dy and dy·x over the pixels (rows split across threads,
/// `channelTotals`), the group constants from those sums in Double, then one pass adding to dx eight channels at
/// a time. `dy` is the gradient of the normalised output before any fused activation; `gamma` nil means γ = 1; pass
/// nil for any gradient that is not needed.
/// Layouts: x, dy, dx (N, H·W, C); γ, dγ, dβ (C).
/// - Parameter scratch: ``groupNormBackwardScratchCount(batch:channels:)`` doubles (per-sample Σ dy·x̂ and Σ dy),
///   or allocated here when nil; plus O(C) temporaries.
/// ### References
/// Wu, He, "Group Normalization", 2018, https://arxiv.org/abs/1803.08494
public func groupNormBackward(
    dy: UnsafePointer<Float>, x: UnsafePointer<Float>, batch: Int, pixels: Int, channels: Int, groups: Int,
    gamma: UnsafePointer<Float>?, eps: Float,
    dx: UnsafeMutablePointer<Float>?, dgamma: UnsafeMutablePointer<Float>?, dbeta: UnsafeMutablePointer<Float>?,
    scratch: UnsafeMutablePointer<Double>? = nil
) {
    precondition(channels % groups == 0, "GroupNorm: \(channels) channels not divisible by \(groups) groups")
    let perGroup = channels / groups, count = Double(pixels * perGroup)
    let partial = scratch ?? UnsafeMutablePointer<Double>.allocate(capacity: groupNormBackwardScratchCount(batch: batch, channels: channels))
    defer { if scratch == nil { partial.deallocate() } }
    // dx = coefficient·dy + slope·(x − μ) + shift, per channel (slope, μ and shift per group): four rows of C floats.
    let constants = UnsafeMutablePointer<Float>.allocate(capacity: 4 * channels)
    defer { constants.deallocate() }
    let coefficient = constants, slope = constants + channels, mu = constants + 2 * channels, shift = constants + 3 * channels
    for n in 0..<batch {
        let offset = n * pixels * channels, xs = x + offset, gs = dy + offset
        // Σx, Σx², Σdy, Σdy·x per channel.
        let totals = channelTotals(rows: pixels, channels: 4 * channels) { part, r in
            let xr = xs + r * channels, gr = gs + r * channels
            addInPlace(part, xr, count: channels)
            addSquaresInPlace(part + channels, xr, count: channels)
            addInPlace(part + 2 * channels, gr, count: channels)
            addProductsInPlace(part + 3 * channels, xr, gr, count: channels)
        }
        for g in 0..<groups {
            let members = (g * perGroup)..<((g + 1) * perGroup)
            let sum = members.reduce(0.0) { $0 + totals[$1] }, sumSq = members.reduce(0.0) { $0 + totals[channels + $1] }
            let mean = sum / count
            let inv = 1 / (Swift.max(sumSq / count - mean * mean, 0) + Double(eps)).squareRoot()
            var sumG = 0.0, sumGXhat = 0.0
            for c in members {
                let gm = Double(gamma?[c] ?? 1), sumDy = totals[2 * channels + c]
                let dyXhat = inv * (totals[3 * channels + c] - mean * sumDy)
                partial[n * channels + c] = dyXhat
                partial[(batch + n) * channels + c] = sumDy
                sumG += gm * sumDy
                sumGXhat += gm * dyXhat
                coefficient[c] = Float(inv * gm)
            }
            for c in members { slope[c] = Float(-inv * inv * sumGXhat / count); shift[c] = Float(-inv * sumG / count); mu[c] = Float(mean) }
        }
        guard let dx else { continue }
        let out = dx + offset
        Parallelism.forEachChunk(pixels, minChunk: Parallelism.minimumRows(ofLength: channels)) { rows in
            for r in rows {
                let xr = xs + r * channels, gr = gs + r * channels, dr = out + r * channels
                var c = 0
                while c + 8 <= channels {
                    let v = load8(coefficient + c) * load8(gr + c) + load8(slope + c) * (load8(xr + c) - load8(mu + c)) + load8(shift + c)
                    store8(load8(dr + c) + v, dr + c)
                    c += 8
                }
                while c < channels { dr[c] += coefficient[c] * gr[c] + slope[c] * (xr[c] - mu[c]) + shift[c]; c += 1 }
            }
        }
    }
    for c in 0..<channels {
        var sDyXhat = 0.0, sDy = 0.0
        for n in 0..<batch { sDyXhat += partial[n * channels + c]; sDy += partial[(batch + n) * channels + c] }
        dgamma?[c] += Float(sDyXhat)
        dbeta?[c] += Float(sDy)
    }
}

/// Plain loop with the contract of `groupNormBackward` (statistics and sums per (sample, group) in Double; the
/// oracle of the tests).
public func groupNormBackwardReference(
    dy: UnsafePointer<Float>, x: UnsafePointer<Float>, batch: Int, pixels: Int, channels: Int, groups: Int,
    gamma: UnsafePointer<Float>?, eps: Float,
    dx: UnsafeMutablePointer<Float>?, dgamma: UnsafeMutablePointer<Float>?, dbeta: UnsafeMutablePointer<Float>?,
    scratch: UnsafeMutablePointer<Double>? = nil
) {
    precondition(channels % groups == 0, "GroupNorm: \(channels) channels not divisible by \(groups) groups")
    let perGroup = channels / groups
    let count = Double(pixels * perGroup)
    // Per-sample channel sums of dy·x̂ and dy, reduced over samples afterwards (no races across threads).
    let partial = scratch ?? UnsafeMutablePointer<Double>.allocate(capacity: groupNormBackwardScratchCount(batch: batch, channels: channels))
    defer { if scratch == nil { partial.deallocate() } }
    Parallelism.forEachChunk(batch * groups) { range in
        // Per-channel Σ dy and Σ dy·x of the current (sample, group), in Double; per-channel dy coefficient of dx.
        let sumDy = UnsafeMutablePointer<Double>.allocate(capacity: 2 * perGroup), sumDyX = sumDy + perGroup
        let coefficient = UnsafeMutablePointer<Float>.allocate(capacity: perGroup)
        defer { sumDy.deallocate(); coefficient.deallocate() }
        for item in range {
            let n = item / groups, g = item % groups
            let offset = n * pixels * channels + g * perGroup
            let xs = x + offset, gs = dy + offset
            // One pass for the statistics and the sums; x̂ = (x − μ)·r, so Σ dy·x̂ = r·(Σ dy·x − μ·Σ dy).
            var sum = 0.0, sumSq = 0.0
            sumDy.initialize(repeating: 0, count: 2 * perGroup)
            for p in 0..<pixels {
                for c in 0..<perGroup {
                    let v = Double(xs[p * channels + c]), d = Double(gs[p * channels + c])
                    sum += v; sumSq += v * v
                    sumDy[c] += d; sumDyX[c] += d * v
                }
            }
            let mean = sum / count
            let inv = 1 / (Swift.max(sumSq / count - mean * mean, 0) + Double(eps)).squareRoot()
            var sumG = 0.0, sumGXhat = 0.0
            for c in 0..<perGroup {
                let ch = g * perGroup + c, gm = Double(gamma?[ch] ?? 1)
                let dyXhat = inv * (sumDyX[c] - mean * sumDy[c])
                partial[n * channels + ch] = dyXhat
                partial[(batch + n) * channels + ch] = sumDy[c]
                sumG += gm * sumDy[c]
                sumGXhat += gm * dyXhat
            }
            guard let dx else { continue }
            // dx = r·γ·dy − r·mean(ĝ) − r²·mean(ĝ·x̂)·(x − μ), in Float with per-group constants.
            let slope = Float(-inv * inv * sumGXhat / count), shift = Float(-inv * sumG / count), mu = Float(mean)
            let out = dx + offset
            for c in 0..<perGroup { coefficient[c] = Float(inv * Double(gamma?[g * perGroup + c] ?? 1)) }
            for p in 0..<pixels {
                let xr = xs + p * channels, gr = gs + p * channels, dr = out + p * channels
                for c in 0..<perGroup {
                    dr[c] += coefficient[c] * gr[c] + slope * (xr[c] - mu) + shift
                }
            }
        }
    }
    for c in 0..<channels {
        var sDyXhat = 0.0, sDy = 0.0
        for n in 0..<batch { sDyXhat += partial[n * channels + c]; sDy += partial[(batch + n) * channels + c] }
        dgamma?[c] += Float(sDyXhat)
        dbeta?[c] += Float(sDy)
    }
}

/// Doubles of `groupNormBackward`'s scratch: 2·N·C (per-sample Σ dy·x̂ and Σ dy).
public func groupNormBackwardScratchCount(batch: Int, channels: Int) -> Int { 2 * batch * channels }
