import Foundation
@testable import Images
import OFATestSupport
import Testing

/// Decoding parity with Pillow's `Image.open(path).convert('RGB')` on the committed fixtures.
@Suite struct DecodingTests {
    @Test func manifestMatchesThisVersion() throws {
        let m = try #require(ImageFixtureManifest.loaded,
            "Tests/Fixtures/images/manifest.json missing or not \(ImageFixtureManifest.expectedFormat) v\(ImageFixtureManifest.expectedVersion): rerun Tests/Fixtures/images/generate.py")
        #expect(m.decode.count >= 10)
        #expect(!m.resize.isEmpty && !m.errors.isEmpty)
    }

    @Test(arguments: ImageFixtureManifest.loaded?.decode ?? [])
    func decodesLikePillow(_ fixture: ImageFixtureManifest.Decode) throws {
        let image = try RGBImage(contentsOf: ImageFixtureManifest.url(fixture.input))
        #expect(image.width == fixture.width && image.height == fixture.height)
        let diff = PixelDiff(image.pixels, try ImageFixtureManifest.bytes(fixture.expected), width: image.width)
        print("decode \(fixture.input) vs Pillow: \(diff)")
        #expect(diff.maxDiff <= fixture.tolerance, "\(fixture.input): \(diff)")
    }

    @Test func codecIsChosenBySignatureNotExtension() throws {
        let png = try Data(contentsOf: ImageFixtureManifest.url("coffee-rgb.png"))
        let jpeg = try Data(contentsOf: ImageFixtureManifest.url("chelsea.jpg"))
        let fromPNG = try RGBImage(data: png, name: "misnamed.jpg")
        #expect(fromPNG == (try RGBImage(contentsOf: ImageFixtureManifest.url("coffee-rgb.png"))))
        #expect(try RGBImage(data: jpeg, name: "misnamed.png").width == 62)
        #expect(png.withUnsafeBytes { ImageFormat.detect($0) } == .png)
        #expect(jpeg.withUnsafeBytes { ImageFormat.detect($0) } == .jpeg)
    }

    @Test func pillowCMYKConversionFormula() {
        // Raw decoder CMYK (Adobe-inverted in the file): k = 255 means no black ink.
        let rgb = JPEGDecoder.pillowCMYKToRGB([255, 255, 255, 255, 0, 0, 0, 255, 128, 64, 0, 200, 0, 0, 0, 0])
        // Pillow: Image.frombytes("CMYK", (4, 1), bytes(255 - v for v in raw)).convert("RGB")
        #expect(rgb == [255, 255, 255, 0, 0, 0, 100, 50, 0, 0, 0, 0])
    }
}
