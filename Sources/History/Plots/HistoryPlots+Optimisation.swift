extension HistoryPlots {
    /// Optimisation history: validation accuracy of each evaluated candidate in ask order, coloured by
    /// generation, with the best so far as a step line and the generation boundaries.
    public static func optimisationHistory(_ run: RunSnapshot, standalone: Bool = true) -> String {
        let height = 380.0
        let evaluated = run.evaluated
        let lastID = Double(run.candidates.map(\.id).max() ?? 1)
        let frame = PlotFrame(
            x: .linear(covering: [0, lastID], label: "candidate (ask order)", format: tick),
            y: .linear(covering: evaluated.compactMap { $0.valTop1.map { $0 * 100 } }, label: "shared-weight validation top-1 (%)", format: tick),
            width: width, height: height, marginRight: 110)
        var svg = SVGDocument(width: width, height: height, title: "Optimisation history: \(evaluated.count) evaluated candidates")
        frame.draw(into: &svg, title: "Optimisation history")
        let last = run.candidates.map(\.generation).max() ?? 0

        // A dotted line before the first candidate of each generation after the first.
        var previous: Int?
        for c in run.candidates where c.generation != previous {
            if previous != nil {
                svg.line(x1: frame.px(Double(c.id) - 0.5), y1: frame.top, x2: frame.px(Double(c.id) - 0.5), y2: frame.bottom,
                         stroke: "#bbbbbb", dash: "2 3", cls: "generation-boundary")
            }
            previous = c.generation
        }
        var best: Double?
        var steps: [(Double, Double)] = []
        for c in evaluated {
            guard let top1 = c.valTop1 else { continue }
            svg.circle(x: frame.px(Double(c.id)), y: frame.py(top1 * 100), r: 3.5, fill: Palette.generation(c.generation, last: last),
                       cls: "point", tooltip: "#\(c.id) gen \(c.generation): \(HistoryFormat.percent(top1))")
            if top1 > (best ?? -1) {
                if let b = best { steps.append((frame.px(Double(c.id)), frame.py(b * 100))) }
                best = top1
                steps.append((frame.px(Double(c.id)), frame.py(top1 * 100)))
            }
        }
        if let b = best { steps.append((frame.px(lastID), frame.py(b * 100))) }
        svg.polyline(steps, stroke: Palette.budget, width: 1.8, cls: "best-so-far")
        generationLegend(into: &svg, last: last, x: frame.right + 18, top: frame.top + 4)
        let keyTop = frame.top + 170
        svg.line(x1: frame.right + 18, y1: keyTop - 4, x2: frame.right + 30, y2: keyTop - 4, stroke: Palette.budget, width: 1.8, cls: "key")
        svg.text("best so far", x: frame.right + 34, y: keyTop, size: 11, cls: "key-label")
        return svg.rendered(standalone: standalone)
    }
}
