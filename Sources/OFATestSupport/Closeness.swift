/// Element-wise comparison of two float sequences under |a − e| ≤ atol + rtol·|e|, reporting the worst
/// element so a failing test says where and by how much (never a mean or a sum, which hide one bad value).
public struct Closeness: CustomStringConvertible {
    public let passes: Bool
    public let maxAbsDiff: Double
    public let worstIndex: Int
    public let worstActual: Double
    public let worstExpected: Double
    public let count: Int

    /// Compares `actual` with `expected`; a count mismatch or any NaN fails.
    public init<A: Collection, E: Collection>(_ actual: A, _ expected: E, atol: Double, rtol: Double = 0)
    where A.Element: BinaryFloatingPoint, E.Element: BinaryFloatingPoint {
        var passes = actual.count == expected.count
        var maxAbs = 0.0, worstRatio = -1.0, worst = 0, wa = 0.0, we = 0.0
        for (i, (a, e)) in zip(actual, expected).enumerated() {
            let da = Double(a), de = Double(e)
            let diff = Swift.abs(da - de)
            let ratio = diff / (atol + rtol * Swift.abs(de))
            if diff.isNaN || ratio > 1 { passes = false }
            maxAbs = Swift.max(maxAbs, diff.isNaN ? .infinity : diff)
            if diff.isNaN || ratio > worstRatio { worstRatio = diff.isNaN ? .infinity : ratio; worst = i; wa = da; we = de }
        }
        self.passes = passes
        maxAbsDiff = maxAbs; worstIndex = worst; worstActual = wa; worstExpected = we; count = actual.count
    }

    public var description: String {
        "\(passes ? "close" : "NOT close"): maxAbsDiff \(maxAbsDiff); worst [\(worstIndex)] actual \(worstActual) expected \(worstExpected); n=\(count)"
    }
}
