import Foundation
import Networks
import OFATestSupport
import Supernets
import Testing

/// The reference's key remapping on import (spec §1.6): a checkpoint spelled the 2020 way
/// (`mobile_inverted_conv`, single-level `.bn.` and `.conv.weight` inside elastic blocks) imports to the same supernet.
struct ImportRenameTests {
    @Test func legacyKeySpellingsImportToTheSameSupernet() throws {
        let fixture = TestPaths.fixture("supernets/ofa_mbv3_w0.2_c10.pth")
        let direct = try Supernet.importCheckpoint(fixture, family: .ofaMobileNetV3, widthMult: 0.2)
        var legacy = NamedTensors(source: "legacy")
        for name in direct.weights.names {
            var old = name
            if old.hasPrefix("blocks.") {
                old = old.replacingOccurrences(of: ".conv.", with: ".mobile_inverted_conv.", options: [], range: old.range(of: #"^blocks\.\d+\.conv\."#, options: .regularExpression))
                old = old.replacingOccurrences(of: ".bn.bn.", with: ".bn.").replacingOccurrences(of: ".conv.conv.weight", with: ".conv.weight")
            }
            legacy.set(old, direct.weights[name]!)
        }
        #expect(legacy.names.contains("blocks.3.mobile_inverted_conv.inverted_bottleneck.bn.running_var"))
        #expect(legacy.names.contains("blocks.3.mobile_inverted_conv.depth_conv.conv.weight"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("legacy-\(UUID().uuidString).h5")
        defer { try? FileManager.default.removeItem(at: file) }
        try legacy.writeHDF5(to: file)
        let imported = try Supernet.importCheckpoint(file, family: .ofaMobileNetV3, widthMult: 0.2)
        #expect(imported.weights.names.sorted() == direct.weights.names.sorted())
        for name in direct.weights.names { #expect(imported.weights[name] == direct.weights[name], "\(name)") }
    }
}
