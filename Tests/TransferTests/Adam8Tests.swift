import Foundation
import OFATestSupport
import Tensors
import Testing
@testable import Transfer

/// Adam8 against bitsandbytes (Tests/Fixtures/optim8), its block-parallel update, its state size and its distance
/// from float32 Adam.
struct Adam8Tests {
    /// Exact zero maps to a small non-zero code (bitsandbytes' CPU table), so a second moment never rounds to 0;
    /// the largest values to the map's ends.
    @Test func codesOfZeroAndExtremes() {
        let signed = QuantizationMap.signed, unsigned = QuantizationMap.unsigned
        #expect(signed.values[Int(signed.code(0))] > 0 && signed.values[Int(signed.code(0))] < 3e-5)
        #expect(unsigned.values[Int(unsigned.code(0))] > 0 && unsigned.values[Int(unsigned.code(0))] < 3e-5)
        #expect(signed.code(1) == 255 && signed.code(-1) == 0 && unsigned.code(1) == 255 && signed.code(2) == 255)
    }

    struct Fixture: Decodable {
        struct Quantization: Decodable {
            let blocksize: Int, input_f32_b64: String, codes: [UInt8], absmax: [Float]
        }
        struct Trajectory: Decodable {
            let lr: Double, betas: [Double], eps: Double, blocksize: Int, tensors: [Tensor]
            let initial_params_f32_b64: [String], grads_f32_b64: [[String]], steps: [[Step]]
        }
        struct Tensor: Decodable { let numel: Int }
        struct Step: Decodable {
            let params_f32_b64: String, state1_u8_b64: String, state2_u8_b64: String, absmax1: [Float], absmax2: [Float]
        }
        let bitsandbytes_version: String, signed_map: [Float], unsigned_map: [Float]
        let quantize_blockwise: Quantization, trajectory: Trajectory
    }

    static let fixture: Fixture = {
        let url = TestPaths.fixture("optim8/adam8.json")
        guard let data = try? Data(contentsOf: url),
              let file = try? JSONDecoder().decode(Fixture.self, from: data) else {
            fatalError("unreadable fixture \(url.path): regenerate with Tests/Fixtures/optim8/generate.py")
        }
        return file
    }()

