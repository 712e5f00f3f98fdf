extension TrainingGraph {
    /// Indices of the parameters that `quantizingFrozenWeights` stores in 8 bits: every frozen weight read by a
    /// conv, depthwise, linear or squeeze-excite op (roles `weight` and `foldedWeight`), in graph order.
    public var quantizableFrozenWeights: [Int] {
        var weights = Set<Int>()
        for op in ops {
            switch op.kind {
            case .conv(let c): weights.insert(c.weight)
            case .depthwise(let d): weights.insert(d.weight)
            case .linear(let l): weights.insert(l.weight)
            case .squeezeExcite(let s): weights.formUnion([s.reduceWeight, s.expandWeight])
            case .affine, .activation, .add, .globalAvgPool, .avgPool, .resize: break
            }
        }
        return weights.filter { !parameters[$0].trainable }.sorted()
    }

    /// The graph with its frozen weights stored in `bits` bits: TinyTL's `weight_quantization` (spec §5.7),
    /// stored for real (`QuantizedTensor`: a ≤ 256-entry float32 codebook and one `UInt8` index per weight).
    ///
    /// Concretely, for `bits` = 8 every parameter of `quantizableFrozenWeights` becomes
    /// `QuantizedTensor(quantizing: values, seed: seed &+ index, iterations: iterations)` (1-D k-means over the
    /// whole tensor, 256 clusters); the trainer keeps its indices and codebook in the arena and expands one
    /// layer's weights into planned scratch when the layer runs (forward, and backward where dx needs them).
    /// `bits` = 32 returns the graph unchanged.
    ///
    /// What stays float32, and why:
    /// - **Folded weights are quantised after folding** (w·γ/σ): that is the tensor the kernel reads, so the
    ///   stored 8 bits are exactly what computes. (TinyTL quantises raw weights of a GN network; with BN folded
    ///   there is no raw weight at run time.)
    /// - **Biases, folded BN shifts, frozen BN γ/β/mean/var stay float32.** TinyTL quantises only Conv2d/Linear
    ///   weights; its formula nevertheless counts every frozen parameter (norm γ/β included, buffers excluded) at
    ///   8 bits. These vectors hold one value per channel (≈ 1–2 % of a subnet's parameters), and our planner
    ///   counts them at their real 4 bytes.
    /// - Trainable parameters are never quantised.
    /// - Parameters:
    ///   - bits: 8 or 32.
    ///   - seed: base seed of the k-means++ sampling (tensor p uses `seed &+ p`); the result is a pure function
    ///     of the graph, `seed` and `iterations`.
    ///   - iterations: Lloyd limit per tensor (TinyTL's script: 20).
    /// - Complexity: O(N log N) per tensor; about 0.07 s per million weights (release).
    public func quantizingFrozenWeights(bits: Int = 8, seed: UInt64 = 0, iterations: Int = 20) -> TrainingGraph {
        precondition(bits == 8 || bits == 32, "frozen weights are stored in 8 or 32 bits, not \(bits)")
        guard bits == 8 else { return self }
        var g = self
        for p in quantizableFrozenWeights where parameters[p].storageBits == 32 {
            g.parameters[p].store(QuantizedTensor(quantizing: parameters[p].values, shape: [parameters[p].count],
                                                  seed: seed &+ UInt64(p), iterations: iterations))
        }
        return g
    }

    /// The graph with every 8-bit parameter replaced by float32 values equal to its dequantised codebook
    /// entries: the same function, stored at full width (the reference for exactness tests and exports).
    public func dequantizingFrozenWeights() -> TrainingGraph {
        var g = self
        for p in parameters.indices where parameters[p].storageBits == 8 { g.parameters[p].values = parameters[p].float32Values }
        return g
    }
}

extension TrainingGraph {
    /// The graph as the planner sees it after `quantizingFrozenWeights(bits:)`, without fitting any codebook:
    /// every parameter released (`releasingPayloads()`), the quantisable frozen weights marked 8-bit with the
    /// codebook size k-means would produce, min(256, distinct values). Plans of it equal plans of the quantised
    /// graph byte for byte, at a tiny fraction of the cost (a candidate check in a search); it cannot be trained.
    /// - Complexity: O(parameters), reading each weight only until 257 distinct values are seen.
    public func frozenStorageForPlanning(bits: Int = 8) -> TrainingGraph {
        precondition(bits == 8 || bits == 32, "frozen weights are stored in 8 or 32 bits, not \(bits)")
        var g = self
        if bits == 8 {
            for p in quantizableFrozenWeights where parameters[p].storageBits == 32 {
                g.parameters[p].describeQuantized(codebookCount: Self.codebookCount(parameters[p].values))
            }
        }
        return g.releasingPayloads()
    }

    /// min(256, number of distinct values) (`==` equality, so −0 and +0 are one value, as in the k-means).
    static func codebookCount(_ values: [Float]) -> Int {
        var seen = Set<UInt32>()
        for v in values {
            seen.insert(v == 0 ? 0 : v.bitPattern)
            if seen.count > QuantizedTensor.maxCodebookCount { return QuantizedTensor.maxCodebookCount }
        }
        return seen.count
    }
}
