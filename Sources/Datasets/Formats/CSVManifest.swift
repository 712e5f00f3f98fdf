import Foundation

/// A dataset listed in a CSV file: one image per line.
///
/// Layout (UTF-8, `\n` or `\r\n` line ends, blank lines skipped, fields may be double-quoted with `""` for
/// a quote inside):
/// ```
/// path,label            ← optional header: exactly `path,label` or `path,label,split`
/// images/a.jpg,daisy
/// /data/b.png,rose
/// ```
/// - `path`: relative to the CSV file's folder, or absolute. The file must exist (it is not decoded here).
/// - `label`: all integers or all class names, as the first line sets. Names: the classes are the sorted
///   (by code point) unique names, numbered 0…K−1. Integers: they must be exactly 0…K−1 for the K distinct
///   values, and the classes are named `"0"`…`"K−1"`.
/// - `split` (optional third column, when the header names it or, without a header, the first line has
///   three fields): `train`, `valid` (or `val`) or `test`. Without it, the samples are split class by class
///   by ``SplitRatios`` (default 0.8/0.1/0.1) from a seed, as a flat ``ImageFolder`` is.
///
/// Every problem is a ``DatasetError/csv(file:line:reason:)`` with the 1-based line number.
public enum CSVManifest {
    struct Row { let line: Int; let path: URL; let label: String; let split: Split? }

    /// Reads the manifest at `file`.
    /// - Parameters:
    ///   - split: ratios when the file has no split column (nil: ``SplitRatios/default``); must be nil when it has one.
    ///   - seed: seed of the stratified split.
    /// - Throws: ``DatasetError/csv(file:line:reason:)`` for a missing or extra column, a path that does not
    ///   exist, a bad or out-of-range label or split; ``DatasetError/invalid(_:)`` for an unreadable or empty file.
    public static func load(file: URL, name: String? = nil, split: SplitRatios? = nil, seed: UInt64 = 0) throws(DatasetError) -> LabeledImages {
        let file = file.standardizedFileURL
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch {
            throw .invalid("\(file.path): cannot read CSV manifest (\((error as NSError).localizedDescription))")
        }
        let rows = try parse(text, file: file)
        guard let first = rows.first else { throw .invalid("\(file.path): no path,label lines — add one line per image") }
        let (classes, labels) = try labelIndices(rows, file: file.path)
        let samples = zip(rows, labels).map { Sample(source: .file($0.path), label: $1) }
        let splits: [Split: [Sample]]
        if first.split != nil {
            if split != nil {
                throw .invalid("\(file.path) has a split column — leave out --split-ratios, or remove the column")
            }
            splits = Dictionary(grouping: zip(rows, samples), by: { $0.0.split! }).mapValues { $0.map(\.1) }
        } else {
            splits = (split ?? .default).stratifiedSplit(samples, seed: seed)
        }
        return LabeledImages(name: name ?? file.path, classes: classes, splits: splits)
    }

    /// The rows of `text`, with paths resolved and checked.
    static func parse(_ text: String, file: URL) throws(DatasetError) -> [Row] {
        let folder = file.deletingLastPathComponent()
        var rows: [Row] = []
        var columns: Int?  // 2 or 3, fixed by the header or the first line
        var text = Substring(text)
        if text.hasPrefix("\u{FEFF}") { text = text.dropFirst() }
        for (i, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let n = i + 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            guard let fields = fields(of: line) else { throw .csv(file: file.path, line: n, reason: "unbalanced double quote") }
            let lower = fields.map { $0.lowercased() }
            if columns == nil && rows.isEmpty && (lower == ["path", "label"] || lower == ["path", "label", "split"]) {
                columns = fields.count
                continue
            }
            let expected = columns ?? min(max(fields.count, 2), 3)
            columns = expected
            guard fields.count >= expected else {
                let missing = fields.count == 1 ? "label" : "split"
                throw .csv(file: file.path, line: n, reason: "missing the \(missing) column (found \(fields.count) of \(expected))")
            }
            guard fields.count == expected else {
                throw .csv(file: file.path, line: n, reason: "\(fields.count) columns, expected \(expected) (\(expected == 2 ? "path,label" : "path,label,split"))")
            }
            guard !fields[0].isEmpty else { throw .csv(file: file.path, line: n, reason: "empty path") }
            guard !fields[1].isEmpty else { throw .csv(file: file.path, line: n, reason: "empty label") }
            let path = fields[0].hasPrefix("/") ? URL(fileURLWithPath: fields[0]) : folder.appendingPathComponent(fields[0])
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDir), !isDir.boolValue else {
                throw .csv(file: file.path, line: n, reason: "no such image file \(path.standardizedFileURL.path) (relative paths start at the CSV's folder)")
            }
            var split: Split?
            if expected == 3 {
                switch lower[2] {
                case "train": split = .train
                case "valid", "val": split = .valid
                case "test": split = .test
                default: throw .csv(file: file.path, line: n, reason: "split '\(fields[2])' is not train, valid or test")
                }
            }
            rows.append(Row(line: n, path: path.standardizedFileURL, label: fields[1], split: split))
        }
        return rows
    }

    /// Class names and each row's label index (see the type's documentation for the two label kinds).
    static func labelIndices(_ rows: [Row], file: String) throws(DatasetError) -> (classes: [String], labels: [Int]) {
        let integers = Int(rows[0].label) != nil
        if integers {
            var labels: [Int] = []
            for r in rows {
                guard let v = Int(r.label) else {
                    throw .csv(file: file, line: r.line, reason: "label '\(r.label)' is not an integer, but line \(rows[0].line) uses integer labels")
                }
                labels.append(v)
            }
            let k = Set(labels).count
            if let bad = zip(rows, labels).first(where: { !(0..<k).contains($0.1) }) {
                throw .csv(file: file, line: bad.0.line,
                           reason: "label \(bad.1) is outside 0…\(k - 1) (integer labels must be 0…K−1 for the K = \(k) distinct labels)")
            }
            return ((0..<k).map(String.init), labels)
        }
        if let bad = rows.first(where: { Int($0.label) != nil }) {
            throw .csv(file: file, line: bad.line, reason: "label '\(bad.label)' is a number, but line \(rows[0].line) uses class names")
        }
        let classes = Set(rows.map(\.label)).sorted(by: codePointLess)
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        return (classes, rows.map { index[$0.label]! })
    }

    /// The comma-separated fields of one line, trimmed of spaces outside quotes; nil for an unbalanced quote.
    static func fields(of line: Substring) -> [String]? {
        var fields: [String] = [], current = "", quoted = false, wasQuoted = false
        var chars = line.makeIterator()
        while let c = chars.next() {
            if quoted {
                if c == "\"" {
                    if let next = chars.next() {
                        if next == "\"" { current.append("\"") } else {
                            quoted = false
                            if next == "," { fields.append(current); current = ""; wasQuoted = false } else { current.append(next) }
                        }
                    } else { quoted = false }
                } else { current.append(c) }
            } else if c == "," {
                fields.append(wasQuoted ? current : current.trimmingCharacters(in: .whitespaces))
                current = ""; wasQuoted = false
            } else if c == "\"" && current.trimmingCharacters(in: .whitespaces).isEmpty {
                quoted = true; wasQuoted = true; current = ""
            } else { current.append(c) }
        }
        if quoted { return nil }
        fields.append(wasQuoted ? current : current.trimmingCharacters(in: .whitespaces))
        return fields
    }
}
