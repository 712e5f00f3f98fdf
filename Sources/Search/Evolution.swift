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

/// The architecture moves of OFA's `EvolutionFinder` over kernel, expand, depth and resolution, plus our
/// adaptation genes — the TinyTL method and, for the lite-residual methods, a branch on/off per block — drawing
/// from one seeded generator so a search replays identically.
public struct ArchitectureSampler: Sendable {
    public let space: SearchSpace
    /// Resolutions the search may pick (`--resolutions`).
    public let resolutions: [Int]
    /// Methods the search may pick (empty: configs carry no adaptation genes).
    public let methods: [TransferMethod]
    public var rng: SplitMix64

    public init(space: SearchSpace, resolutions: [Int], methods: [TransferMethod] = [], seed: UInt64) {
        precondition(!resolutions.isEmpty)
        self.space = space; self.resolutions = resolutions; self.methods = methods; rng = SplitMix64(seed: seed)
    }

    /// A uniform draw: each block's kernel and expand, each stage's depth, the resolution; then the method and
    /// each block's lite residual flag (a fair coin).
    public mutating func random() -> ArchConfig {
        let ks = space.slots.map { $0.kernelChoices.randomElement(using: &rng)! }
        let e = space.slots.map { _ in space.expandChoices.randomElement(using: &rng)! }
        let d = space.stages.map { $0.depthChoices.randomElement(using: &rng)! }
        var config = ArchConfig(ks: ks, e: e, d: d, r: resolutions.randomElement(using: &rng)!)
        if !methods.isEmpty {
            config.method = methods.randomElement(using: &rng)!
            config.liteResidual = randomPlacement()
        }
        return config.canonical(in: space)
    }

    /// `mutate_sample`: the resolution, then each block's (kernel, expand), then each stage's depth, each resampled
    /// with probability `p`; then the method and each block's lite residual flag, each with probability `p`.
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
        if !methods.isEmpty {
            if Double.random(in: 0..<1, using: &rng) < p { child.method = methods.randomElement(using: &rng)! }
            // A parent without branches passes on a fresh random placement (used if the method now inserts them).
            var placement = parent.liteResidual ?? randomPlacement()
            for j in placement.indices where Double.random(in: 0..<1, using: &rng) < p { placement[j].toggle() }
            child.liteResidual = placement
        }
        return child.canonical(in: space)
    }

    /// `crossover_sample`: every gene from one parent or the other with equal probability (a block's lite residual
    /// flag from a parent that has a placement, else from the other).
    public mutating func crossover(_ a: ArchConfig, _ b: ArchConfig) -> ArchConfig {
        func pick(_ x: [Int], _ y: [Int]) -> [Int] { zip(x, y).map { Bool.random(using: &rng) ? $0 : $1 } }
        let ks = pick(a.ks, b.ks), e = pick(a.e, b.e), d = pick(a.d, b.d)
        let r = Bool.random(using: &rng) ? a.r : b.r
        var child = ArchConfig(ks: ks, e: e, d: d, r: r)
        if !methods.isEmpty {
            child.method = Bool.random(using: &rng) ? a.method : b.method
            let x = a.liteResidual ?? b.liteResidual, y = b.liteResidual ?? a.liteResidual
            if let x, let y { child.liteResidual = zip(x, y).map { Bool.random(using: &rng) ? $0 : $1 } }
        }
        return child.canonical(in: space)
    }

    /// One fair coin per block position.
    mutating func randomPlacement() -> [Bool] { space.slots.map { _ in Bool.random(using: &rng) } }

    /// A uniform index below `n`.
    public mutating func index(below n: Int) -> Int { Int.random(in: 0..<n, using: &rng) }
}

extension ArchConfig {
    /// The same subnet and adaptation with the genes of inactive blocks (beyond their stage's depth) set to the
    /// smallest choice and no lite residual, so equal trainings have equal configs and hashes. A method without
    /// lite residuals carries no placement, one with them an explicit one (nil: every active block); a
    /// lite-residual method with a placement but no branch on an active block becomes the method it then equals
    /// (`TransferMethod.withoutLiteResidual`).
    public func canonical(in space: SearchSpace) -> ArchConfig {
        var c = self
        let active = Set(activeSlots(in: space))
        for j in space.slots.indices where !active.contains(j) {
            c.ks[j] = space.slots[j].kernelChoices.first!
            c.e[j] = space.expandChoices.first!
            c.liteResidual?[j] = false
        }
        if let method = c.method {
            if !method.insertsLiteResidual {
                c.liteResidual = nil
            } else if c.liteResidual == nil {
                c.liteResidual = space.slots.indices.map { active.contains($0) }
            } else if let placement = c.liteResidual, !placement.contains(true) {
                c.method = method.withoutLiteResidual
                c.liteResidual = nil
            }
        }
        return c
    }

    /// A short stable identity of the canonical config: the first 16 hex digits of its JSON's SHA-256.
    public func hash(in space: SearchSpace) -> String {
        String(SHA256.hex(of: Data(canonical(in: space).json.utf8)).prefix(16))
    }
}
