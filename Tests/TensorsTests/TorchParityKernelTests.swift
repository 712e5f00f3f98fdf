import Foundation
import OFATestSupport
import Tensors
import Testing

/// Kernels against outputs of the PyTorch ops themselves (Tests/Fixtures/kernels/generate.py).
struct TorchParityKernelTests {
    struct Stored: Decodable { let shape: [Int]; let values: [Float] }
    struct Case: Decodable {
        let op: String
        let x: Stored, y: Stored
        let groups: Int?, eps: Float?, gamma: Stored?, beta: Stored?
        let kernel: Int?, stride: Int?, padding: Int?, count_include_pad: Bool?
        let reduce_weight: Stored?, reduce_bias: Stored?, expand_weight: Stored?, expand_bias: Stored?
        let activation: String?
    }
    struct File: Decodable { let format: String; let format_version: Int; let torch_version: String; let cases: [Case] }

    static let cases: [Case] = {
        let url = TestPaths.fixture("kernels/kernels.json")
        guard let data = try? Data(contentsOf: url), let file = try? JSONDecoder().decode(File.self, from: data),
              file.format == "ofa-search/kernel-fixtures", file.format_version == 1
        else { fatalError("unreadable fixture \(url.path): regenerate with Tests/Fixtures/kernels/generate.py") }
        return file.cases
    }()

    @Test func everyFixtureOpMatchesPyTorch() throws {
        #expect(Self.cases.count == 18)
        for c in Self.cases {
            let s = c.x.shape
            var y = [Float](repeating: .nan, count: c.y.values.count)
            switch c.op {
            case "group_norm":
                groupNormForward(x: c.x.values, batch: s[0], pixels: s[1] * s[2], channels: s[3], groups: c.groups!,
                                 gamma: c.gamma!.values, beta: c.beta!.values, eps: c.eps!, y: &y)
            case "avg_pool2d":
                let g = ConvGeometry(batch: s[0], height: s[1], width: s[2], inChannels: s[3], outChannels: s[3],
                                     kernel: c.kernel!, stride: c.stride!, groups: s[3], padding: .explicit(c.padding!))
                #expect([g.batch, g.outHeight, g.outWidth, s[3]] == c.y.shape)
                avgPool2dForward(g, x: c.x.values, countIncludePad: c.count_include_pad!, y: &y)
            case "bilinear":
                bilinearResizeForward(x: c.x.values, batch: s[0], height: s[1], width: s[2], channels: s[3],
                                      outHeight: c.y.shape[1], outWidth: c.y.shape[2], y: &y)
            case "squeeze_excite":
                let mid = c.reduce_bias!.values.count
                var scratch = [Float](repeating: 0, count: s[0] * (2 * s[3] + mid))
                squeezeExciteForward(x: c.x.values, batch: s[0], pixels: s[1] * s[2], channels: s[3], mid: mid,
                                     reduceWeight: c.reduce_weight!.values, reduceBias: c.reduce_bias!.values,
                                     expandWeight: c.expand_weight!.values, expandBias: c.expand_bias!.values,
                                     y: &y, scratch: &scratch)
            case "activation":
                y = c.x.values
                Activation(rawValue: c.activation!)!.apply(&y, count: y.count)
            default:
                Issue.record("unknown op \(c.op) in fixture")
            }
            let close = Closeness(y, c.y.values, atol: 1e-5, rtol: 1e-5)
            #expect(close.passes, "\(c.op) \(s): \(close)")
        }
    }
}
