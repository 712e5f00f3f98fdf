import Tensors

extension Array where Element == Sample {
    /// A seeded, stratified validation split of these (training) samples: `fraction` of every class that has two or
    /// more images, at least one of each and never all, goes to `held`; the rest, in order, to `kept`. The search
    /// and `train --holdout` call this with the same seed, so both hold out the same images.
    public func holdingOut(fraction: Double, classes: Int, seed: UInt64) -> (kept: [Sample], held: [Sample]) {
        var byClass = [[Int]](repeating: [], count: classes)
        for (i, s) in enumerated() { byClass[s.label].append(i) }
        var rng = SplitMix64(seed: seed ^ 0x5A11_7000)
        var held = Set<Int>()
        for var members in byClass where members.count >= 2 {
            members.shuffle(using: &rng)
            let k = Swift.max(1, Int((fraction * Double(members.count)).rounded()))
            held.formUnion(members.prefix(Swift.min(k, members.count - 1)))
        }
        let kept = indices.filter { !held.contains($0) }.map { self[$0] }
        return (kept, indices.filter { held.contains($0) }.map { self[$0] })
    }
}
