import Search
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

    func testOFADefaults() {
        let e = EvolutionSettings(population: 100, generations: 500)
        XCTAssertEqual(e.parentCount, 25)
        XCTAssertEqual(e.mutationCount, 50)
        XCTAssertEqual(e.mutationProbability, 0.1)
    }
}
