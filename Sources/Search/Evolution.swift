import Foundation
import Supernets
import Tensors

/// OFA's evolutionary search settings (`EvolutionFinder`: population 100, parent ratio 0.25, mutation ratio 0.5,
/// mutation probability 0.1); our defaults for population and generations are smaller because every fitness
/// here is a real validation run, not an accuracy predictor.
public struct EvolutionSettings: Sendable, Equatable, Codable {
    public var population: Int
    public var generations: Int
    /// Fraction of the population kept as parents each generation.
    public var parentRatio: Double = 0.25
    /// Fraction of the children made by mutation; the rest by crossover.
    public var mutationRatio: Double = 0.5
    /// Probability of resampling each gene (resolution, each block's kernel and expand, each stage's depth).
    public var mutationProbability: Double = 0.1
    /// Draws allowed to find a child that fits the budget before giving up on that child.
    public var maxTries: Int = 500

    public init(population: Int, generations: Int) { self.population = population; self.generations = generations }

    public var parentCount: Int { max(1, Int((parentRatio * Double(population)).rounded())) }
    public var mutationCount: Int { Int((mutationRatio * Double(population)).rounded()) }
}

/// The architecture moves of OFA's `EvolutionFinder` over kernel, expand, depth and resolution, drawing from one
/// seeded generator so a search replays identically.
public struct ArchitectureSampler: Sendable {
    public let space: SearchSpace
    /// Resolutions the search may pick (`--resolutions`).
    public let resolutions: [Int]
    public var rng: SplitMix64

    public init(space: SearchSpace, resolutions: [Int], seed: UInt64) {
        precondition(!resolutions.isEmpty)
        self.space = space; self.resolutions = resolutions; rng = SplitMix64(seed: seed)
    }

    /// A uniform draw: each block's kernel and expand, each stage's depth, the resolution.
    public mutating func random() -> ArchConfig {
        let ks = space.slots.map { $0.kernelChoices.randomElement(using: &rng)! }
        let e = space.slots.map { _ in space.expandChoices.randomElement(using: &rng)! }
        let d = space.stages.map { $0.depthChoices.randomElement(using: &rng)! }
        return ArchConfig(ks: ks, e: e, d: d, r: resolutions.randomElement(using: &rng)!).canonical(in: space)
    }

    /// `mutate_sample`: the resolution, then each block's (kernel, expand), then each stage's depth, each resampled
    /// with probability `p`.
    public mutating func mutate(_ parent: ArchConfig, probability p: Double) -> ArchConfig {
        var child = parent
        if Double.random(in: 0..<1, using: &rng) < p { child.r = resolutions.randomElement(using: &rng)! }
        for (j, slot) in space.slots.enumerated() where Double.random(in: 0..<1, using: &rng) < p {
            child.ks[j] = slot.kernelChoices.randomElement(using: &rng)!
            child.e[j] = space.expandChoices.randomElement(using: &rng)!
        }
        for (s, stage) in space.stages.enumerated() where Double.random(in: 0..<1, using: &rng) < p {
            child.d[s] = stage.depthChoices.randomElement(using: &rng)!
        }
        return child.canonical(in: space)
    }

    /// `crossover_sample`: every gene from one parent or the other with equal probability.
    public mutating func crossover(_ a: ArchConfig, _ b: ArchConfig) -> ArchConfig {
        func pick(_ x: [Int], _ y: [Int]) -> [Int] { zip(x, y).map { Bool.random(using: &rng) ? $0 : $1 } }
        let ks = pick(a.ks, b.ks), e = pick(a.e, b.e), d = pick(a.d, b.d)
        let r = Bool.random(using: &rng) ? a.r : b.r
        return ArchConfig(ks: ks, e: e, d: d, r: r).canonical(in: space)
    }

    /// A uniform index below `n`.
    public mutating func index(below n: Int) -> Int { Int.random(in: 0..<n, using: &rng) }
}

extension ArchConfig {
    /// The same subnet with the genes of inactive blocks (beyond their stage's depth) set to the smallest
    /// choice, so equal subnets have equal configs and hashes.
    public func canonical(in space: SearchSpace) -> ArchConfig {
        var c = self
        let active = Set(activeSlots(in: space))
        for j in space.slots.indices where !active.contains(j) {
            c.ks[j] = space.slots[j].kernelChoices.first!
            c.e[j] = space.expandChoices.first!
        }
        return c
    }

    /// A short stable identity of the canonical config: the first 16 hex digits of its JSON's SHA-256.
    public func hash(in space: SearchSpace) -> String {
        String(SHA256.hex(of: Data(canonical(in: space).json.utf8)).prefix(16))
    }
}
