import History
import Testing

/// Wilson intervals against scipy 1.x: `binomtest(k, n).proportion_ci(0.95, method="wilson")`.
struct WilsonIntervalTests {
    @Test(arguments: [
        (398, 429, 0.8992570436500482, 0.9486284638979494),
        (275, 359, 0.7195480701646539, 0.8068526355892791),
        (0, 10, 0.0, 0.27753279986288926),
        (10, 10, 0.7224672001371109, 1.0),
        (1, 2, 0.09453120573423074, 0.9054687942657693),
    ])
    func matchesScipy(_ hits: Int, _ count: Int, _ lower: Double, _ upper: Double) {
        let w = WilsonInterval(hits: hits, count: count)
        #expect(abs(w.lower - lower) < 1e-12 && abs(w.upper - upper) < 1e-12, "\(w)")
    }

    @Test func describesItselfWithItsImageCount() {
        #expect(WilsonInterval(accuracy: 391.0 / 429, count: 429).description == "95% CI 88.1–93.5%, 429 images")
    }
}
