/// Colours of the plots: a perceptually ordered ramp for generations (viridis) and distinct colours for categories.
enum Palette {
    /// Viridis at 9 stops, dark blue (early) to yellow (late).
    private static let viridis: [(Double, Double, Double)] = [
        (68, 1, 84), (71, 45, 123), (59, 82, 139), (44, 114, 142), (33, 145, 140),
        (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37),
    ]

    /// The colour of generation `g` of `0...last`, as `#rrggbb`.
    static func generation(_ g: Int, last: Int) -> String {
        let t = last > 0 ? Double(g) / Double(last) : 0
        let scaled = t * Double(viridis.count - 1)
        let i = min(Int(scaled), viridis.count - 2), f = scaled - Double(i)
        let (a, b) = (viridis[i], viridis[i + 1])
        return hex(a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f, a.2 + (b.2 - a.2) * f)
    }

    /// Tableau 10: distinct colours for ledger categories, cycling after ten.
    static func category(_ i: Int) -> String {
        let colours = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]
        return colours[i % colours.count]
    }

    static let accuracy = "#4e79a7"
    static let memory = "#f28e2b"
    static let budget = "#d62728"
    static let rejected = "#999999"

    private static func hex(_ r: Double, _ g: Double, _ b: Double) -> String {
        func byte(_ v: Double) -> String {
            let n = max(0, min(255, Int(v.rounded())))
            return String(n, radix: 16).count == 1 ? "0" + String(n, radix: 16) : String(n, radix: 16)
        }
        return "#" + byte(r) + byte(g) + byte(b)
    }
}
