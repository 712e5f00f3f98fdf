import Foundation

extension HDF5Object {
    /// Reads a string attribute.
    /// - Throws: ``HDF5Error/attributeNotFound(file:path:name:)``,
    ///   ``HDF5Error/typeMismatch(file:path:expected:found:)``.
    public func stringAttribute(_ name: String) throws -> String {
        if case .string(let value) = try attribute(name) { return value }
        throw try mismatch(name, expected: "a string")
    }

    /// Reads an integer scalar attribute (any stored integer width but uint64).
    /// - Throws: ``HDF5Error/attributeNotFound(file:path:name:)``,
    ///   ``HDF5Error/typeMismatch(file:path:expected:found:)``.
    public func int64Attribute(_ name: String) throws -> Int64 {
        if case .int64(let value) = try attribute(name) { return value }
        throw try mismatch(name, expected: "an integer scalar")
    }

    /// Reads a floating-point scalar attribute (float16, float32 or float64).
    /// - Throws: ``HDF5Error/attributeNotFound(file:path:name:)``,
    ///   ``HDF5Error/typeMismatch(file:path:expected:found:)``.
    public func doubleAttribute(_ name: String) throws -> Double {
        if case .double(let value) = try attribute(name) { return value }
        throw try mismatch(name, expected: "a float scalar")
    }

    /// Reads a floating-point array attribute as `Float`, flattened row-major (a float64 array is rounded).
    /// - Throws: ``HDF5Error/attributeNotFound(file:path:name:)``,
    ///   ``HDF5Error/typeMismatch(file:path:expected:found:)``.
    public func floatArrayAttribute(_ name: String) throws -> [Float] {
        switch try attribute(name) {
        case .floats(let values): return values
        case .doubles(let values): return values.map { Float($0) }
        default: throw try mismatch(name, expected: "a float array")
        }
    }

    // MARK: - JSON

    /// Stores `json` (UTF-8 JSON text) as a variable-length UTF-8 string attribute, after checking it parses.
    /// Python reads it with `json.loads(obj.attrs[name])`.
    /// - Throws: ``HDF5Error/invalidJSON(file:path:name:reason:)``, and as ``setAttribute(_:_:)``.
    public func setJSONAttribute(_ name: String, data json: Data) throws {
        guard let text = String(data: json, encoding: .utf8) else {
            throw HDF5Error.invalidJSON(file: filePath, path: path, name: name, reason: "not UTF-8 text")
        }
        do {
            _ = try JSONSerialization.jsonObject(with: json, options: .fragmentsAllowed)
        } catch {
            throw HDF5Error.invalidJSON(file: filePath, path: path, name: name, reason: error.localizedDescription)
        }
        try setAttribute(name, .string(text))
    }

    /// Encodes `value` as JSON (by default with sorted keys, so files are reproducible) and stores it as a
    /// variable-length UTF-8 string attribute.
    /// - Throws: ``HDF5Error/invalidJSON(file:path:name:reason:)`` if encoding fails, and as ``setAttribute(_:_:)``.
    public func setJSONAttribute<T: Encodable>(_ name: String, _ value: T, encoder: JSONEncoder? = nil) throws {
        let encoder = encoder ?? Self.defaultJSONEncoder()
        let data: Data
        do {
            data = try encoder.encode(value)
        } catch {
            throw HDF5Error.invalidJSON(file: filePath, path: path, name: name, reason: "\(error)")
        }
        try setAttribute(name, .string(String(decoding: data, as: UTF8.self)))
    }

    /// The UTF-8 bytes of a JSON string attribute (not parsed).
    /// - Throws: ``HDF5Error/attributeNotFound(file:path:name:)``,
    ///   ``HDF5Error/typeMismatch(file:path:expected:found:)``.
    public func jsonAttributeData(_ name: String) throws -> Data {
        Data(try stringAttribute(name).utf8)
    }

    /// Decodes a JSON string attribute as `T`.
    /// - Throws: ``HDF5Error/invalidJSON(file:path:name:reason:)`` when it does not decode, and as
    ///   ``jsonAttributeData(_:)``.
    public func jsonAttribute<T: Decodable>(
        _ name: String, as type: T.Type = T.self, decoder: JSONDecoder? = nil
    ) throws -> T {
        let data = try jsonAttributeData(name)
        do {
            return try (decoder ?? JSONDecoder()).decode(T.self, from: data)
        } catch {
            throw HDF5Error.invalidJSON(file: filePath, path: path, name: name, reason: Self.describe(error))
        }
    }

    private static func defaultJSONEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A one-line reason from a `DecodingError` ("missing key 'x' at a.b").
    private static func describe(_ error: Error) -> String {
        func at(_ path: [CodingKey]) -> String {
            guard !path.isEmpty else { return "top level" }
            return path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?: return "missing key '\(key.stringValue)' at \(at(context.codingPath))"
        case .typeMismatch(let type, let context)?: return "expected \(type) at \(at(context.codingPath))"
        case .valueNotFound(let type, let context)?:
            return "null where \(type) was expected at \(at(context.codingPath))"
        case .dataCorrupted(let context)?: return "\(context.debugDescription) at \(at(context.codingPath))"
        default: return "\(error)"
        }
    }

    private func mismatch(_ name: String, expected: String) throws -> HDF5Error {
        .typeMismatch(
            file: filePath, path: attributePath(name), expected: expected,
            found: try attribute(name).kindDescription)
    }
}
