import Foundation
import OFATestSupport
import Supernets
import Testing

/// `SHA256` against FIPS 180-4 / NIST example vectors, padding boundaries (hashlib values) and a file.
struct SHA256Tests {
    struct Vector: CustomTestStringConvertible, Sendable {
        let id: String
        let message: [UInt8]
        let digest: String
        var testDescription: String { id }
    }

    static let fips: [Vector] = [
        Vector(id: "empty", message: [], digest: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        Vector(id: "abc", message: Array("abc".utf8), digest: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        Vector(id: "448-bit message", message: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8),
               digest: "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        Vector(id: "896-bit message",
               message: Array("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu".utf8),
               digest: "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
        Vector(id: "a million 'a's", message: [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000),
               digest: "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
    ]

    @Test(arguments: fips)
    func fipsVectors(_ v: Vector) {
        #expect(SHA256.hex(of: Data(v.message)) == v.digest)
    }

    /// Bytes 0, 1, …, n−1 at the lengths where padding spills into a second block (Python `hashlib`).
    @Test(arguments: [
        (55, "463eb28e72f82e0a96c0a4cc53690c571281131f672aa229e0d45ae59b598b59"),
        (56, "da2ae4d6b36748f2a318f23e7ab1dfdf45acdc9d049bd80e59de82a60895f562"),
        (63, "29af2686fd53374a36b0846694cc342177e428d1647515f078784d69cdb9e488"),
        (64, "fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108"),
        (65, "4bfd2c8b6f1eec7a2afeb48b934ee4b2694182027e6d0fc075074f2fabb31781"),
        (119, "da18797ed7c3a777f0847f429724a2d8cd5138e6ed2895c3fa1a6d39d18f7ec6"),
        (120, "f52b23db1fbb6ded89ef42a23ce0c8922c45f25c50b568a93bf1c075420bbb7c"),
    ])
    func paddingBoundaries(_ length: Int, _ digest: String) {
        #expect(SHA256.hex(of: Data((0..<length).map { UInt8($0) })) == digest, "length \(length)")
    }

    /// The file form reads the whole file (`sha256sum` of the committed fixture).
    @Test func fileDigestMatchesSha256sum() throws {
        let url = TestPaths.fixture("supernets/ofa_mbv3_w0.2_c10.pth")
        #expect(try SHA256.hex(of: url) == "fe654f43c2097d4ab678d4d6584ce4c268ec7053f53df35b8bf95df286f3ecdf")
    }

    @Test func missingFileThrows() {
        #expect(throws: (any Error).self) { try SHA256.hex(of: URL(fileURLWithPath: "/nonexistent/file.pth")) }
    }
}
