/// Why a dataset cannot be found, read or used; each description is one line for the user.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    /// A named dataset was looked for in these places and not found.
    case notFound(name: String, searched: [String], hint: String)
    /// A class folder without images.
    case emptyClass(path: String)
    /// A label outside the class range, in a file.
    case labelOutOfRange(file: String, label: Int, range: ClosedRange<Int>)
    /// Label or split files that do not match the images (counts, ids, missing files).
    case mismatch(file: String, reason: String)
    /// A CSV manifest problem at a line (1-based).
    case csv(file: String, line: Int, reason: String)
    /// Images that failed to decode: the count and the first few paths.
    case corruptImages(count: Int, total: Int, first: [String])
    /// A downloaded file whose checksum is wrong (nothing is kept).
    case checksum(file: String, expected: String, actual: String)
    /// A download that failed.
    case download(url: String, reason: String, hint: String)
    /// A MATLAB .mat file we cannot read.
    case matFile(file: String, reason: String)
    /// An archive we cannot extract.
    case archive(file: String, reason: String)
    /// Anything else about the dataset's layout or options.
    case invalid(String)

    public var description: String {
        switch self {
        case let .notFound(name, searched, hint):
            return "dataset '\(name)' not found (looked in \(searched.joined(separator: ", "))) — \(hint)"
        case let .emptyClass(path):
            return "class folder \(path) has no JPEG or PNG images — add images or remove the folder"
        case let .labelOutOfRange(file, label, range):
            return "\(file): label \(label) is outside \(range.lowerBound)…\(range.upperBound) — check the label file belongs to this dataset"
        case let .mismatch(file, reason):
            return "\(file): \(reason)"
        case let .csv(file, line, reason):
            return "\(file):\(line): \(reason) — each line must be path,label"
        case let .corruptImages(count, total, first):
            return "\(count) of \(total) images could not be decoded, e.g. \(first.joined(separator: ", ")) — remove them, or leave out --strict to skip them"
        case let .checksum(file, expected, actual):
            return "\(file): md5 \(actual) does not match the expected \(expected) — the file was removed; download it again"
        case let .download(url, reason, hint):
            return "download of \(url) failed: \(reason) — \(hint)"
        case let .matFile(file, reason):
            return "\(file): not a readable MATLAB v5 file: \(reason)"
        case let .archive(file, reason):
            return "\(file): cannot extract: \(reason) — download it again"
        case let .invalid(reason):
            return reason
        }
    }
}
