import Foundation
import Images
import OFATestSupport
import Synchronization
import Testing

/// Unreadable input throws a typed `ImageError` whose one-line description names the file.
@Suite struct ErrorTests {
    static func kind(_ error: ImageError) -> String {
        switch error {
        case .fileNotFound: return "fileNotFound"
        case .unreadable: return "unreadable"
        case .notAnImage: return "notAnImage"
        case .corruptJPEG: return "corruptJPEG"
        case .corruptPNG: return "corruptPNG"
        case .tooLarge: return "tooLarge"
        }
    }

    @Test(arguments: ImageFixtureManifest.loaded?.errors ?? [])
    func badFixtureThrowsTypedError(_ fixture: ImageFixtureManifest.Failure) {
        let url = ImageFixtureManifest.url(fixture.input)
        do {
            let image = try RGBImage(contentsOf: url)
            Issue.record("\(fixture.input) decoded to \(image); expected \(fixture.error)")
        } catch {
            print("\(fixture.input): \(error)")
            #expect(Self.kind(error) == fixture.error)
            #expect(error.source == url.path)
            #expect(error.description.hasPrefix(url.path + ": "))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func truncatedJPEGIsAnErrorNotAGreyImage() throws {
        let url = ImageFixtureManifest.url("truncated.jpg")
        #expect(throws: ImageError.self) { try RGBImage(contentsOf: url) }
        do { _ = try RGBImage(contentsOf: url) } catch {
            #expect(error.description.contains("Premature end"), "\(error)")
        }
    }

    @Test func missingFile() {
        let path = "/nonexistent/dir/flower.jpg"
        #expect(throws: ImageError.fileNotFound(source: path)) { try RGBImage(contentsOf: URL(fileURLWithPath: path)) }
        #expect(ImageError.fileNotFound(source: path).description == "/nonexistent/dir/flower.jpg: no such file")
    }

    @Test func directoryIsUnreadable() {
        let dir = TestPaths.fixture("images")
        do { _ = try RGBImage(contentsOf: dir); Issue.record("a directory decoded") } catch {
            #expect(Self.kind(error) == "unreadable", "\(error)")
        }
    }

    @Test func emptyAndShortDataAreNotImages() {
        #expect(throws: ImageError.notAnImage(source: "empty.png", leadingBytes: "")) {
            try RGBImage(data: Data(), name: "empty.png")
        }
        #expect(throws: ImageError.notAnImage(source: "x", leadingBytes: "ff d8")) {
            try RGBImage(data: Data([0xFF, 0xD8]), name: "x")
        }
        #expect(ImageError.notAnImage(source: "e", leadingBytes: "").description == "e: not a JPEG or PNG image (starts with nothing: empty file)")
    }

    @Test func jpegSignatureWithGarbageIsCorruptJPEG() {
        var bytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0]
        bytes += (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        do { _ = try RGBImage(data: Data(bytes), name: "garbage.jpg"); Issue.record("garbage decoded") } catch {
            #expect(Self.kind(error) == "corruptJPEG", "\(error)")
        }
    }

    @Test func pngSignatureWithGarbageIsCorruptPNG() {
        let bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 1, 2, 3]
        do { _ = try RGBImage(data: Data(bytes), name: "garbage.png"); Issue.record("garbage decoded") } catch {
            #expect(Self.kind(error) == "corruptPNG", "\(error)")
        }
    }

    @Test func hugeDimensionsAreRefusedBeforeDecoding() {
        // A PNG whose IHDR claims 20000x20000 (Pillow refuses above 2 * MAX_IMAGE_PIXELS as a bomb);
        // libpng's header read stops at the first IDAT, so no pixel data is needed.
        func be32(_ v: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8((v >> $0) & 0xFF) } }
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            let typed = Array(type.utf8) + body
            return be32(UInt32(body.count)) + typed + be32(crc32(typed))
        }
        let bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + chunk("IHDR", [0, 0, 0x4E, 0x20, 0, 0, 0x4E, 0x20, 8, 2, 0, 0, 0]) + chunk("IDAT", []) + chunk("IEND", [])
        #expect(throws: ImageError.tooLarge(source: "bomb.png", width: 20000, height: 20000)) {
            try RGBImage(data: Data(bytes), name: "bomb.png")
        }
    }

    /// Decoding runs on several threads at once in data loaders; errors must stay per call.
    @Test func concurrentDecodesAgree() throws {
        let good = ImageFixtureManifest.url("chelsea.jpg"), bad = ImageFixtureManifest.url("truncated.jpg")
        let reference = try RGBImage(contentsOf: good)
        let results = Mutex(Array(repeating: false, count: 64))
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            var ok: Bool
            if i % 2 == 0 {
                ok = (try? RGBImage(contentsOf: good)) == reference
            } else {
                do throws(ImageError) { _ = try RGBImage(contentsOf: bad); ok = false } catch { ok = error.description.contains("Premature end") }
            }
            results.withLock { $0[i] = ok }
        }
        #expect(results.withLock { $0.allSatisfy { $0 } })
    }
}

/// CRC-32 (ISO-HDLC), as PNG chunks use.
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        c ^= UInt32(b)
        for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
    }
    return c ^ 0xFFFF_FFFF
}
