import Foundation

/// A self-contained SVG image built element by element: no scripts, no external fonts or links; hover
/// text through `<title>` children. Coordinates are user units (CSS pixels at 100%), origin top left.
struct SVGDocument {
    let width: Double, height: Double
    private var elements: [String] = []

    /// - Parameter title: the image's accessible name (an SVG `<title>`).
    init(width: Double, height: Double, title: String) {
        self.width = width
        self.height = height
        elements.append("<title>\(Self.escape(title))</title>")
        elements.append(#"<rect class="background" x="0" y="0" width="\#(Self.number(width))" height="\#(Self.number(height))" fill="white"/>"#)
    }

    /// The SVG text (a standalone document when `standalone`, else an element to inline in HTML).
    func rendered(standalone: Bool = true) -> String {
        let head = standalone ? #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n" : ""
        return head + #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(Self.number(width))" height="\#(Self.number(height))" "#
            + #"viewBox="0 0 \#(Self.number(width)) \#(Self.number(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">"#
            + "\n" + elements.joined(separator: "\n") + "\n</svg>\n"
    }

    mutating func circle(x: Double, y: Double, r: Double, fill: String, stroke: String? = nil, strokeWidth: Double = 1,
                         cls: String, tooltip: String? = nil) {
        let strokeAttributes = stroke.map { #" stroke="\#($0)" stroke-width="\#(Self.number(strokeWidth))""# } ?? ""
        element("circle", #"class="\#(cls)" cx="\#(Self.number(x))" cy="\#(Self.number(y))" r="\#(Self.number(r))" fill="\#(fill)""#
            + strokeAttributes, tooltip)
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1,
                       dash: String? = nil, cls: String) {
        element("line", #"class="\#(cls)" x1="\#(Self.number(x1))" y1="\#(Self.number(y1))" x2="\#(Self.number(x2))" "#
            + #"y2="\#(Self.number(y2))" stroke="\#(stroke)" stroke-width="\#(Self.number(width))""#
            + (dash.map { #" stroke-dasharray="\#($0)""# } ?? ""), nil)
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5, dash: String? = nil, cls: String) {
        guard points.count > 1 else { return }
        let list = points.map { "\(Self.number($0.0)),\(Self.number($0.1))" }.joined(separator: " ")
        element("polyline", #"class="\#(cls)" points="\#(list)" fill="none" stroke="\#(stroke)" stroke-width="\#(Self.number(width))""#
            + #" stroke-linejoin="round""# + (dash.map { #" stroke-dasharray="\#($0)""# } ?? ""), nil)
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, cls: String, tooltip: String? = nil) {
        element("rect", #"class="\#(cls)" x="\#(Self.number(x))" y="\#(Self.number(y))" width="\#(Self.number(max(0, width)))" "#
            + #"height="\#(Self.number(max(0, height)))" fill="\#(fill)""#, tooltip)
    }

    enum Anchor: String { case start, middle, end }

    mutating func text(_ string: String, x: Double, y: Double, anchor: Anchor = .start, size: Double = 12, bold: Bool = false,
                       fill: String = "#333333", rotate: Double? = nil, cls: String = "label") {
        let rotation = rotate.map { #" transform="rotate(\#(Self.number($0)) \#(Self.number(x)) \#(Self.number(y)))""# } ?? ""
        elements.append(#"<text class="\#(cls)" x="\#(Self.number(x))" y="\#(Self.number(y))" text-anchor="\#(anchor.rawValue)" "#
            + #"font-size="\#(Self.number(size))" fill="\#(fill)"\#(bold ? #" font-weight="bold""# : "")\#(rotation)>"#
            + Self.escape(string) + "</text>")
    }

    private mutating func element(_ name: String, _ attributes: String, _ tooltip: String?) {
        if let tooltip {
            elements.append("<\(name) \(attributes)><title>\(Self.escape(tooltip))</title></\(name)>")
        } else {
            elements.append("<\(name) \(attributes)/>")
        }
    }

    /// Escapes text for XML content and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A coordinate with at most two decimals and no trailing zeros ("12", "12.5", "-3.25").
    static func number(_ v: Double) -> String {
        let rounded = (v * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        var s = String(format: "%.2f", rounded)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }
}
