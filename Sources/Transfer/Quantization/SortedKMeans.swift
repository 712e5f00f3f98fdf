import Foundation
import Tensors

/// Weighted 1-D k-means over sorted distinct values: the engine behind ``QuantizedTensor``.
///
/// Concretely: the N input values become M sorted distinct values u₀ < … < u_{M−1} with multiplicities wⱼ,
/// and k-means over them minimises Σⱼ wⱼ·(uⱼ − c_{a(j)})², the same objective as k-means over the N values.
/// In 1-D every cluster of a nearest-centroid assignment is a contiguous run of sorted values, so a
/// clustering is a list of sorted centroids plus k+1 boundaries (cluster i holds uⱼ for bᵢ ≤ j < bᵢ₊₁), found
/// by binary search of each midpoint (cᵢ + cᵢ₊₁)/2 in u; a value on a midpoint goes to the lower centroid.
/// Prefix sums of w, w·(u − μ) and w·(u − μ)² (Double, shifted by the mean μ against cancellation) give any
/// run's weight, mean and cost about a centre in O(1).
///
/// - Complexity: building O(N) on sorted input; k-means++ O(k·trials·(k + log M)); each Lloyd iteration
///   O(k·log M). Memory: 4·M + 3·8·(M + 1) bytes.
struct SortedKMeans {
    /// Sorted distinct values.
    let values: [Float]
    /// Mean of the N input values (the shift of the prefix sums).
    let shift: Double
    /// Prefix sums (M + 1 entries) of w, w·(u − μ) and w·(u − μ)².
    private let p0: [Double], p1: [Double], p2: [Double]

    /// Builds the distinct values and prefix sums from all N values in ascending order.
    init(sorted: [Float]) {
        let shift = sorted.isEmpty ? 0 : sorted.reduce(0.0) { $0 + Double($1) } / Double(sorted.count)
        var values: [Float] = [], p0: [Double] = [0], p1: [Double] = [0], p2: [Double] = [0]
        values.reserveCapacity(sorted.count)
        p0.reserveCapacity(sorted.count + 1); p1.reserveCapacity(sorted.count + 1); p2.reserveCapacity(sorted.count + 1)
        var i = 0, s0 = 0.0, s1 = 0.0, s2 = 0.0
        while i < sorted.count {
            let v = sorted[i]
            var j = i + 1
            while j < sorted.count && sorted[j] == v { j += 1 }
            let w = Double(j - i), d = Double(v) - shift
            s0 += w; s1 += w * d; s2 += w * d * d
            values.append(v); p0.append(s0); p1.append(s1); p2.append(s2)
            i = j
        }
        self.values = values; self.shift = shift; self.p0 = p0; self.p1 = p1; self.p2 = p2
    }

    /// Number of input values in the run [a, b).
    func weight(_ a: Int, _ b: Int) -> Double { p0[b] - p0[a] }

    /// Mean of the input values in the non-empty run [a, b).
    func mean(_ a: Int, _ b: Int) -> Double { shift + (p1[b] - p1[a]) / (p0[b] - p0[a]) }

    /// Σ w·(u − c)² over the run [a, b) (clamped at 0 against rounding).
    func cost(_ a: Int, _ b: Int, about c: Float) -> Double {
        let d = Double(c) - shift
        return Swift.max(0, (p2[b] - p2[a]) - 2 * d * (p1[b] - p1[a]) + d * d * (p0[b] - p0[a]))
    }

    /// First index j in [lo, hi] with uⱼ > (a + b)/2 (hi when none): the boundary between centroids a < b.
    func boundary(_ a: Float, _ b: Float, in lo: Int = 0, _ hi: Int? = nil) -> Int {
        let mid = (Double(a) + Double(b)) / 2   // exact: the sum of two floats fits a double here
        var lo = lo, hi = hi ?? values.count
        while lo < hi {
            let m = (lo + hi) / 2
            if Double(values[m]) > mid { hi = m } else { lo = m + 1 }
        }
        return lo
    }

    /// The k+1 cluster boundaries of sorted centroids.
    func boundaries(_ centroids: [Float]) -> [Int] {
        var b = [0]
        for i in 1..<Swift.max(centroids.count, 1) { b.append(boundary(centroids[i - 1], centroids[i])) }
        b.append(values.count)
        return b
    }

    /// Uniform Double in [0, 1) from the top 53 bits.
    static func uniform(_ rng: inout SplitMix64) -> Double { Double(rng.next() >> 11) * 0x1p-53 }
}

// MARK: - k-means++ (greedy, as scikit-learn)

