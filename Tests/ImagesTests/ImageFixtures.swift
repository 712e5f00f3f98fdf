import Foundation
import Images
import OFATestSupport
import Testing

/// `Tests/Fixtures/images/manifest.json`, written by `Tests/Fixtures/images/generate.py`.
struct ImageFixtureManifest: Decodable {
    static let expectedFormat = "ofa-search/image-fixtures"
    static let expectedVersion = 1

    struct Decode: Decodable, CustomTestStringConvertible, Sendable {
        let input: String, expected: String, width: Int, height: Int, tolerance: Int
        var testDescription: String { input }
    }
    struct Resize: Decodable, CustomTestStringConvertible, Sendable {
        let input: String, filter: String, width: Int, height: Int, expected: String
        var testDescription: String { "\(filter) \(width)x\(height)" }
    }
    struct Pipeline: Decodable, Sendable {
        let input: String, resize_shorter: Int, crop: Int, width: Int, height: Int, expected: String
    }
    struct Normalize: Decodable, Sendable {
        let input: String, width: Int, height: Int, mean: [Float], std: [Float], expected: String
    }
    struct Failure: Decodable, CustomTestStringConvertible, Sendable {
        let input: String, error: String
        var testDescription: String { input }
    }
    struct Shared: Decodable, CustomTestStringConvertible, Sendable {
        let input: String, width: Int, height: Int, fnv1a64: String, channel_sums: [Int]
        let samples_xyrgb: [[Int]], exact: Bool
        var testDescription: String { input }
    }

    let format: String, format_version: Int, pillow_version: String, pillow_libjpeg_turbo: String
    let decode: [Decode], resize: [Resize], pipeline: [Pipeline], normalize: [Normalize]
    let errors: [Failure], shared: [Shared]

    static func url(_ name: String) -> URL { TestPaths.fixture("images").appendingPathComponent(name) }

    /// The manifest, or nil when it is missing, unreadable or of another format version.
    static let loaded: ImageFixtureManifest? = {
        guard let data = try? Data(contentsOf: url("manifest.json")),
              let m = try? JSONDecoder().decode(ImageFixtureManifest.self, from: data),
              m.format == expectedFormat, m.format_version == expectedVersion else { return nil }
        return m
    }()

    /// Raw bytes of a fixture file (`*.rgb`).
    static func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: url(name))) }

    /// Float32 little-endian values of a fixture file (`*.f32`).
    static func floats(_ name: String) throws -> [Float] {
        let data = try Data(contentsOf: url(name))
        var values = [Float](repeating: 0, count: data.count / 4)
        _ = values.withUnsafeMutableBytes { data.copyBytes(to: $0) }  // little-endian host
        return values
    }
}

/// Byte-wise comparison of two images: how many bytes differ, by how much at most, and where.
struct PixelDiff: CustomStringConvertible {
    let count: Int, differing: Int, maxDiff: Int, worstIndex: Int, width: Int

    init(_ actual: [UInt8], _ expected: [UInt8], width: Int) {
        precondition(actual.count == expected.count, "PixelDiff: \(actual.count) vs \(expected.count) bytes")
        var differing = 0, maxDiff = 0, worst = 0
        for i in 0..<actual.count {
            let d = abs(Int(actual[i]) - Int(expected[i]))
            if d > 0 { differing += 1 }
            if d > maxDiff { maxDiff = d; worst = i }
        }
        self.count = actual.count; self.differing = differing; self.maxDiff = maxDiff
        self.worstIndex = worst; self.width = width
    }

    var description: String {
        let p = worstIndex / 3
        return "\(differing)/\(count) values differ, max |diff| \(maxDiff)"
            + (maxDiff > 0 ? " at (x \(p % width), y \(p / width), channel \(worstIndex % 3))" : "")
    }
}

/// FNV-1a 64-bit, as `generate.py` computes it over Pillow's pixels.
func fnv1a64(_ bytes: [UInt8]) -> String {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
    return String(format: "%016llx", h)
}
