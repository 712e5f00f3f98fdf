/// Finite-difference gradient checks in Double (micrograd's idea, in higher precision as swift-numerics'
/// `relativeError(Float, Double)`): the analytic gradient a kernel computes in Float against central
/// differences of a scalar loss evaluated by a Double re-implementation of the forward.
public enum GradientCheck {
    /// ∂f/∂p_i ≈ (f(p + h·e_i) − f(p − h·e_i)) / 2h for every i: the central difference, error O(h²·f‴).
    ///
    /// With h = 1e-5 in Double the truncation error of a smooth loss is ~1e-10 and the rounding error
    /// ~1e-16·|f|/h ≈ 1e-11·|f|, far below the Float rounding of the kernel under test. Across a kink (ReLU,
    /// clamps) the difference is wrong, so test points must sit farther than h from every kink.
    public static func numericGradient(at p: [Double], h: Double = 1e-5, _ f: ([Double]) -> Double) -> [Double] {
        var q = p
        return (0..<p.count).map { i in
            q[i] = p[i] + h
            let plus = f(q)
            q[i] = p[i] - h
            let minus = f(q)
            q[i] = p[i]
            return (plus - minus) / (2 * h)
        }
    }

    /// The loss the checks differentiate: L = Σ_i y_i · r_i for a fixed random tensor r, so that ∂L/∂y = r.
    public static func dot(_ y: [Double], _ r: [Float]) -> Double {
        precondition(y.count == r.count, "loss weights: \(r.count) for \(y.count) outputs")
        var s = 0.0
        for i in 0..<y.count { s += y[i] * Double(r[i]) }
        return s
    }
}

/// An analytic gradient against a numeric one under max_i |a_i − n_i| ≤ tolerance · max(max_i |n_i|, floor):
/// the error relative to the gradient's largest magnitude (a per-element relative error would fail on the
/// entries that are zero up to rounding). Reports the worst element.
public struct GradientComparison: CustomStringConvertible {
    public let passes: Bool
    public let relativeError: Double
    public let worstIndex: Int
    public let worstAnalytic: Double
    public let worstNumeric: Double
    public let scale: Double

    public init<A: Collection, N: Collection>(_ analytic: A, _ numeric: N, tolerance: Double = 1e-4, floor: Double = 1e-6)
    where A.Element: BinaryFloatingPoint, N.Element: BinaryFloatingPoint {
        let a = analytic.map(Double.init), n = numeric.map(Double.init)
        let scale = Swift.max(n.map { Swift.abs($0) }.max() ?? 0, floor)
        var worst = 0, maxDiff = a.count == n.count ? 0.0 : .infinity
        for i in 0..<Swift.min(a.count, n.count) {
            let d = Swift.abs(a[i] - n[i])
            if d.isNaN || d > maxDiff { maxDiff = d.isNaN ? .infinity : d; worst = i }
        }
        relativeError = maxDiff / scale
        passes = relativeError <= tolerance
        worstIndex = worst
        worstAnalytic = worst < a.count ? a[worst] : .nan
        worstNumeric = worst < n.count ? n[worst] : .nan
        self.scale = scale
    }

    public var description: String {
        "\(passes ? "ok" : "MISMATCH"): relative error \(relativeError) (scale \(scale)); worst [\(worstIndex)] analytic \(worstAnalytic) numeric \(worstNumeric)"
    }
}
