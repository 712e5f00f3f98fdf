import Foundation
import Images
import OFATestSupport
import Testing

/// Header sizes agree with full decodes on the committed fixtures (JPEG and PNG).
struct ImageSizeTests {
    @Test func headerSizeMatchesDecodedSize() throws {
        let folder = TestPaths.fixture("images")
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { ["jpg", "jpeg", "png"].contains($0.pathExtension.lowercased()) }
        var checked = 0
        for url in files {
            guard let decoded = try? RGBImage(contentsOf: url) else { continue }
            let size = try #require(RGBImage.size(ofFileAt: url), "\(url.lastPathComponent)")
            #expect(size.width == decoded.width && size.height == decoded.height, "\(url.lastPathComponent)")
            checked += 1
        }
        #expect(checked >= 2)
        #expect(RGBImage.size(ofFileAt: folder.appendingPathComponent("missing.jpg")) == nil)
    }
}
