extension HistoryPlots {
    /// Gene importance as paired horizontal bars: the share of accuracy variance and of memory variance
    /// (bias-adjusted ε², ``GeneImportance``) for the `limit` genes with the largest of the two.
    public static func importance(_ importance: GeneImportance, limit: Int = 16, standalone: Bool = true) -> String {
        let shown = importance.entries
            .filter { $0.accuracyShare != nil || $0.memoryShare != nil }
            .sorted { (max($0.accuracyShare ?? 0, $0.memoryShare ?? 0), $1.gene) > (max($1.accuracyShare ?? 0, $1.memoryShare ?? 0), $0.gene) }
            .prefix(limit)
        let rowHeight = 26.0, top = 52.0
        let height = top + Double(max(shown.count, 1)) * rowHeight + 56
        let left = 190.0, right = width - 24
        let axis = PlotAxis.linear(
            covering: [0] + shown.flatMap { [($0.accuracyShare ?? 0) * 100, ($0.memoryShare ?? 0) * 100] },
            label: "share of variance explained, bias-adjusted ε² (%)", format: tick)
        func px(_ percent: Double) -> Double { axis.position(percent, from: left, to: right) }
        var svg = SVGDocument(width: width, height: height, title: "Gene importance for accuracy and memory")
        svg.text("Gene importance", x: 16, y: 22, size: 14, bold: true, cls: "title")
        svg.rect(x: left, y: 32, width: 12, height: 12, fill: Palette.accuracy, cls: "legend-item")
        svg.text("validation accuracy (\(importance.evaluatedCandidates) evaluated)", x: left + 18, y: 42, size: 11, cls: "legend-label")
        svg.rect(x: left + 300, y: 32, width: 12, height: 12, fill: Palette.memory, cls: "legend-item")
        svg.text("memory (all candidates)", x: left + 318, y: 42, size: 11, cls: "legend-label")
        let bottom = top + Double(shown.count) * rowHeight
        for t in axis.ticks {
            svg.line(x1: px(t), y1: top, x2: px(t), y2: bottom, stroke: "#e5e5e5", cls: "grid")
            svg.text(axis.format(t), x: px(t), y: bottom + 15, anchor: .middle, size: 11, fill: "#555555", cls: "tick")
        }
        svg.text(axis.label, x: (left + right) / 2, y: bottom + 36, anchor: .middle, cls: "axis-label")
        for (i, entry) in shown.enumerated() {
            let y = top + Double(i) * rowHeight
            svg.text(entry.name, x: left - 8, y: y + rowHeight / 2 + 4, anchor: .end, size: 11, cls: "gene-label")
            let accuracy = (entry.accuracyShare ?? 0) * 100, memory = (entry.memoryShare ?? 0) * 100
            svg.rect(x: px(0), y: y + 3, width: px(accuracy) - px(0), height: 9, fill: Palette.accuracy, cls: "bar-accuracy",
                     tooltip: "\(entry.name): accuracy \(entry.accuracyShare.map { SVGDocument.number($0 * 100) + "%" } ?? "n/a")")
            svg.rect(x: px(0), y: y + 13, width: px(memory) - px(0), height: 9, fill: Palette.memory, cls: "bar-memory",
                     tooltip: "\(entry.name): memory \(entry.memoryShare.map { SVGDocument.number($0 * 100) + "%" } ?? "n/a")")
        }
        svg.line(x1: px(0), y1: top, x2: px(0), y2: bottom, stroke: "#888888", cls: "axis")
        return svg.rendered(standalone: standalone)
    }
}
