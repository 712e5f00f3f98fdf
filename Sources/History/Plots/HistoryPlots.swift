/// The history's charts as self-contained SVG text (no scripts, no network); `standalone: false` leaves out
/// the XML declaration, for inlining in HTML.
///
/// Marks carry a `class` a test or a stylesheet can count on: `point` (an evaluated candidate), `rejected`,
/// `front`/`front-point` (Pareto front), `budget`, `winner`, `best-so-far`, `segment`, `bar-accuracy`,
/// `bar-memory`, `legend-item`, `tick`, `title`.
public enum HistoryPlots {
    static let width = 760.0

    /// A tick label: at most two decimals, no trailing zeros.
    static func tick(_ v: Double) -> String { SVGDocument.number(v) }

    /// The colour legend of generations `0...last` in the right margin, at most eight entries.
    static func generationLegend(into svg: inout SVGDocument, last: Int, x: Double, top: Double) {
        svg.text("generation", x: x, y: top, size: 11, bold: true, cls: "legend-title")
        let shown = last < 8 ? Array(0...last) : (0..<8).map { Int((Double($0) * Double(last) / 7).rounded()) }
        for (i, g) in shown.enumerated() {
            let y = top + 16 + Double(i) * 17
            svg.circle(x: x + 5, y: y - 4, r: 5, fill: Palette.generation(g, last: last), cls: "legend-item")
            svg.text("\(g)", x: x + 16, y: y, size: 11, cls: "legend-label")
        }
    }
}
