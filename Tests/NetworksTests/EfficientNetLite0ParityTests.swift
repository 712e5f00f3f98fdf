import Foundation
import HDF5
import Networks
import OFATestSupport
import Tensors
import Testing

/// Our EfficientNet-Lite0, loaded from the original PyTorch file by our reader, against logits of the
/// PyTorch reference on the same pixels (Tests/Fixtures/efficientnet-lite0/generate.py).
struct EfficientNetLite0ParityTests {
    struct Reference { let photo: String, way: String, pixels: [UInt8], logits: [Float] }

    static func references() throws -> [Reference] {
        let file = try HDF5File.open(at: TestPaths.fixture("efficientnet-lite0/logits.h5"))
        try file.requireFormat(HDF5FileFormat(name: "ofa-search/parity-fixture", version: 1),
                               hint: "regenerate with Tests/Fixtures/efficientnet-lite0/generate.py")
        var out: [Reference] = []
        for photo in ["coffee.png", "chelsea.png", "sklearn-flower.jpg"] {
            for way in ["crop", "direct"] {
                let pixels = try file.read(UInt8.self, at: "\(photo)/\(way)/pixels")
                #expect(pixels.shape == [224, 224, 3])
                out.append(Reference(photo: photo, way: way, pixels: pixels.values,
                                     logits: try file.read(Float.self, at: "\(photo)/\(way)/logits").values))
            }
        }
        return out
    }

    /// The pixels as the network input: (x − 127) / 128, NHWC.
    static func input(_ refs: [Reference]) -> Tensor {
        Tensor(shape: [refs.count, 224, 224, 3], values: refs.flatMap { $0.pixels.map { (Float($0) - 127) / 128 } })
    }

    static func network() throws -> Network? {
        guard let url = TestPaths.efficientNetLite0Checkpoint else { return nil }
        return try EfficientNetLite0.build(from: NamedTensors.load(from: url))
    }

    @Test(.enabled(if: TestPaths.weightsEnabled, "no weights; run Scripts/fetch-weights.sh (make test does)"))
    func logitsMatchPyTorchOnRealPhotos() throws {
        let net = try #require(try Self.network())
        let refs = try Self.references()
        // One batch of all six inputs: also checks that samples of a batch do not mix.
        let logits = net.forward(Self.input(refs))
        #expect(logits.shape == [refs.count, 1, 1, 1000])
        for (i, ref) in refs.enumerated() {
            let ours = Array(logits.values[(i * 1000)..<((i + 1) * 1000)])
            let close = Closeness(ours, ref.logits, atol: 1e-3)
            #expect(close.passes, "\(ref.photo) \(ref.way): \(close)")
        }
        // The labels the issue names, from our own logits.
        func top1(_ photo: String, _ way: String) -> Int {
            let i = refs.firstIndex { $0.photo == photo && $0.way == way }!
            let row = logits.values[(i * 1000)..<((i + 1) * 1000)]
            return row.indices.max { row[$0] < row[$1] }! - i * 1000
        }
        #expect(top1("coffee.png", "crop") == 967)
        #expect(top1("coffee.png", "direct") == 967)
        #expect(top1("sklearn-flower.jpg", "crop") == 985)
        #expect(top1("sklearn-flower.jpg", "direct") == 985)
        #expect(top1("chelsea.png", "direct") == 285)
    }

    @Test(.enabled(if: TestPaths.weightsEnabled, "no weights; run Scripts/fetch-weights.sh (make test does)"))
    func hdf5WeightsGiveTheSameLogitsAsThePyTorchFile() throws {
        let url = try #require(TestPaths.efficientNetLite0Checkpoint)
        let weights = try NamedTensors.load(from: url)
        let h5 = FileManager.default.temporaryDirectory.appendingPathComponent("lite0-\(UUID().uuidString).h5")
        defer { try? FileManager.default.removeItem(at: h5) }
        try weights.writeHDF5(to: h5, provenance: ["source": url.lastPathComponent])
        let reloaded = try NamedTensors.load(from: h5)
        #expect(reloaded.names.sorted() == weights.names.sorted())  // HDF5 lists by name
        let refs = Array(try Self.references().prefix(1))
        let a = try EfficientNetLite0.build(from: weights).forward(Self.input(refs))
        let b = try EfficientNetLite0.build(from: reloaded).forward(Self.input(refs))
        #expect(a == b)
    }
}
