extension HistoryPlots {
    /// The winner's training memory as horizontal bars: the planner's ledger stacked by category (largest
    /// first) against the measured process peak growth, with the budget line; a legend gives each category's MB.
    public static func ledger(_ result: SearchResult, standalone: Bool = true) -> String {
        let categories = result.ledger.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        let columns = 2, rowHeight = 18.0
        let legendRows = (categories.count + columns - 1) / columns
        let height = 190 + Double(legendRows) * rowHeight
        let left = 150.0, right = width - 24
        let planned = categories.reduce(0) { $0 + $1.value }
        let axis = PlotAxis.linear(
            covering: [0, Double(max(planned, result.plannedBytes, result.measuredBytes ?? 0, result.budgetBytes)) / 1e6],
            label: "MB (10^6 bytes)", format: tick)
        func px(_ megabytes: Double) -> Double { axis.position(megabytes, from: left, to: right) }
        var svg = SVGDocument(width: width, height: height, title: "Memory ledger of the winner: planned vs measured")
        svg.text("Memory of the winner's training: plan vs measured", x: left, y: 22, size: 14, bold: true, cls: "title")
        let planY = 48.0, measuredY = 92.0, barHeight = 30.0, axisY = 134.0
        for t in axis.ticks {
            svg.line(x1: px(t), y1: planY - 6, x2: px(t), y2: axisY, stroke: "#e5e5e5", cls: "grid")
            svg.text(axis.format(t), x: px(t), y: axisY + 15, anchor: .middle, size: 11, fill: "#555555", cls: "tick")
        }
        svg.text(axis.label, x: (left + right) / 2, y: axisY + 33, anchor: .middle, cls: "axis-label")
        svg.text("planned", x: left - 8, y: planY + barHeight / 2 - 3, anchor: .end, cls: "row-label")
        svg.text(HistoryFormat.megabytes(result.plannedBytes), x: left - 8, y: planY + barHeight / 2 + 11, anchor: .end, size: 11,
                 cls: "value")
        svg.text("measured", x: left - 8, y: measuredY + barHeight / 2 - 3, anchor: .end, cls: "row-label")
        svg.text(result.measuredBytes.map(HistoryFormat.megabytes) ?? "not measured", x: left - 8, y: measuredY + barHeight / 2 + 11,
                 anchor: .end, size: 11, cls: "value")
        var x = 0.0
        for (i, (name, bytes)) in categories.enumerated() {
            let mb = Double(bytes) / 1e6
            svg.rect(x: px(x), y: planY, width: px(x + mb) - px(x), height: barHeight, fill: Palette.category(i), cls: "segment",
                     tooltip: "\(name): \(HistoryFormat.megabytes(bytes))")
            x += max(0, mb)
        }
        if let measured = result.measuredBytes {
            svg.rect(x: px(0), y: measuredY, width: px(Double(measured) / 1e6) - px(0), height: barHeight, fill: "#555555",
                     cls: "measured", tooltip: "measured peak growth: \(HistoryFormat.megabytes(measured))")
        }
        let budget = px(Double(result.budgetBytes) / 1e6)
        svg.line(x1: budget, y1: planY - 10, x2: budget, y2: measuredY + barHeight + 6, stroke: Palette.budget, width: 1.5,
                 dash: "6 4", cls: "budget")
        // Centred over the line, or ending at it when the line is near the right edge (a budget at the axis end).
        let label = "budget \(HistoryFormat.megabytes(result.budgetBytes))"
        svg.text(label, x: budget, y: planY - 13, anchor: budget > right - Double(label.count) * 3.5 ? .end : .middle, size: 11,
                 fill: Palette.budget, cls: "budget-label")
        let columnWidth = (right - 24) / Double(columns)
        for (i, (name, bytes)) in categories.enumerated() {
            let cx = 24 + Double(i % columns) * columnWidth, cy = 190 + Double(i / columns) * rowHeight
            svg.rect(x: cx, y: cy - 10, width: 12, height: 12, fill: Palette.category(i), cls: "legend-item")
            svg.text("\(name): \(HistoryFormat.megabytes(bytes))", x: cx + 18, y: cy, size: 11, cls: "legend-label")
        }
        return svg.rendered(standalone: standalone)
    }
}
