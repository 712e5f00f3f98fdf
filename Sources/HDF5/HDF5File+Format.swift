/// The name and version a file declares in its `format` and `format_version` root attributes, e.g.
/// `ofa-search/supernet` v1. Readers check it before anything else.
public struct HDF5FileFormat: Hashable, Sendable, CustomStringConvertible {
    /// The `format` root attribute, e.g. "ofa-search/supernet".
    public var name: String
    /// The `format_version` root attribute; readers refuse versions they do not know.
    public var version: Int64

    /// A format called `name` at `version`.
    public init(name: String, version: Int64) {
        self.name = name
        self.version = version
    }

    /// "ofa-search/supernet v1".
    public var description: String { "\(name) v\(version)" }
}

extension HDF5File {
    /// Writes `format` (VL UTF-8 string) and `format_version` (int64) root attributes.
    /// - Throws: as ``HDF5Object/setAttribute(_:_:)``.
    public func writeFormat(_ format: HDF5FileFormat) throws {
        try setAttribute("format", .string(format.name))
        try setAttribute("format_version", .int64(format.version))
    }

    /// The declared format, or nil if the file has no `format` attribute.
    /// - Throws: ``HDF5Error/typeMismatch(file:path:expected:found:)`` if the attributes have the wrong types.
    public func readFormat() throws -> HDF5FileFormat? {
        guard try hasAttribute("format") else { return nil }
        let version = try hasAttribute("format_version") ? try int64Attribute("format_version") : 0
        return HDF5FileFormat(name: try stringAttribute("format"), version: version)
    }

    /// Checks that the file declares exactly `expected`.
    /// - Parameter hint: What to do on a mismatch, e.g. "re-export it with `ofa-search import`".
    /// - Throws: ``HDF5Error/formatMismatch(file:expected:found:hint:)``.
    public func requireFormat(_ expected: HDF5FileFormat, hint: String? = nil) throws {
        let found = try readFormat()
        guard found == expected else {
            throw HDF5Error.formatMismatch(
                file: filePath, expected: expected.description,
                found: found?.description ?? "none (no 'format' attribute)", hint: hint)
        }
    }
}
