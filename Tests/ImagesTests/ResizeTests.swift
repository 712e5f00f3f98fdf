import Foundation
@testable import Images
import OFATestSupport
import Testing

/// Resizing parity with Pillow's `Image.resize` and torchvision's `Resize`/`CenterCrop`.
@Suite struct ResizeTests {
    static func fixtureImage(_ name: String) throws -> RGBImage {
        try RGBImage(contentsOf: ImageFixtureManifest.url(name))
    }

    @Test(arguments: ImageFixtureManifest.loaded?.resize ?? [])
    func resizeMatchesPillowExactly(_ fixture: ImageFixtureManifest.Resize) throws {
        let filter = try #require(ResamplingFilter(rawValue: fixture.filter))
        let out = try Self.fixtureImage(fixture.input).resize(width: fixture.width, height: fixture.height, filter: filter)
        let diff = PixelDiff(out.pixels, try ImageFixtureManifest.bytes(fixture.expected), width: fixture.width)
        print("resize \(fixture.input) -> \(fixture.width)x\(fixture.height) \(fixture.filter) vs Pillow: \(diff)")
        #expect(diff.differing == 0, "\(diff)")
    }

    @Test func torchvisionPipelineMatches() throws {
        let m = try #require(ImageFixtureManifest.loaded)
        for p in m.pipeline {
            let image = try Self.fixtureImage(p.input)
            let resized = image.resize(shorterSide: p.resize_shorter)
            #expect(resized.width == 384 && resized.height == 256)
            let out = resized.centerCrop(size: p.crop)
            let diff = PixelDiff(out.pixels, try ImageFixtureManifest.bytes(p.expected), width: p.width)
            print("Resize(\(p.resize_shorter)) + CenterCrop(\(p.crop)) of \(p.input) vs torchvision/Pillow: \(diff)")
            #expect(diff.differing == 0, "\(diff)")
        }
    }

    @Test func normalizationMatchesToTensorNormalizeBitwise() throws {
        let m = try #require(ImageFixtureManifest.loaded)
        for n in m.normalize {
            let image = RGBImage(width: n.width, height: n.height, pixels: try ImageFixtureManifest.bytes(n.input))
            let expected = try ImageFixtureManifest.floats(n.expected)
            let chw = image.normalizedCHW(mean: n.mean, std: n.std)
            #expect(chw.map(\.bitPattern) == expected.map(\.bitPattern), "\(Closeness(chw, expected, atol: 0))")
            // HWC is the same values transposed.
            let hwc = image.normalizedNHWC(mean: n.mean, std: n.std)
            let plane = n.width * n.height
            let transposed = (0..<(3 * plane)).map { hwc[($0 % plane) * 3 + $0 / plane] }
            #expect(transposed == chw)
        }
        #expect(RGBImage.imageNetMean == [0.485, 0.456, 0.406] && RGBImage.imageNetStd == [0.229, 0.224, 0.225])
    }

    @Test(arguments: [(500, 375, 341, 256), (375, 500, 256, 341), (300, 200, 384, 256), (256, 256, 256, 256),
                      (640, 427, 383, 256), (451, 300, 384, 256), (100, 333, 256, 852), (3, 2, 384, 256)])
    func torchvisionResizeSize(_ w: Int, _ h: Int, _ ew: Int, _ eh: Int) {
        let size = RGBImage.resizedSize(width: w, height: h, shorterSide: 256)
        #expect(size.width == ew && size.height == eh)
    }

    @Test func centerCropRoundsHalfToEvenLikePython() {
        // Python: int(round((257 - 224) / 2.0)) == 16, int(round((259 - 224) / 2.0)) == 18.
        #expect(RGBImage.centerCropOrigin(width: 257, height: 259, cropWidth: 224, cropHeight: 224) == (16, 18))
        #expect(RGBImage.centerCropOrigin(width: 384, height: 256, cropWidth: 224, cropHeight: 224) == (80, 16))
        #expect(RGBImage.centerCropOrigin(width: 225, height: 224, cropWidth: 224, cropHeight: 224) == (0, 0))
        let image = RGBImage(width: 5, height: 4, pixels: (0..<60).map { UInt8($0) })
        let crop = image.centerCrop(width: 2, height: 3)  // left round(1.5) = 2, top round(0.5) = 0
        #expect(crop.pixels == [6, 7, 8, 9, 10, 11, 21, 22, 23, 24, 25, 26, 36, 37, 38, 39, 40, 41])
    }

    @Test func unchangedSizeReturnsTheSameImage() throws {
        let image = try Self.fixtureImage("coffee-rgb.png")
        #expect(image.resize(width: 64, height: 48) == image)
    }

    /// The optimised passes equal the oracle (Pillow's loops) on odd shapes, every filter, up and down.
    @Test(arguments: ResamplingFilter.allCases)
    func fastPassesEqualReference(_ filter: ResamplingFilter) {
        var rng = SplitMix64(seed: 7)
        for (w, h, ow, oh) in [(1, 1, 3, 2), (17, 5, 4, 9), (64, 48, 37, 29), (31, 40, 31, 7), (9, 13, 50, 13), (500, 3, 7, 1)] {
            let pixels = (0..<(w * h * 3)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let fast = Resampler.resample(pixels, width: w, height: h, toWidth: ow, toHeight: oh, filter: filter)
            let slow = Resampler.resample(pixels, width: w, height: h, toWidth: ow, toHeight: oh, filter: filter, reference: true)
            #expect(fast == slow, "\(filter) \(w)x\(h) -> \(ow)x\(oh)")
        }
    }

    @Test func constantImageStaysConstant() {
        let image = RGBImage(width: 13, height: 7, repeating: 200)
        for filter in ResamplingFilter.allCases {
            #expect(image.resize(width: 5, height: 11, filter: filter).pixels.allSatisfy { $0 == 200 }, "\(filter)")
        }
    }
}

/// A small deterministic generator for test data.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
