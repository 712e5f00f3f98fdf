import Foundation

/// One axis of a chart: a value range, its ticks and how values map to a pixel span (linear or log2).
struct PlotAxis {
    let lower: Double, upper: Double
    let ticks: [Double]
    let logarithmic: Bool
    let label: String
    let format: (Double) -> String

    /// A linear axis covering `values` with "nice" ticks (1, 2, 2.5, 5 × 10^k steps, about `count` of them).
    static func linear(covering values: [Double], label: String, count: Int = 5, format: @escaping (Double) -> String) -> PlotAxis {
        var lo = values.min() ?? 0, hi = values.max() ?? 1
        if !(lo.isFinite && hi.isFinite) { (lo, hi) = (0, 1) }
        if hi - lo < 1e-12 { let pad = max(abs(hi) * 0.05, 1e-3); (lo, hi) = (lo - pad, hi + pad) }
        let step = niceStep((hi - lo) / Double(count))
        let lower = (lo / step).rounded(.down) * step, upper = (hi / step).rounded(.up) * step
        let ticks = stride(from: lower, through: upper + step * 1e-9, by: step).map { ($0 / step).rounded() * step }
        return PlotAxis(lower: lower, upper: upper, ticks: ticks, logarithmic: false, label: label, format: format)
    }

    /// A log2 axis covering `values` (all positive), ticked at `ticks`.
    static func log2(covering values: [Double], ticks: [Double], label: String, format: @escaping (Double) -> String) -> PlotAxis {
        let lo = values.min() ?? 1, hi = values.max() ?? 2
        let pad = hi / lo < 1.0001 ? 2.0 : pow(hi / lo, 0.08)
        return PlotAxis(lower: lo / pad, upper: hi * pad, ticks: ticks, logarithmic: true, label: label, format: format)
    }

    /// The step 1, 2, 2.5 or 5 × 10^k nearest above `raw`.
    static func niceStep(_ raw: Double) -> Double {
        let magnitude = pow(10, (Foundation.log10(raw)).rounded(.down))
        let fraction = raw / magnitude
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10
        return nice * magnitude
    }

    /// Where `value` falls between pixel `from` (at `lower`) and `to` (at `upper`).
    func position(_ value: Double, from: Double, to: Double) -> Double {
        let t = logarithmic
            ? (Foundation.log2(value) - Foundation.log2(lower)) / (Foundation.log2(upper) - Foundation.log2(lower))
            : (value - lower) / (upper - lower)
        return from + t * (to - from)
    }
}
