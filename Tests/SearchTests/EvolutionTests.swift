import History
@testable import Search
import Supernets
import XCTest

final class EvolutionTests: XCTestCase {
    let space = SearchSpace.effnetLite0Elastic()

    func testCanonicalIgnoresInactiveGenes() {
        var a = ArchConfig.min(space, resolution: 160), b = a
        let inactive = space.slots.indices.first { !a.activeSlots(in: space).contains($0) }!
        b.ks[inactive] = space.slots[inactive].kernelChoices.last!
        b.e[inactive] = space.expandChoices.last!
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(a.canonical(in: space), b.canonical(in: space))
        XCTAssertEqual(a.hash(in: space), b.hash(in: space))
        a.r = 164
        XCTAssertNotEqual(a.hash(in: space), b.hash(in: space))
    }

    func testSamplerIsSeededAndStaysInTheSpace() throws {
        var s1 = ArchitectureSampler(space: space, resolutions: [128, 160], seed: 7)
        var s2 = ArchitectureSampler(space: space, resolutions: [128, 160], seed: 7)
        for _ in 0..<50 {
            let a = s1.random(), b = s2.random()
            XCTAssertEqual(a, b)
            try a.validate(in: space)
            XCTAssertTrue([128, 160].contains(a.r))
            let m = s1.mutate(a, probability: 0.5)
            XCTAssertEqual(m, s2.mutate(b, probability: 0.5))
            try m.validate(in: space)
            let c = s1.crossover(a, m)
            XCTAssertEqual(c, s2.crossover(b, m))
            for j in space.slots.indices { XCTAssertTrue([a.ks[j], m.ks[j], space.slots[j].kernelChoices.first!].contains(c.ks[j])) }
        }
    }

    func testMutationProbabilityZeroKeepsTheParent() {
        var s = ArchitectureSampler(space: space, resolutions: [128, 160], seed: 1)
        let a = s.random()
        XCTAssertEqual(s.mutate(a, probability: 0), a)
        XCTAssertEqual(s.crossover(a, a), a)
    }

    func testCanonicalAdaptation() {
        let active = Set(ArchConfig.max(space).activeSlots(in: space))
        var a = ArchConfig.max(space, resolution: 160)
        a.method = .bias
        a.liteResidual = space.slots.map { _ in true }
        XCTAssertNil(a.canonical(in: space).liteResidual, "a method without lite residuals carries no placement")
        a.method = .liteResidualBias
        a.liteResidual = nil
        XCTAssertEqual(a.canonical(in: space).liteResidual, space.slots.indices.map { active.contains($0) },
                       "no placement means every active block, written out")
        a.liteResidual = space.slots.map { _ in false }
        XCTAssertEqual(a.canonical(in: space).method, .bias, "lite-residual+bias without a branch is bias")
        a.method = .liteResidual
        XCTAssertEqual(a.canonical(in: space).method, .last, "lite-residual without a branch is last")
        var b = ArchConfig.min(space, resolution: 160)
        b.method = .liteResidual
        b.liteResidual = space.slots.map { _ in true }
        let inactive = space.slots.indices.filter { !b.activeSlots(in: space).contains($0) }
        XCTAssertFalse(inactive.isEmpty)
        XCTAssertTrue(inactive.allSatisfy { b.canonical(in: space).liteResidual![$0] == false }, "inactive blocks get no branch")
        XCTAssertNotEqual(b.canonical(in: space).hash(in: space), ArchConfig.min(space, resolution: 160).hash(in: space))
    }

    func testSamplerDrawsAdaptationGenesFromItsMethods() throws {
        let methods: [TransferMethod] = [.bias, .liteResidualBias]
        var s1 = ArchitectureSampler(space: space, resolutions: [128], methods: methods, seed: 11)
        var s2 = ArchitectureSampler(space: space, resolutions: [128], methods: methods, seed: 11)
        var seen = Set<TransferMethod>(), placements = Set<[Bool]>()
        for _ in 0..<60 {
            let a = s1.random(), m = s1.mutate(a, probability: 0.3), c = s1.crossover(a, m)
            XCTAssertEqual([a, m, c], [s2.random(), s2.mutate(a, probability: 0.3), s2.crossover(a, m)])
            for x in [a, m, c] {
                try x.validate(in: space)
                XCTAssertEqual(x, x.canonical(in: space))
                let method = try XCTUnwrap(x.method)
                XCTAssertTrue(methods.contains(method))
                XCTAssertEqual(x.liteResidual != nil, method.insertsLiteResidual)
                seen.insert(method)
                if let p = x.liteResidual { placements.insert(p) }
            }
        }
        XCTAssertEqual(seen, Set(methods))
        XCTAssertGreaterThan(placements.count, 10, "placements vary")
    }

    func testHistoryNamesTheMethodGeneLikeTheMethods() {
        XCTAssertEqual(Architecture.methodOrder, TransferMethod.allCases.map(\.name))
    }

    func testOFADefaults() {
        let e = EvolutionSettings(population: 100, generations: 500)
        XCTAssertEqual(e.parentCount, 25)
        XCTAssertEqual(e.mutationCount, 50)
        XCTAssertEqual(e.mutationProbability, 0.1)
    }
}

/// Parent selection keeps each method's best when the population holds several methods.
final class ParentSelectionTests: XCTestCase {
    func testEachMethodKeepsItsBest() {
        let space = SearchSpace.effnetLite0Elastic()
        func member(_ id: Int, _ method: TransferMethod, _ top1: Double) -> Member {
            var config = ArchConfig.max(space, resolution: 128 + 16 * (id % 4))
            config.method = method
            let record = CandidateRecord(id: id, archJSON: config.json, archHash: "\(id)", generation: 0, origin: .random, parents: [],
                                         resolution: config.r, plannedBytes: 1, plannedActivationBytes: 1, ledgerJSON: "{}",
                                         formulaBytes: 1, mflops: 1, parameters: 1, status: .evaluated, valTop1: top1, startedAt: 0)
            return Member(record: record, config: config)
        }
        // `last` scores highest with shared weights; lite-residual+bias must still keep a parent.
        let population = (1...6).map { member($0, .last, 0.7 + 0.01 * Double($0)) } + [member(7, .liteResidualBias, 0.5),
                                                                                         member(8, .liteResidualBias, 0.55)]
        let parents = EvolutionFinder<Member>.parents(of: population, count: 4) { $0.config.method }
        XCTAssertEqual(parents.map(\.record.id), [6, 5, 8, 7])
        let single = EvolutionFinder<Member>.parents(of: Array(population.prefix(6)), count: 2) { $0.config.method }
        XCTAssertEqual(single.map(\.record.id), [6, 5], "one method: the best, as OFA")
    }
}
