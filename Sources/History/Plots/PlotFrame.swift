/// The plotting area of a two-axis chart: draws the title, grid, ticks and axis labels, and maps data to pixels.
struct PlotFrame {
    let x: PlotAxis, y: PlotAxis
    /// The plot area in pixels.
    let left: Double, top: Double, right: Double, bottom: Double

    init(x: PlotAxis, y: PlotAxis, width: Double, height: Double, marginRight: Double = 24) {
        self.x = x
        self.y = y
        left = 66
        top = 40
        right = width - marginRight
        bottom = height - 50
    }

    func px(_ v: Double) -> Double { x.position(v, from: left, to: right) }
    func py(_ v: Double) -> Double { y.position(v, from: bottom, to: top) }

    /// Title, grid lines, tick labels and axis labels.
    func draw(into svg: inout SVGDocument, title: String) {
        svg.text(title, x: left, y: 22, size: 14, bold: true, cls: "title")
        for t in y.ticks {
            svg.line(x1: left, y1: py(t), x2: right, y2: py(t), stroke: "#e5e5e5", cls: "grid")
            svg.text(y.format(t), x: left - 6, y: py(t) + 4, anchor: .end, size: 11, fill: "#555555", cls: "tick")
        }
        for t in x.ticks {
            svg.line(x1: px(t), y1: top, x2: px(t), y2: bottom, stroke: "#e5e5e5", cls: "grid")
            svg.text(x.format(t), x: px(t), y: bottom + 16, anchor: .middle, size: 11, fill: "#555555", cls: "tick")
        }
        svg.line(x1: left, y1: bottom, x2: right, y2: bottom, stroke: "#888888", cls: "axis")
        svg.line(x1: left, y1: top, x2: left, y2: bottom, stroke: "#888888", cls: "axis")
        svg.text(x.label, x: (left + right) / 2, y: bottom + 38, anchor: .middle, cls: "axis-label")
        svg.text(y.label, x: 16, y: (top + bottom) / 2, anchor: .middle, rotate: -90, cls: "axis-label")
    }
}
