extension HistoryPlots {
    /// Accuracy against budget over several runs: test top-1 of each finished run's winner and the best
    /// validation top-1 of each run, on a log2 budget axis when the budgets span a factor of 4 or more.
    public static func comparison(_ comparison: RunComparison, standalone: Bool = true) -> String {
        let height = 400.0
        let rows = comparison.rows
        let budgets = rows.map { Double($0.budgetBytes) / 1e6 }
        let distinct = Array(Set(budgets)).sorted()
        let accuracies = rows.flatMap { [$0.testTop1, $0.bestValTop1].compactMap { $0.map { $0 * 100 } } }
        let spread = (distinct.last ?? 1) / max(distinct.first ?? 1, 1e-9)
        let x: PlotAxis = spread >= 4
            ? .log2(covering: budgets, ticks: distinct, label: "budget (MB, log scale)", format: tick)
            : .linear(covering: budgets, label: "budget (MB)", format: tick)
        let frame = PlotFrame(x: x, y: .linear(covering: accuracies, label: "top-1 (%)", format: tick),
                              width: width, height: height, marginRight: 150)
        var svg = SVGDocument(width: width, height: height, title: "Accuracy vs budget over \(rows.count) runs")
        frame.draw(into: &svg, title: "Accuracy vs budget")
        func series(_ value: (RunComparison.Row) -> Double?, colour: String, cls: String, name: String) {
            let points = rows.compactMap { r in value(r).map { (Double(r.budgetBytes) / 1e6, $0 * 100, r) } }
            svg.polyline(points.map { (frame.px($0.0), frame.py($0.1)) }, stroke: colour, width: 1.8, cls: cls + "-line")
            for (b, a, r) in points {
                svg.circle(x: frame.px(b), y: frame.py(a), r: 4.5, fill: colour, cls: cls,
                           tooltip: "\(name) \(SVGDocument.number(a))% at \(SVGDocument.number(b)) MB: \(r.directory)")
            }
        }
        series(\.bestValTop1, colour: Palette.memory, cls: "point-val", name: "best validation top-1")
        series(\.testTop1, colour: Palette.accuracy, cls: "point", name: "test top-1")
        let keyX = frame.right + 18, keyY = frame.top + 10
        svg.circle(x: keyX + 5, y: keyY - 4, r: 4.5, fill: Palette.accuracy, cls: "legend-item")
        svg.text("test top-1 (winner)", x: keyX + 16, y: keyY, size: 11, cls: "legend-label")
        svg.circle(x: keyX + 5, y: keyY + 14, r: 4.5, fill: Palette.memory, cls: "legend-item")
        svg.text("best validation top-1", x: keyX + 16, y: keyY + 18, size: 11, cls: "legend-label")
        return svg.rendered(standalone: standalone)
    }
}
