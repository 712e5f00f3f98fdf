import Foundation

/// The numeric variables of a MATLAB v5 `.mat` file (the format `scipy.io.savemat` writes and MATLAB
/// writes up to `-v7`), read by a small reader of our own.
///
/// Concretely: a 128-byte header (116 bytes of text, an 8-byte subsystem offset, version 0x0100 and the
/// endian indicator `IM` for little-endian or `MI` for big-endian files, both read), then data elements
/// with 8-byte tags or 4-byte "small element" tags. `miCOMPRESSED` elements are inflated with zlib (nested
/// ones too); each `miMATRIX` gives a variable. Real numeric arrays of every class and storage type are
/// decoded; cell, struct, char, sparse, object and complex arrays are listed in `unsupported` and skipped.
///
/// - Complexity: reads the whole file into memory (label files are kilobytes).
///
/// ### References
/// - MathWorks, "MAT-File Format", version 7 (2023), chapters 1 ("Level 5 MAT-File Format").
public struct MATFile: Sendable {
    /// The file's name, used in messages.
    public let file: String
    /// The real numeric variables, by name.
    public private(set) var arrays: [String: MATArray]
    /// Variables this reader skips, by name, with what they are ("cell array", "complex double array", …).
    public private(set) var unsupported: [String: String]
    /// The header's descriptive text (e.g. "MATLAB 5.0 MAT-file, Platform: GLNX86, …"), trimmed.
    public let headerText: String
    /// True when the file is big-endian (endian indicator `MI`).
    public let isBigEndian: Bool

    /// Reads the file at `url`.
    /// - Throws: `DatasetError.matFile` for a missing, truncated, corrupt or non-v5 file.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw DatasetError.matFile(file: url.path, reason: FileManager.default.fileExists(atPath: url.path)
                ? "cannot be read (\((error as NSError).localizedDescription))" : "no such file")
        }
        try self.init(bytes: [UInt8](data), file: url.path)
    }

    /// Reads a file held in memory; `file` names it in messages.
    /// - Throws: `DatasetError.matFile` for truncated, corrupt or non-v5 data.
    public init(bytes: [UInt8], file: String) throws {
        self.file = file
        var parser = MATParser(file: file)
        let header = try parser.parseHeader(bytes)
        headerText = header.text
        isBigEndian = header.bigEndian
        try bytes.withUnsafeBytes { raw in
            try parser.parseElements(MATBytes(raw, bigEndian: header.bigEndian, origin: 0), from: 128, depth: 0)
        }
        arrays = parser.arrays
        unsupported = parser.unsupported
    }

    /// The variable `name`.
    /// - Throws: `DatasetError.matFile` naming the variables present when it is absent or unsupported.
    public func array(_ name: String) throws -> MATArray {
        if let array = arrays[name] { return array }
        if let what = unsupported[name] {
            throw DatasetError.matFile(file: file, reason: "variable '\(name)' is a \(what); only real numeric arrays are read")
        }
        let present = (Array(arrays.keys) + Array(unsupported.keys)).sorted()
        throw DatasetError.matFile(file: file, reason: "no variable '\(name)' (it has \(present.isEmpty ? "none" : present.joined(separator: ", ")))")
    }

    /// The values of `name` as `Double`s, column-major.
    /// - Throws: `DatasetError.matFile` when the variable is absent or unsupported.
    public func doubles(_ name: String) throws -> [Double] {
        try array(name).doubles
    }

    /// The values of `name` as `Int`s, column-major.
    /// - Throws: `DatasetError.matFile` when the variable is absent, unsupported, or holds a value that is
    ///   not a whole number.
    public func integers(_ name: String) throws -> [Int] {
        let a = try array(name)
        guard let values = a.integers else {
            let bad = a.doubles.first { Int(exactly: $0) == nil } ?? .nan
            throw DatasetError.matFile(file: file, reason: "variable '\(name)' holds \(bad), not a whole number")
        }
        return values
    }
}