extension SortedKMeans {
    /// Greedy k-means++ seeding with D² sampling, returning k sorted distinct centroids (k < M).
    ///
    /// Concretely (scikit-learn's `_kmeans_plusplus`): the first centre is a uniformly drawn input value; each
    /// further centre is the best of `2 + ⌊ln k⌋` candidates, each drawn with probability ∝ w·D² (D = distance
    /// to the nearest chosen centre), the best being the one that minimises the total Σ w·D² after adding it.
    /// Adding a centre only changes the two clusters it falls between, so a candidate costs O(k + log M).
    func plusPlus(k: Int, count n: Int, rng: inout SplitMix64, sortedInput: [Float]) -> [Float] {
        precondition(k >= 1 && k < values.count, "k-means++ needs 1 ≤ k < distinct values")
        var centres = [sortedInput[Swift.min(n - 1, Int(Self.uniform(&rng) * Double(n)))]]
        var bounds = [0, values.count]
        var costs = [cost(0, values.count, about: centres[0])]
        let trials = 2 + Int(log(Double(k)))
        while centres.count < k {
            let total = costs.reduce(0, +)
            guard total > 0 else { break }   // every value is a centre; cannot happen for k < M
            var best: Insertion?
            for _ in 0..<trials {
                guard let x = sample(Self.uniform(&rng) * total, centres: centres, bounds: bounds, costs: costs),
                      let candidate = insertion(of: x, centres: centres, bounds: bounds, costs: costs)
                else { continue }
                if best.map({ candidate.delta < $0.delta }) ?? true { best = candidate }
            }
            guard let chosen = best else { break }
            centres.replaceSubrange(chosen.cells, with: chosen.centres)
            bounds.replaceSubrange((chosen.cells.lowerBound + 1)..<(chosen.cells.upperBound + 1), with: chosen.interior)
            costs.replaceSubrange(chosen.cells, with: chosen.costs)
        }
        return centres
    }

    /// A candidate centre's effect: cells `cells` are replaced by `centres` (the neighbours and the new
    /// centre), with `interior` boundaries between them and these `costs`; `delta` is the change of total cost.
    private struct Insertion {
        var cells: ClosedRange<Int>, centres: [Float], interior: [Int], costs: [Double], delta: Double
    }

    /// The value j whose cumulative w·D² first exceeds `r` (cells in order, then within the cell).
    private func sample(_ r: Double, centres: [Float], bounds: [Int], costs: [Double]) -> Float? {
        var cell = 0, acc = 0.0
        while cell < costs.count - 1 && acc + costs[cell] <= r { acc += costs[cell]; cell += 1 }
        let target = r - acc, a = bounds[cell]
        var lo = a, hi = bounds[cell + 1] - 1   // smallest j with cost(a, j+1) > target
        guard lo <= hi else { return nil }
        while lo < hi {
            let m = (lo + hi) / 2
            if cost(a, m + 1, about: centres[cell]) > target { hi = m } else { lo = m + 1 }
        }
        return values[lo]
    }

    /// What adding centre x would do; nil when x already is a centre.
    private func insertion(of x: Float, centres: [Float], bounds: [Int], costs: [Double]) -> Insertion? {
        var p = 0
        while p < centres.count && centres[p] < x { p += 1 }
        if p < centres.count && centres[p] == x { return nil }
        let cells = Swift.max(p - 1, 0)...Swift.min(p, centres.count - 1)
        var local = Array(centres[cells])
        local.insert(x, at: p - cells.lowerBound)
        let start = bounds[cells.lowerBound], end = bounds[cells.upperBound + 1]
        var edges = [start]
        for t in 1..<local.count { edges.append(boundary(local[t - 1], local[t], in: edges[t - 1], end)) }
        edges.append(end)
        let newCosts = (0..<local.count).map { cost(edges[$0], edges[$0 + 1], about: local[$0]) }
        let delta = newCosts.reduce(0, +) - costs[cells].reduce(0, +)
        return Insertion(cells: cells, centres: local, interior: Array(edges[1..<(edges.count - 1)]),
                         costs: newCosts, delta: delta)
    }
}

// MARK: - Lloyd

extension SortedKMeans {
    /// Lloyd iterations from sorted `centroids`; returns the final centroids, their boundaries, the number of
    /// update steps run and whether the assignment stopped changing.
    ///
    /// Concretely, starting from b⁰ = boundaries(c⁰), iteration t sets cᵗ = mean of each cluster of bᵗ⁻¹ (an
    /// empty cluster keeps its centroid), bᵗ = boundaries(cᵗ), and stops when bᵗ = bᵗ⁻¹. The returned
    /// boundaries are always the nearest-centroid assignment of the returned centroids; the centroids are
    /// the exact means of that assignment when `converged`.
    func lloyd(_ centroids: [Float], maxIterations: Int) -> (centroids: [Float], bounds: [Int], iterations: Int, converged: Bool) {
        var c = centroids, b = boundaries(c), iteration = 0
        while iteration < maxIterations {
            iteration += 1
            for i in c.indices where b[i] < b[i + 1] { c[i] = Float(mean(b[i], b[i + 1])) }
            let next = boundaries(c)
            if next == b { return (c, b, iteration, true) }
            b = next
        }
        return (c, b, iteration, false)
    }
}
