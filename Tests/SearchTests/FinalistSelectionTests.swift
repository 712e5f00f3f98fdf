import Testing
@testable import Search

/// McNemar's exact test against scipy.stats.binomtest(wins, wins + losses, 0.5, alternative="greater"), and the
/// choice of the winner among trained finalists.
struct FinalistSelectionTests {
    @Test(arguments: [(10, 9, 0.5), (15, 5, 0.020694732666015625), (3, 0, 0.125), (30, 12, 0.003957948667448363),
                      (1, 0, 0.5), (120, 80, 0.002842577998375153), (0, 0, 1.0)])
    func pValueMatchesScipy(_ wins: Int, _ losses: Int, _ expected: Double) {
        let p = PairedComparison(wins: wins, losses: losses).pValue
        #expect(abs(p - expected) <= 1e-12 * max(expected, 1e-300) + 1e-15, "\(wins)/\(losses): \(p) vs \(expected)")
    }

    @Test func pairsImageByImage() {
        #expect(PairedComparison(challenger: "110100", reference: "011100") == PairedComparison(wins: 1, losses: 1))
        #expect(PairedComparison(challenger: "1111", reference: "0001") == PairedComparison(wins: 3, losses: 0))
    }

    static func score(_ id: Int, obvious: Bool, _ hits: String) -> SearchRun.Score {
        SearchRun.Score(candidate: id, obvious: obvious,
                        validationTop1: Double(hits.filter { $0 == "1" }.count) / Double(hits.count), hits: hits)
    }

    /// A leader by one image keeps the obvious choice; a leader by significantly many wins; an obvious leader and
    /// a run without obvious choices take the best on validation; equals keep the shared-weight order.
    @Test func replacesTheObviousChoiceOnlyOnEvidence() throws {
        let obvious = Self.score(2, obvious: true, String(repeating: "10", count: 10))
        let close = Self.score(7, obvious: false, String(repeating: "10", count: 9) + "11")
        let (keep, selection) = SearchRun.select([close, obvious], significance: 0.05)
        #expect(keep == 2)
        let s = try #require(selection)
        #expect(s.leader == 7 && s.reference == 2 && s.wins == 1 && s.losses == 0 && s.pValue == 0.5)
        let clear = Self.score(9, obvious: false, String(repeating: "11", count: 10))
        #expect(SearchRun.select([obvious, close, clear], significance: 0.05).winner == 9)
        #expect(SearchRun.select([close, obvious], significance: 1).winner == 7)
        let obviousBest = Self.score(3, obvious: true, String(repeating: "11", count: 10))
        #expect(SearchRun.select([close, obvious, obviousBest], significance: 0.05).winner == 3)
        let none = SearchRun.select([Self.score(4, obvious: false, "10"), Self.score(5, obvious: false, "11")],
                                    significance: 0.05)
        #expect(none.winner == 5 && none.selection == nil)
        #expect(SearchRun.select([Self.score(6, obvious: false, "10"), Self.score(8, obvious: false, "01")],
                                 significance: 0.05).winner == 6)
    }
}
