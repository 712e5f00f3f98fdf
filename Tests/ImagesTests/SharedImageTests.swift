import Foundation
import Images
import OFATestSupport
import Testing

/// Full-size photographs from the shared folder (`<shared>/images`), compared with Pillow through the
/// hash, channel sums and 256 sampled pixels recorded in the fixture manifest.
@Suite struct SharedImageTests {
    @Test(.enabled(if: TestPaths.sharedEnabled, "no shared folder (../shared or $OFA_SHARED); committed fixtures cover decoding"),
          arguments: ImageFixtureManifest.loaded?.shared ?? [])
    func decodesLikePillow(_ fixture: ImageFixtureManifest.Shared) throws {
        let url = try #require(TestPaths.shared).appendingPathComponent(fixture.input)
        try #require(FileManager.default.fileExists(atPath: url.path), "\(fixture.input): not found at \(url.path)")
        let image = try RGBImage(contentsOf: url)
        #expect(image.width == fixture.width && image.height == fixture.height)
        var sums = [0, 0, 0]
        for (i, v) in image.pixels.enumerated() { sums[i % 3] += Int(v) }
        let meanShift = zip(sums, fixture.channel_sums).map { abs(Double($0 - $1)) / Double(image.width * image.height) }
        var maxSampleDiff = 0, differingSamples = 0
        for s in fixture.samples_xyrgb {
            let p = image[s[0], s[1]]
            let d = max(abs(Int(p.r) - s[2]), abs(Int(p.g) - s[3]), abs(Int(p.b) - s[4]))
            maxSampleDiff = max(maxSampleDiff, d)
            if d > 0 { differingSamples += 1 }
        }
        let identical = fnv1a64(image.pixels) == fixture.fnv1a64
        print("\(fixture.input) vs Pillow: identical \(identical); \(differingSamples)/256 sampled pixels differ, max \(maxSampleDiff); channel mean shift \(meanShift.map { String(format: "%.4f", $0) })")
        if fixture.exact {
            #expect(identical, "\(fixture.input) differs from Pillow's pixels")
        } else {
            #expect(maxSampleDiff <= 2 && meanShift.allSatisfy { $0 < 0.05 })
        }
    }
}
