/// Small helpers to build the report's HTML: escaped text and tables.
enum HTMLText {
    static func escape(_ text: String) -> String { SVGDocument.escape(text) }

    /// A table with a header row; cells are HTML (escape text first). `numeric` columns align right.
    static func table(_ header: [String], _ rows: [[String]], numeric: Set<Int> = [], cls: String = "") -> String {
        func cell(_ tag: String, _ i: Int, _ content: String) -> String {
            "<\(tag)\(numeric.contains(i) ? #" class="num""# : "")>\(content)</\(tag)>"
        }
        let head = "<tr>" + header.enumerated().map { cell("th", $0, escape($1)) }.joined() + "</tr>"
        let body = rows.map { "<tr>" + $0.enumerated().map { cell("td", $0, $1) }.joined() + "</tr>" }.joined(separator: "\n")
        return "<table\(cls.isEmpty ? "" : #" class="\#(cls)""#)>\n<thead>\(head)</thead>\n<tbody>\n\(body)\n</tbody>\n</table>"
    }

    /// A two-column key/value table (keys escaped, values HTML).
    static func facts(_ pairs: [(String, String)]) -> String {
        "<table class=\"facts\">\n" + pairs.map { "<tr><th>\(escape($0.0))</th><td>\($0.1)</td></tr>" }.joined(separator: "\n")
            + "\n</table>"
    }

    static let style = """
        body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; margin: 24px auto; max-width: 1000px; padding: 0 16px; }
        h1 { font-size: 22px; margin-bottom: 4px; }
        h2 { font-size: 17px; margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
        .sub { color: #666; font-size: 13px; margin-top: 0; }
        .status { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 13px; color: white; vertical-align: middle; }
        .status.finished { background: #59a14f; } .status.running { background: #4e79a7; } .status.failed { background: #e15759; }
        table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
        th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
        thead th { border-bottom: 2px solid #ccc; }
        table.facts th { color: #555; font-weight: normal; }
        .num { text-align: right; font-variant-numeric: tabular-nums; }
        code { font-size: 12px; background: #f5f5f5; padding: 1px 4px; border-radius: 3px; word-break: break-all; }
        figure { margin: 16px 0; } figure svg { width: 100%; height: auto; border: 1px solid #eee; }
        figcaption { color: #555; font-size: 12px; margin-top: 4px; }
        .note { color: #666; font-size: 13px; }
        """
}
