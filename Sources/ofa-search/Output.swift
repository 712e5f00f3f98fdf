import Foundation

/// Output helpers for the commands.
enum FileHandleOutput {
    static func stderr(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }

    /// Encodes `value` as pretty, key-sorted JSON on stdout, keys in snake_case as in every file the tool writes
    /// (`summary.json`, history exports); dictionary keys (class names, ledger categories) stay as they are.
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        FileHandle.standardOutput.write(try encoder.encode(value))
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
}
