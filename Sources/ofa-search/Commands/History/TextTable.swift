/// A plain-text table for the terminal: columns padded to their widest cell, numbers right-aligned,
/// indented by two spaces, trailing spaces trimmed.
struct TextTable {
    let header: [String]
    /// Indices of right-aligned columns.
    let rightAligned: Set<Int>
    private(set) var rows: [[String]] = []

    init(_ header: [String], rightAligned: Set<Int> = []) {
        self.header = header
        self.rightAligned = rightAligned
    }

    mutating func add(_ row: [String]) { rows.append(row) }

    /// The table as lines (header first).
    var lines: [String] {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
        return all.map { row in
            let cells = header.indices.map { c -> String in
                let cell = c < row.count ? row[c] : ""
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return rightAligned.contains(c) ? pad + cell : cell + pad
            }
            let line = "  " + cells.joined(separator: "  ")
            return String(line.reversed().drop { $0 == " " }.reversed())
        }
    }

    func print() { lines.forEach { Swift.print($0) } }
}
