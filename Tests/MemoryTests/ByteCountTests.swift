import Memory
import XCTest

final class ByteCountTests: XCTestCase {
    func testUnits() throws {
        XCTAssertEqual(try ByteCount(parsing: "32MB").bytes, 32_000_000)
        XCTAssertEqual(try ByteCount(parsing: "32mb").bytes, 32_000_000)
        XCTAssertEqual(try ByteCount(parsing: "32MiB").bytes, 32 * 1_048_576)
        XCTAssertEqual(try ByteCount(parsing: "500KB").bytes, 500_000)
        XCTAssertEqual(try ByteCount(parsing: "500kB").bytes, 500_000)
        XCTAssertEqual(try ByteCount(parsing: "1.5GB").bytes, 1_500_000_000)
        XCTAssertEqual(try ByteCount(parsing: "4096B").bytes, 4096)
        XCTAssertEqual(try ByteCount(parsing: " 64 MB ").bytes, 64_000_000)
    }

    func testRejects() {
        for bad in ["32XB", "", "MB", "-5MB", "0MB", "abc", "1e400MB", "nanMB"] {
            XCTAssertThrowsError(try ByteCount(parsing: bad), bad) { error in
                XCTAssertTrue("\(error)".hasPrefix("'\(bad)' is not a memory size"), "\(error)")
            }
        }
    }

    /// A bare number could mean bytes or megabytes (`--mem 32` was read as 32 bytes): refused, naming both forms.
    func testANumberWithoutAUnitIsRefused() {
        for bare in ["32", " 4096 ", "1.5"] {
            XCTAssertThrowsError(try ByteCount(parsing: bare), bare) { error in
                let t = bare.trimmingCharacters(in: .whitespaces)
                XCTAssertEqual("\(error)", "'\(bare)' has no unit — write \(t)MB or \(t)MiB (accepted: B, KB, MB, GB "
                               + "(powers of 1000) or KiB, MiB, GiB (powers of 1024))")
            }
        }
    }

    func testDescription() throws {
        XCTAssertEqual(try ByteCount(parsing: "32MB").description, "32.00 MB")
        XCTAssertEqual(ByteCount(bytes: 8512).description, "8.5 KB")
    }
}
