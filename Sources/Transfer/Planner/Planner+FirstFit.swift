extension PlanBuilder {
    /// Places the tensors, finds the peak and assembles the plan.
    func finish(batch: Int, height: Int, width: Int, optimizerStateFloatsPerValue: Int?) -> MemoryPlan {
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

        // Peak of exact live bytes, by a sweep over steps.
        var delta = [Int](repeating: 0, count: lastStep + 2)
        for t in tensors { delta[t.birth] += t.bytes; delta[t.death + 1] -= t.bytes }
        var live = 0, peak = -1, peakStep = 0
        for s in 0...lastStep {
            live += delta[s]
            if live > peak { peak = live; peakStep = s }
        }
        let atPeak = tensors.indices.filter { tensors[$0].birth <= peakStep && peakStep <= tensors[$0].death }
        var ledgerAtPeak = MemoryLedger(), allocated = MemoryLedger()
        for i in atPeak { ledgerAtPeak.bytes[tensors[i].category, default: 0] += tensors[i].bytes }
        for t in tensors { allocated.bytes[t.category, default: 0] += t.bytes }

        var born = [[Int]](repeating: [], count: lastStep + 1), dying = born
        for (i, t) in tensors.enumerated() {
            if case .valueGradient = t.kind { born[t.birth].append(i) }
            if i >= persistentCount && t.death < lastStep { dying[t.death].append(i) }
        }
        return MemoryPlan(
            batch: batch, height: height, width: width, backward: backward, optimizerStateFloatsPerValue: optimizerStateFloatsPerValue,
            shapes: shapes, needs: needs, tensors: placed, arenaBytes: arena, peakBytes: peak, peakStep: peakStep,
            tensorsAtPeak: atPeak, ledgerAtPeak: ledgerAtPeak, allocated: allocated, opCount: opCount,
            valueTensor: valueTensor, valueGradientTensor: valueGradientTensor, maskTensor: maskTensor,
            parameterTensor: parameterTensor, gradientTensor: gradientTensor, stateTensor: stateTensor,
            scratchTensor: scratchTensor, dequantizedWeightTensor: dequantizedWeightTensor, dequantizedWeights: dequantizedWeights,
            bornGradients: born, dying: dying)
    }

    /// First fit over lifetimes: each tensor of `order` goes to the lowest offset ≥ `base` that overlaps no
    /// already placed tensor live at the same time. Returns offsets (indexed from the first transient) and the end.
    static func firstFit(_ tensors: [PlannedTensor], order: [Int], base: Int) -> (offsets: [Int], arena: Int) {
        let first = order.min() ?? 0
        var offsets = [Int](repeating: 0, count: order.count)
        // Placed tensors as flat (birth, death, start, end) rows: no String copies in the O(T²) loop.
        var placed = [Int](), conflicts = [(start: Int, end: Int)]()
        placed.reserveCapacity(4 * order.count)
        var arena = base
        for i in order {
            let birth = tensors[i].birth, death = tensors[i].death, size = tensors[i].alignedBytes
            conflicts.removeAll(keepingCapacity: true)
            var r = 0
            while r < placed.count {
                if placed[r] <= death && birth <= placed[r + 1] { conflicts.append((placed[r + 2], placed[r + 3])) }
                r += 4
            }
            conflicts.sort { $0.start < $1.start }
            var candidate = base
            for c in conflicts {
                if candidate + size <= c.start { break }
                candidate = max(candidate, c.end)
            }
            offsets[i - first] = candidate
            placed.append(contentsOf: [birth, death, candidate, candidate + size])
            arena = max(arena, candidate + size)
        }
        return (offsets, arena)
    }
}
