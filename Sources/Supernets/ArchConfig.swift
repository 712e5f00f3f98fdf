import Foundation
import Tensors

/// One subnet of a supernet: a kernel size and expand ratio per block position, a depth per stage, and
/// the input resolution — and, optionally, how it is adapted: the TinyTL method and which blocks get a lite
/// residual branch.
///
/// Positions follow the reference (`set_active_subnet`): `ks[j]` and `e[j]` configure physical block
/// `blocks.(j+1)` whether or not depth makes it active; `d[s]` keeps the first d blocks of stage s.
/// `liteResidual[j]` says whether block `blocks.(j+1)` gets a branch (the fixed `blocks.0` never does, as in
/// TinyTL); nil means every block, TinyTL's placement. Without a `method` the command's `--method` applies.
public struct ArchConfig: Equatable, Hashable, Sendable {
    public var ks: [Int]
    public var e: [Int]
    public var d: [Int]
    public var r: Int
    /// The TinyTL method (nil: the caller's).
    public var method: TransferMethod?
    /// Per block position, whether a lite-residual method inserts a branch there (nil: every block).
    public var liteResidual: [Bool]?

    public init(ks: [Int], e: [Int], d: [Int], r: Int, method: TransferMethod? = nil, liteResidual: [Bool]? = nil) {
        self.ks = ks; self.e = e; self.d = d; self.r = r; self.method = method; self.liteResidual = liteResidual
    }

    /// Largest kernel, expand and depth everywhere (`set_max_net`), at `resolution` (default: the space's).
    public static func max(_ space: SearchSpace, resolution: Int? = nil) -> ArchConfig {
        ArchConfig(ks: space.slots.map { $0.kernelChoices.last! }, e: space.slots.map { _ in space.expandChoices.last! },
                   d: space.stages.map { $0.depthChoices.last! }, r: resolution ?? space.defaultResolution)
    }

    /// Smallest kernel, expand and depth everywhere, at `resolution` (default: the space's default).
    public static func min(_ space: SearchSpace, resolution: Int? = nil) -> ArchConfig {
        ArchConfig(ks: space.slots.map { $0.kernelChoices.first! }, e: space.slots.map { _ in space.expandChoices.first! },
                   d: space.stages.map { $0.depthChoices.first! }, r: resolution ?? space.defaultResolution)
    }

    /// A uniformly random subnet, reproducible from `seed`: kernels per position, then expands, then
    /// depths, then the resolution.
    public static func random(_ space: SearchSpace, seed: UInt64) -> ArchConfig {
        var rng = SplitMix64(seed: seed)
        let ks = space.slots.map { $0.kernelChoices.randomElement(using: &rng)! }
        let e = space.slots.map { _ in space.expandChoices.randomElement(using: &rng)! }
        let d = space.stages.map { $0.depthChoices.randomElement(using: &rng)! }
        return ArchConfig(ks: ks, e: e, d: d, r: space.resolutions.randomElement(using: &rng)!)
    }

    /// Slot indices that run, in order: the first `d[s]` slots of each stage.
    public func activeSlots(in space: SearchSpace) -> [Int] {
        zip(space.stages, d).flatMap { stage, depth in stage.slots.prefix(Swift.min(depth, stage.slots.count)) }
    }

    /// The subnet's block indices (1-based over active slots; block 0 is the fixed first block) that get a lite
    /// residual branch under `method`: none without lite residuals, all with no placement.
    public func liteResidualBlocks(in space: SearchSpace, method: TransferMethod) -> Set<Int> {
        guard method.insertsLiteResidual else { return [] }
        let active = activeSlots(in: space)
        return Set(active.indices.filter { liteResidual?[active[$0]] ?? true }.map { $0 + 1 })
    }

    /// Checks every entry against `space`, naming the first one outside it.
    /// - Throws: `SupernetError.archLength`, `.archOutOfSpace` or `.resolution`.
    public func validate(in space: SearchSpace, checkResolution: Bool = true) throws {
        let name = space.name
        guard ks.count == space.slots.count else {
            throw SupernetError.archLength(space: name, field: "ks", count: ks.count, expected: space.slots.count, meaning: "one per block position")
        }
        guard e.count == space.slots.count else {
            throw SupernetError.archLength(space: name, field: "e", count: e.count, expected: space.slots.count, meaning: "one per block position")
        }
        guard d.count == space.stages.count else {
            throw SupernetError.archLength(space: name, field: "d", count: d.count, expected: space.stages.count, meaning: "one per stage")
        }
        if let lr = liteResidual, lr.count != space.slots.count {
            throw SupernetError.archLength(space: name, field: "lr", count: lr.count, expected: space.slots.count,
                                           meaning: "one 0 or 1 per block position")
        }
        for (j, slot) in space.slots.enumerated() where !slot.kernelChoices.contains(ks[j]) {
            throw SupernetError.archOutOfSpace(space: name, field: "ks[\(j)]", value: ks[j], allowed: slot.kernelChoices)
        }
        for j in e.indices where !space.expandChoices.contains(e[j]) {
            throw SupernetError.archOutOfSpace(space: name, field: "e[\(j)]", value: e[j], allowed: space.expandChoices)
        }
        for (s, stage) in space.stages.enumerated() where !stage.depthChoices.contains(d[s]) {
            throw SupernetError.archOutOfSpace(space: name, field: "d[\(s)]", value: d[s], allowed: stage.depthChoices)
        }
        if checkResolution && !space.resolutions.contains(r) {
            throw SupernetError.resolution(space: name, value: r, range: space.resolutionRange, step: space.resolutionStep)
        }
    }
}

extension SearchSpace {
    /// "ofa-mbv3 w1.0", for messages.
    public var name: String {
        family == .effnetLite0Elastic ? family.rawValue : "\(family.rawValue) w\(widthMult)"
    }
}
