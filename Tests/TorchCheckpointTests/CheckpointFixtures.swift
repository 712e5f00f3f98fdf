import Foundation
import OFATestSupport

/// `Tests/Fixtures/checkpoints/expected.json`, written by `generate.py` next to the `.pth` files.
struct CheckpointFixtures: Decodable {
    struct Tensor: Decodable {
        let dtype: String
        let shape: [Int]
        let values: [Double]
    }

    struct Good: Decodable {
        let tensors: [String: Tensor]
        let skipped: [String]
    }

    struct Bad: Decodable {
        let error: String
        let global: String?
        let opcode: String?
    }

    let generator: String
    let format: String
    let format_version: Int
    let torch_version: String
    let seed: Int
    let good: [String: Good]
    let bad: [String: Bad]

    static let expectedFormat = "ofa-search/checkpoint-fixtures"
    static let expectedFormatVersion = 1

    static func url(_ name: String) -> URL {
        TestPaths.fixture("checkpoints").appendingPathComponent(name)
    }

    /// Decodes expected.json and refuses a format it was not written for.
    static func load() throws -> CheckpointFixtures {
        let data = try Data(contentsOf: url("expected.json"))
        let fixtures = try JSONDecoder().decode(CheckpointFixtures.self, from: data)
        guard fixtures.format == expectedFormat, fixtures.format_version == expectedFormatVersion else {
            throw FixtureVersionError(
                description: "expected.json is \(fixtures.format) v\(fixtures.format_version), tests expect "
                    + "\(expectedFormat) v\(expectedFormatVersion); HINT: regenerate with Tests/Fixtures/checkpoints/generate.py")
        }
        return fixtures
    }

    /// The good fixtures, by file name (kept in sync with expected.json by a test).
    static let goodNames = [
        "tensors_zip.pth", "tensors_legacy.pth", "module_zip.pth", "module_legacy.pth",
        "module_protocol4_zip.pth", "module_buffer_zip.pth", "nested_zip.pth", "nested_legacy.pth",
        "model_key_zip.pth", "model_key_legacy.pth", "mixed_zip.pth", "mixed_legacy.pth",
    ]

    /// The bad fixtures, by file name (kept in sync with expected.json by a test).
    static let badNames = [
        "malicious_zip.pth", "malicious_legacy.pth", "os_system_zip.pth", "no_data_pkl_zip.pth",
        "missing_storage_zip.pth", "compressed_zip.pth", "big_endian_zip.pth", "big_endian_legacy.pth",
        "truncated_zip.pth", "truncated_legacy.pth", "list_zip.pth", "set_protocol4_zip.pth",
        "float64_zip.pth", "random.pth", "empty.pth",
    ]
}

struct FixtureVersionError: Error, CustomStringConvertible {
    let description: String
}
