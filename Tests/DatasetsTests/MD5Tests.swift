import Datasets
import Foundation
import OFATestSupport
import Testing

@Suite struct MD5Tests {
    /// RFC 1321, appendix A.5.
    static let rfcVectors: [(String, String)] = [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        ("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a"),
    ]

    @Test(arguments: rfcVectors.indices)
    func rfc1321Vector(_ i: Int) {
        let (message, digest) = Self.rfcVectors[i]
        #expect(MD5.hex(of: Data(message.utf8)) == digest, "MD5(\"\(message)\")")
    }

    @Test func streamingInAnyChunksEqualsOneShot() {
        var generator = SystemRandomNumberGenerator()
        let data = (0..<10_007).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let whole = MD5.hex(of: Data(data))
        for chunk in [1, 3, 63, 64, 65, 1000, 4096] {
            var md5 = MD5()
            for start in stride(from: 0, to: data.count, by: chunk) { md5.update(data[start..<min(start + chunk, data.count)]) }
            #expect(md5.hexDigest() == whole, "chunk \(chunk)")
        }
    }

    @Test func paddingBoundaries() {
        // Lengths around the 56-byte padding limit and the 64-byte block, against digests from Python's hashlib.
        let expected = [
            55: "ef1772b6dff9a122358552954ad0df65", 56: "3b0c8ac703f828b04c6c197006d17218",
            63: "b06521f39153d618550606be297466d5", 64: "014842d480b571495a4a0363793f7367",
        ]
        for (n, digest) in expected {
            #expect(MD5.hex(of: Data(repeating: UInt8(ascii: "a"), count: n)) == digest, "\(n) × 'a'")
        }
        #expect(MD5.hex(of: Data(repeating: UInt8(ascii: "a"), count: 1_000_000)) == "7707d6ae4e027c70eea2a935c2296f21")
    }

    @Test func fileDigestMatchesHashlib() throws {
        let dir = TestPaths.fixture("datasets/download")
        let manifest = try DownloadFixtures.load()
        for (name, entry) in manifest.files {
            #expect(try MD5.hex(of: dir.appendingPathComponent(name)) == entry.md5, "\(name)")
        }
    }

    @Test(.enabled(if: TestPaths.sharedEnabled, "../shared is absent"))
    func officialLabelFilesHaveThePublishedMD5() throws {
        let shared = try #require(TestPaths.shared)
        let folder = shared.appendingPathComponent("datasets/flowers102-labels")
        for file in Flowers102.files where file.extractsTo == nil {
            #expect(try MD5.hex(of: folder.appendingPathComponent(file.name)) == file.md5, "\(file.name)")
        }
    }
}