    static func floats(_ base64: String) -> [Float] {
        let data = Data(base64Encoded: base64)!
        return data.withUnsafeBytes { raw in
            (0..<data.count / 4).map {
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))
            }
        }
    }

    static func bytes(_ base64: String) -> [UInt8] { Array(Data(base64Encoded: base64)!) }

    @Test func mapsEqualBitsandbytes() {
        #expect(QuantizationMap.signed.values.map(\.bitPattern) == Self.fixture.signed_map.map(\.bitPattern))
        #expect(QuantizationMap.unsigned.values.map(\.bitPattern) == Self.fixture.unsigned_map.map(\.bitPattern))
    }

    /// bitsandbytes' `quantize_blockwise` on CPU (blocks of 2,048, signed map): the same scales and codes.
    @Test func blockwiseCodesEqualBitsandbytes() {
        let q = Self.fixture.quantize_blockwise, x = Self.floats(q.input_f32_b64)
        var codes: [UInt8] = [], scales: [Float] = []
        for start in stride(from: 0, to: x.count, by: q.blocksize) {
            let block = x[start..<min(start + q.blocksize, x.count)], scale = block.map(abs).max()!
            scales.append(scale)
            codes += block.map { QuantizationMap.signed.code($0 * (1 / scale)) }
        }
        #expect(scales == q.absmax)
        #expect(codes == q.codes)
    }

    /// bitsandbytes' `Adam8bit` on CPU (blocks of 256, `min_8bit_size=0`), 4 steps on tensors of 3,000 and 37 values:
    /// codes and scales bit for bit; parameters within 2 ulp (PyTorch's vectorised `sqrt` is not always correctly
    /// rounded).
    @Test func trajectoryEqualsBitsandbytes() {
        let t = Self.fixture.trajectory
        var optimizer = Adam8(parameterCounts: t.tensors.map(\.numel), beta1: t.betas[0], beta2: t.betas[1], eps: t.eps,
                              blockSize: t.blocksize)
        var parameters = t.initial_params_f32_b64.map(Self.floats)
        for (k, step) in t.steps.enumerated() {
            optimizer.step(parameters: &parameters, gradients: t.grads_f32_b64[k].map(Self.floats), lr: t.lr)
            for (i, expected) in step.enumerated() {
                let state = optimizer.states[i], reference = Self.floats(expected.params_f32_b64)
                #expect(state.codes1 == Self.bytes(expected.state1_u8_b64), "step \(k + 1) tensor \(i): m codes")
                #expect(state.codes2 == Self.bytes(expected.state2_u8_b64), "step \(k + 1) tensor \(i): v codes")
                #expect(state.absmax1 == expected.absmax1 && state.absmax2 == expected.absmax2,
                        "step \(k + 1) tensor \(i): scales")
                let ulps = zip(parameters[i], reference).map { abs(Int($0.bitPattern) - Int($1.bitPattern)) }.max()!
                #expect(ulps <= 2, "step \(k + 1) tensor \(i): parameters differ by \(ulps) ulp")
            }
        }
    }

    @Test func stateSizeIsTwoBytesPerValueAndTwoScalesPerBlock() {
        let size = OptimizerStateSize.blockwise8Bit(blockSize: 2_048)
        #expect(size.bytes(count: 5_000) == 2 * 5_000 + 8 * 3)
        #expect(size.bytes(count: 37) == 84 && size.bytes(count: 2_048) == 4_104 && size.bytes(count: 0) == 0)
        #expect(Adam8(parameterCounts: [5_000, 37]).stateBytes == 10_024 + 84)
        #expect(OptimizerStateSize.floats(perValue: 2).bytes(count: 37) == Adam(parameterCounts: [37]).stateBytes)
    }

    static func run(_ optimizer: inout some Optimizer, steps: Int, n: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        var p = [(0..<n).map { _ in Float.random(in: -1...1, using: &rng) }]
        let scale = (0..<n).map { i in Float(i % 7 == 0 ? 0.1 : 1) }
        for s in 0..<steps {
            let g = [(0..<n).map { i in
                i == 3 ? 0 : scale[i] * (0.3 * p[0][i] + Float.random(in: -0.1...0.1, using: &rng))
            }]
            optimizer.step(parameters: &p, gradients: g, lr: 1e-2 / Double(1 + s / 5))
        }
        return p[0]
    }

    /// Blocks are independent: one thread and several give the same bits.
    @Test func updateIsTheSameForAnyThreadCount() {
        let n = 3 * 2_048 + 17
        let saved = Parallelism.threads
        defer { Parallelism.setThreads(saved) }
        var results: [[UInt32]] = []
        for threads in [1, 3] {
            Parallelism.setThreads(threads)
            var o = Adam8(parameterCounts: [n])
            results.append(Self.run(&o, steps: 4, n: n, seed: 2).map(\.bitPattern))
        }
        #expect(results[0] == results[1])
    }

    /// 8-bit moments follow float32 Adam: after 30 noisy steps the parameters' distance from float32 Adam's is a
    /// few percent of how far Adam moved them (measured: median 0.5 %, worst 6 % of the largest move), where a wrong
    /// scale, code or bias correction is off by tens of percent or more.
    @Test func tracksFloat32Adam() {
        let n = 2 * 2_048 + 300
        var a = Adam(parameterCounts: [n]), b = Adam8(parameterCounts: [n])
        var rng = SplitMix64(seed: 4)
        let start = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
        let full = Self.run(&a, steps: 30, n: n, seed: 4), quantised = Self.run(&b, steps: 30, n: n, seed: 4)
        let moved = (0..<n).map { abs(full[$0] - start[$0]) }, largest = moved.max()!
        let relative = (0..<n).map { abs(quantised[$0] - full[$0]) / largest }.sorted()
        #expect(relative[n / 2] < 0.01 && relative.last! < 0.1 && relative.last! > 0)
    }
}
