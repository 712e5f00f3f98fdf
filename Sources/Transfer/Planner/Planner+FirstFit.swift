extension PlanBuilder {
    /// Places the tensors, finds the peak and assembles the plan.
    func finish(batch: Int, height: Int, width: Int, optimizerState: OptimizerStateSize?) -> MemoryPlan {
        var placed = tensors
        var base = 0
        for i in 0..<persistentCount {
            placed[i].offset = base
            base += placed[i].alignedBytes
        }
        let transient = Array(persistentCount..<tensors.count)
        let bySize = transient.sorted { (tensors[$0].bytes, tensors[$1].birth, $1) > (tensors[$1].bytes, tensors[$0].birth, $0) }
        let byBirth = transient.sorted { (tensors[$0].birth, tensors[$1].bytes, $0) < (tensors[$1].birth, tensors[$0].bytes, $1) }
        let a = Self.firstFit(tensors, order: bySize, base: base), b = Self.firstFit(tensors, order: byBirth, base: base)
        let offsets = a.arena <= b.arena ? a.offsets : b.offsets
        for i in transient { placed[i].offset = offsets[i - persistentCount] }
        // The arena ends where the highest tensor ends (tensors start aligned; the last one is not padded).
        let arena = placed.map { $0.offset + $0.bytes }.max() ?? 0

        let (peak, peakStep) = livePeak()
        let atPeak = tensors.indices.filter { tensors[$0].birth <= peakStep && peakStep <= tensors[$0].death }
        var ledgerAtPeak = MemoryLedger(), allocated = MemoryLedger()
        for i in atPeak { ledgerAtPeak.bytes[tensors[i].category, default: 0] += tensors[i].bytes }
        for t in tensors { allocated.bytes[t.category, default: 0] += t.bytes }

        var born = [[Int]](repeating: [], count: lastStep + 1), dying = born
        for (i, t) in tensors.enumerated() {
            switch t.kind {
            case .valueGradient where !t.firstWriteOverwrites: born[t.birth].append(i)
            case .parameterGradient where i >= persistentCount && !t.firstWriteOverwrites: born[t.birth].append(i)
            default: break
            }
            if i >= persistentCount && t.death < lastStep { dying[t.death].append(i) }
        }
        return MemoryPlan(
            batch: batch, height: height, width: width, backward: backward, optimizerState: optimizerState,
            gradientMode: gradients, chunkedPrefix: prefix, shapes: shapes, chunkShapes: chunkShapes, needs: needs, tensors: placed, arenaBytes: arena, peakBytes: peak, peakStep: peakStep,
            tensorsAtPeak: atPeak, ledgerAtPeak: ledgerAtPeak, allocated: allocated, opCount: opCount,
            valueTensor: valueTensor, valueGradientTensor: valueGradientTensor, maskTensor: maskTensor,
            parameterTensor: parameterTensor, gradientTensor: gradientTensor, stateTensor: stateTensor,
            scratchTensor: scratchTensor, expandedWeightTensor: expandedWeightTensor, expandedWeights: expandedWeights,
            bornGradients: born, dying: dying, updates: updates, sideBySide: sideBySide)
    }

    /// The largest sum of live tensors' exact bytes over the steps and the first step where it occurs.
    func livePeak() -> (bytes: Int, step: Int) {
        var peak = -1, peakStep = 0
        for (s, live) in liveBytes().enumerated() where live > peak { (peak, peakStep) = (live, s) }
        return (peak, peakStep)
    }

    /// The sum of live tensors' exact bytes at each step 0…lastStep (a sweep over births and deaths).
    func liveBytes() -> [Int] {
        var live = [Int](repeating: 0, count: lastStep + 2)
        for t in tensors { live[t.birth] += t.bytes; live[t.death + 1] -= t.bytes }
        for s in 1...lastStep { live[s] += live[s - 1] }
        return Array(live[0...lastStep])
    }

    /// First fit over lifetimes: each tensor of `order` goes to the lowest offset ≥ `base` that overlaps no
    /// already placed tensor live at the same time. Returns offsets (indexed from the first transient) and the end.
    ///
    /// Concretely: placed tensors are kept sorted by start offset; a new tensor walks them upwards with a
    /// candidate offset, moving it above every one that is live at the same time, until the next placed tensor
    /// starts at or above candidate + size (every later one does too). This is the rule of `firstFitReference`,
    /// which gathers the conflicting tensors and sorts them instead; both return the same offsets.
    /// - Complexity: O(T·P) worst case for T tensors, P the placed tensors below each result; the walk stops at
    ///   the first gap, so most placements read only a few rows.
    static func firstFit(_ tensors: [PlannedTensor], order: [Int], base: Int) -> (offsets: [Int], arena: Int) {
        let first = order.min() ?? 0
        var offsets = [Int](repeating: 0, count: order.count)
        var placed = [PlacedRow]()
        placed.reserveCapacity(order.count)
        var arena = base
        for i in order {
            let birth = tensors[i].birth, death = tensors[i].death, size = tensors[i].alignedBytes
            var candidate = base, k = 0
            while k < placed.count {
                let row = placed[k]
                if candidate + size <= row.start { break }
                if row.birth <= death && birth <= row.death { candidate = max(candidate, row.end) }
                k += 1
            }
            offsets[i - first] = candidate
            // Insert after every row starting at or below the candidate (binary search for the upper bound).
            var low = 0, high = placed.count
            while low < high {
                let mid = (low + high) / 2
                if placed[mid].start <= candidate { low = mid + 1 } else { high = mid }
            }
            placed.insert(PlacedRow(start: candidate, end: candidate + size, birth: birth, death: death), at: low)
            arena = max(arena, candidate + size)
        }
        return (offsets, arena)
    }

    /// The plain first fit `firstFit` must equal (kept as its oracle): for each tensor, gather every placed
    /// tensor live at the same time, sort them by start, and take the lowest gap that fits.
    /// - Complexity: O(T² log T).
    static func firstFitReference(_ tensors: [PlannedTensor], order: [Int], base: Int) -> (offsets: [Int], arena: Int) {
        let first = order.min() ?? 0
        var offsets = [Int](repeating: 0, count: order.count)
        var placed = [PlacedRow](), arena = base
        for i in order {
            let birth = tensors[i].birth, death = tensors[i].death, size = tensors[i].alignedBytes
            let conflicts = placed.filter { $0.birth <= death && birth <= $0.death }.sorted { $0.start < $1.start }
            var candidate = base
            for c in conflicts {
                if candidate + size <= c.start { break }
                candidate = max(candidate, c.end)
            }
            offsets[i - first] = candidate
            placed.append(PlacedRow(start: candidate, end: candidate + size, birth: birth, death: death))
            arena = max(arena, candidate + size)
        }
        return (offsets, arena)
    }
}

/// A placed tensor as the first fit sees it: arena bytes [start, end) over steps birth...death.
struct PlacedRow {
    var start: Int, end: Int, birth: Int, death: Int
}
