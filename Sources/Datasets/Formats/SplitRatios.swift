import Foundation
import Tensors

/// Fractions of each class that go to train, valid and test when a dataset has no split of its own
/// (a flat class-folder root, or a CSV manifest without a `split` column).
///
/// Concretely: for a class of `n` samples, `valid = round(n·valid)` and `test = round(n·test)` (half away
/// from zero), lowered if needed so that `valid + test ≤ n` (test first); train takes the remaining
/// `n − valid − test`. So valid and test never take more than their rounded share, a class of one sample
/// lands in train unless valid or test is 0.5 or more, and ratios that sum to less than 1 still use every
/// sample (the rest is train). Each class is split on its own (stratified), from a seeded shuffle: see ``stratifiedSplit(_:seed:)``.
public struct SplitRatios: Sendable, Equatable, CustomStringConvertible {
    public var train: Double
    public var valid: Double
    public var test: Double

    /// The default for unsplit datasets: 80 % train, 10 % valid, 10 % test.
    public static let `default` = SplitRatios(unchecked: 0.8, 0.1, 0.1)

    /// Ratios as given; each in 0…1 with a sum of at most 1 (+1e-6), else ``DatasetError/invalid(_:)``.
    public init(train: Double, valid: Double, test: Double) throws(DatasetError) {
        let all = [train, valid, test]
        guard all.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1 }), all.reduce(0, +) <= 1 + 1e-6 else {
            throw .invalid("split ratios \(train),\(valid),\(test) must each be in 0…1 and sum to at most 1 — e.g. --split-ratios 0.8,0.1,0.1")
        }
        self.train = train
        self.valid = valid
        self.test = test
    }

    private init(unchecked train: Double, _ valid: Double, _ test: Double) {
        self.train = train
        self.valid = valid
        self.test = test
    }

    /// Parses `"train,valid,test"` (e.g. `0.8,0.1,0.1`) or `"train,test"` (valid 0).
    public init(parsing text: String) throws(DatasetError) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ $0 != nil }) else {
            throw .invalid("cannot read split '\(text)' — give train,valid,test ratios such as 0.8,0.1,0.1")
        }
        let r = parts.compactMap { $0 }
        if r.count == 2 { try self.init(train: r[0], valid: 0, test: r[1]) } else { try self.init(train: r[0], valid: r[1], test: r[2]) }
    }

    public var description: String { "\(train),\(valid),\(test)" }

    /// How many of `n` samples go to (train, valid, test), by the rounding rule above.
    public func counts(of n: Int) -> (train: Int, valid: Int, test: Int) {
        var test = Int((Double(n) * self.test).rounded(.toNearestOrAwayFromZero))
        var valid = Int((Double(n) * self.valid).rounded(.toNearestOrAwayFromZero))
        test = min(test, n)
        valid = min(valid, n - test)
        return (n - valid - test, valid, test)
    }

    /// Splits `samples` class by class.
    ///
    /// Concretely: the samples of class `c` (in their given order) are shuffled by Fisher–Yates driven by
    /// `SplitMix64(seed: seed ^ (c + 1)·0x9E3779B97F4A7C15)`, so a class's split does not depend on the other
    /// classes; the first `test` shuffled samples go to test, the next `valid` to valid, the rest to train
    /// (see ``counts(of:)``). Each split then lists its samples in the original order. A split with ratio 0
    /// is left out of the result, and so is one that ends up empty.
    /// - Complexity: O(n).
    public func stratifiedSplit(_ samples: [Sample], seed: UInt64) -> [Split: [Sample]] {
        var byClass: [Int: [Int]] = [:]
        for (i, s) in samples.enumerated() { byClass[s.label, default: []].append(i) }
        var assignment = [Split](repeating: .train, count: samples.count)
        for (label, indices) in byClass {
            var order = indices
            var rng = SplitMix64(seed: seed ^ (UInt64(bitPattern: Int64(label)) &+ 1) &* 0x9E37_79B9_7F4A_7C15)
            fisherYates(&order, &rng)
            let c = counts(of: order.count)
            for (k, i) in order.enumerated() {
                assignment[i] = k < c.test ? .test : (k < c.test + c.valid ? .valid : .train)
            }
        }
        var result: [Split: [Sample]] = [:]
        for (i, s) in samples.enumerated() { result[assignment[i], default: []].append(s) }
        return result
    }
}

/// Fisher–Yates with `next() % (i + 1)`, written out so the order never depends on the standard
/// library's shuffle algorithm (which may change between Swift releases).
func fisherYates<T>(_ a: inout [T], _ rng: inout SplitMix64) {
    guard a.count > 1 else { return }
    for i in stride(from: a.count - 1, to: 0, by: -1) {
        let j = Int(rng.next() % UInt64(i + 1))
        if i != j { a.swapAt(i, j) }
    }
}

extension Array {
    /// `k` distinct elements chosen by a seeded partial Fisher–Yates (SplitMix64), returned in their original
    /// order; all of them when `k ≥ count`.
    public func seededSample(_ k: Int, seed: UInt64) -> [Element] {
        guard k < count else { return self }
        var order = Array<Int>(indices)
        var rng = SplitMix64(seed: seed)
        for i in 0..<Swift.max(k, 0) {
            let j = i + Int(rng.next() % UInt64(count - i))
            order.swapAt(i, j)
        }
        return order[0..<Swift.max(k, 0)].sorted().map { self[$0] }
    }
}
