import Foundation

/// The Wilson score interval of a proportion (Wilson 1927; `scipy.stats.binomtest(k, n).proportion_ci(method="wilson")`):
/// where the true accuracy plausibly lies given `hits` of `count` images. Unlike the normal approximation it stays
/// within 0...1 and is sensible at 0 % and 100 %.
public struct WilsonInterval: Equatable, Sendable {
    public let lower: Double, upper: Double
    /// The images it was computed from.
    public let count: Int

    /// The 95 % interval (z = 1.959963984540054) of `hits` successes in `count` trials.
    public init(hits: Int, count: Int, z: Double = 1.959963984540054) {
        precondition(count > 0 && (0...count).contains(hits), "need 0 ≤ hits ≤ count, count > 0")
        let n = Double(count), p = Double(hits) / n, z2 = z * z
        let center = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z / (1 + z2 / n) * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        lower = max(0, center - half); upper = min(1, center + half); self.count = count
    }

    /// The interval of an accuracy given as a fraction of `count` images (rounded to whole images).
    public init(accuracy: Double, count: Int) {
        self.init(hits: Int((accuracy * Double(count)).rounded()), count: count)
    }

    /// "95 % CI 89.9–94.9 %, 429 images".
    public var description: String {
        String(format: "95%% CI %.1f–%.1f%%, %d images", 100 * lower, 100 * upper, count)
    }
}
