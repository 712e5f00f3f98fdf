extension HistoryPlots {
    /// Validation accuracy of every evaluated candidate against its budgeted memory (MB) or its MFLOPs,
    /// coloured by generation, with the Pareto front, the winner, rejected candidates along the bottom and
    /// (memory) the budget line.
    public static func accuracy(_ run: RunSnapshot, versus cost: ParetoFront.Cost, standalone: Bool = true) -> String {
        let height = 440.0
        func costValue(_ c: CandidateRecord) -> Double { cost == .memory ? Double(run.budgetedBytes(c)) / 1e6 : c.mflops }
        let evaluated = run.evaluated
        let rejected = run.candidates.filter { $0.status == .rejected }
        let budget = Double(run.run.budgetBytes) / 1e6
        var xs = (evaluated + rejected).map(costValue)
        if cost == .memory { xs.append(budget) }
        let costLabel = cost == .memory ? "\(run.budgetedQuantity) (MB)" : "forward MFLOPs"
        let frame = PlotFrame(
            x: .linear(covering: xs, label: costLabel, format: tick),
            y: .linear(covering: evaluated.compactMap { $0.valTop1.map { $0 * 100 } }, label: "shared-weight validation top-1 (%)", format: tick),
            width: width, height: height, marginRight: 110)
        let title = cost == .memory ? "Accuracy vs memory" : "Accuracy vs MFLOPs"
        var svg = SVGDocument(width: width, height: height, title: "\(title): \(evaluated.count) evaluated candidates")
        frame.draw(into: &svg, title: title)
        let last = run.candidates.map(\.generation).max() ?? 0

        if cost == .memory {
            svg.line(x1: frame.px(budget), y1: frame.top, x2: frame.px(budget), y2: frame.bottom, stroke: Palette.budget,
                     width: 1.5, dash: "6 4", cls: "budget")
            svg.text("budget \(HistoryFormat.megabytes(run.run.budgetBytes))", x: frame.px(budget) - 4, y: frame.top + 12,
                     anchor: .end, size: 11, fill: Palette.budget, cls: "budget-label")
        }
        for c in rejected {
            svg.circle(x: frame.px(costValue(c)), y: frame.bottom - 5, r: 3, fill: "none", stroke: Palette.rejected, cls: "rejected",
                       tooltip: "#\(c.id) gen \(c.generation): rejected, \(HistoryFormat.megabytes(run.budgetedBytes(c)))")
        }
        for c in evaluated {
            guard let top1 = c.valTop1 else { continue }
            svg.circle(x: frame.px(costValue(c)), y: frame.py(top1 * 100), r: 4, fill: Palette.generation(c.generation, last: last),
                       stroke: "white", strokeWidth: 0.5, cls: "point",
                       tooltip: "#\(c.id) gen \(c.generation) \(c.origin.rawValue): \(HistoryFormat.percent(top1)), "
                           + "\(HistoryFormat.megabytes(run.budgetedBytes(c))), \(HistoryFormat.mflops(c.mflops)) MFLOPs")
        }
        let front = ParetoFront(run, cost: cost).points
        var steps: [(Double, Double)] = []
        for (i, p) in front.enumerated() {
            let x = frame.px(cost == .memory ? Double(p.budgetedBytes) / 1e6 : p.mflops), y = frame.py(p.valTop1 * 100)
            if i > 0, let previous = steps.last { steps.append((x, previous.1)) }
            steps.append((x, y))
        }
        if let end = steps.last { steps.append((frame.right, end.1)) }
        svg.polyline(steps, stroke: "#222222", width: 1.2, dash: "3 2", cls: "front")
        for p in front {
            svg.circle(x: frame.px(cost == .memory ? Double(p.budgetedBytes) / 1e6 : p.mflops), y: frame.py(p.valTop1 * 100), r: 6.5,
                       fill: "none", stroke: "#222222", cls: "front-point", tooltip: "Pareto front: #\(p.id)")
        }
        if let result = run.result, let w = run.candidate(result.winner), let top1 = w.valTop1 {
            svg.circle(x: frame.px(costValue(w)), y: frame.py(top1 * 100), r: 9, fill: "none", stroke: Palette.budget,
                       strokeWidth: 2, cls: "winner", tooltip: "winner #\(w.id)")
        }

        generationLegend(into: &svg, last: last, x: frame.right + 18, top: frame.top + 4)
        let keyTop = frame.top + 170
        svg.circle(x: frame.right + 23, y: keyTop - 4, r: 6.5, fill: "none", stroke: "#222222", cls: "key")
        svg.text("Pareto front", x: frame.right + 34, y: keyTop, size: 11, cls: "key-label")
        if !rejected.isEmpty {
            svg.circle(x: frame.right + 23, y: keyTop + 14, r: 3, fill: "none", stroke: Palette.rejected, cls: "key")
            svg.text("rejected", x: frame.right + 34, y: keyTop + 18, size: 11, cls: "key-label")
        }
        if run.result != nil {
            svg.circle(x: frame.right + 23, y: keyTop + 32, r: 8, fill: "none", stroke: Palette.budget, strokeWidth: 2, cls: "key")
            svg.text("winner", x: frame.right + 34, y: keyTop + 36, size: 11, cls: "key-label")
        }
        return svg.rendered(standalone: standalone)
    }
}
