import Foundation
import Supernets
import Tensors
import Transfer

/// OFA's accuracy predictor (`ofa/nas/accuracy_predictor`): a multilayer perceptron over a one-hot encoding of the
/// architecture, fitted to the candidates evaluated so far, that pre-screens the evolution's children
/// (`search --predictor mlp`, `EvolutionFinder.Screening`).
///
/// The encoding is OFA's `MobileNetArchEncoder` — per block slot a one-hot kernel and a one-hot expand ratio, zeros
/// where depth leaves the slot out, and a one-hot resolution — plus our adaptation genes: a one-hot method and each
/// active slot's lite-residual flag. The network is OFA's: three hidden layers of 400 ReLU units and one output
/// added to a fixed base (the mean of the fitted accuracies), trained on mean squared error. Here training is
/// full-batch Adam for a fixed number of steps from a seeded initialisation, so the same samples give the same
/// predictor (a resumed search re-fits it on the stored answers and pre-screens exactly as before).
public struct AccuracyPredictor {
    public static let hiddenUnits = 400, hiddenLayers = 3

    let space: SearchSpace
    let resolutions: [Int]
    let methods: [TransferMethod]
    /// Per layer: weights (out, in) row-major and biases (out).
    var weights: [[Float]], biases: [[Float]]
    var base: Float = 0

    /// An untrained predictor for architectures of `space` at `resolutions` with `methods`.
    public init(space: SearchSpace, resolutions: [Int], methods: [TransferMethod], seed: UInt64) {
        self.space = space; self.resolutions = resolutions; self.methods = methods
        let sizes = [0] + Array(repeating: Self.hiddenUnits, count: Self.hiddenLayers) + [1]
        var rng = SplitMix64(seed: seed)
        var weights: [[Float]] = [], biases: [[Float]] = []
        var fanIn = Self.inputSize(space: space, resolutions: resolutions, methods: methods)
        for out in sizes.dropFirst() {
            // PyTorch's `nn.Linear` initialisation: U(−1/√fan_in, 1/√fan_in) for weights and biases.
            let bound = 1 / Float(fanIn).squareRoot()
            weights.append((0..<out * fanIn).map { _ in Float.random(in: -bound...bound, using: &rng) })
            biases.append((0..<out).map { _ in Float.random(in: -bound...bound, using: &rng) })
            fanIn = out
        }
        self.weights = weights; self.biases = biases
    }

    static func inputSize(space: SearchSpace, resolutions: [Int], methods: [TransferMethod]) -> Int {
        space.slots.reduce(0) { $0 + $1.kernelChoices.count + space.expandChoices.count }
            + resolutions.count + methods.count + (methods.contains { $0.insertsLiteResidual } ? space.slots.count : 0)
    }

    /// The one-hot encoding of `config` (see the type's description).
    func encode(_ config: ArchConfig) -> [Float] {
        var x: [Float] = []
        let active = Set(config.activeSlots(in: space))
        let method = config.method ?? methods.first
        for (i, slot) in space.slots.enumerated() {
            let on = active.contains(i)
            x += slot.kernelChoices.map { on && $0 == config.ks[i] ? 1 : 0 }
            x += space.expandChoices.map { on && $0 == config.e[i] ? 1 : 0 }
        }
        x += resolutions.map { $0 == config.r ? 1 : 0 }
        x += methods.map { $0 == method ? 1 : 0 }
        if methods.contains(where: { $0.insertsLiteResidual }) {
            let lite = method?.insertsLiteResidual ?? false
            x += space.slots.indices.map { lite && active.contains($0) && (config.liteResidual?[$0] ?? true) ? 1 : 0 }
        }
        return x
    }

    /// Fits the predictor to `samples` (an architecture and its accuracy, a fraction): full-batch Adam on mean
    /// squared error, `steps` steps.
    public mutating func fit(_ samples: [(config: ArchConfig, accuracy: Double)], steps: Int = 300,
                             learningRate: Float = 1e-3) {
        guard !samples.isEmpty else { return }
        let n = samples.count
        let x = samples.flatMap { encode($0.config) }
        let y = samples.map { Float($0.accuracy) }
        base = y.reduce(0, +) / Float(n)
        // Adam's moments of each layer's weights and biases.
        var mw = weights.map { [Float](repeating: 0, count: $0.count) }, vw = mw
        var mb = biases.map { [Float](repeating: 0, count: $0.count) }, vb = mb
        let (beta1, beta2, epsilon): (Float, Float, Float) = (0.9, 0.999, 1e-8)
        for step in 1...max(steps, 1) {
            let activations = forward(x, rows: n)
            // d(mean squared error)/d(output) for each sample.
            var grad = (0..<n).map { 2 * (activations.last![$0] + base - y[$0]) / Float(n) }
            for l in weights.indices.reversed() {
                let input = activations[l], fanIn = input.count / n, out = biases[l].count
                var gw = [Float](repeating: 0, count: out * fanIn)
                gw.withUnsafeMutableBufferPointer { g in
                    gemm(transA: true, m: out, n: fanIn, k: n, a: grad, lda: out, b: input, ldb: fanIn,
                         c: g.baseAddress!, ldc: fanIn)
                }
                var gb = [Float](repeating: 0, count: out)
                for r in 0..<n { for o in 0..<out { gb[o] += grad[r * out + o] } }
                if l > 0 {
                    var previous = [Float](repeating: 0, count: n * fanIn)
                    previous.withUnsafeMutableBufferPointer { p in
                        gemm(m: n, n: fanIn, k: out, a: grad, lda: out, b: weights[l], ldb: fanIn, c: p.baseAddress!,
                             ldc: fanIn)
                    }
                    for i in previous.indices where input[i] <= 0 { previous[i] = 0 }   // ReLU
                    grad = previous
                }
                let c1 = 1 - powf(beta1, Float(step)), c2 = 1 - powf(beta2, Float(step))
                func update(_ w: inout [Float], _ g: [Float], _ m: inout [Float], _ v: inout [Float]) {
                    for i in w.indices {
                        m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                        w[i] -= learningRate * (m[i] / c1) / ((v[i] / c2).squareRoot() + epsilon)
                    }
                }
                update(&weights[l], gw, &mw[l], &vw[l])
                update(&biases[l], gb, &mb[l], &vb[l])
            }
        }
    }

    /// Predicted accuracy (a fraction) of each of `configs`.
    public func predict(_ configs: [ArchConfig]) -> [Double] {
        guard !configs.isEmpty else { return [] }
        return forward(configs.flatMap(encode), rows: configs.count).last!.map { Double($0 + base) }
    }

    /// Every layer's input, then the output (without the base): `rows` samples of row-major features.
    func forward(_ x: [Float], rows n: Int) -> [[Float]] {
        var activations = [x]
        for l in weights.indices {
            let input = activations[l], fanIn = input.count / n, out = biases[l].count
            var output = [Float](repeating: 0, count: n * out)
            output.withUnsafeMutableBufferPointer { o in
                gemm(transB: true, m: n, n: out, k: fanIn, a: input, lda: fanIn, b: weights[l], ldb: fanIn,
                     c: o.baseAddress!, ldc: out)
            }
            for r in 0..<n {
                for j in 0..<out {
                    output[r * out + j] += biases[l][j]
                    if l < weights.count - 1 { output[r * out + j] = max(output[r * out + j], 0) }
                }
            }
            activations.append(output)
        }
        return activations
    }
}
