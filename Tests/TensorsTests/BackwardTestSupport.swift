import OFATestSupport
import Tensors
import Testing

/// A conv, depthwise or pooling shape for the backward tests.
struct GeometryCase: CustomTestStringConvertible, Sendable {
    let batch, height, width, cin, cout, kernel, stride, groups: Int
    let padding: Padding

    init(_ batch: Int, _ height: Int, _ width: Int, _ cin: Int, _ cout: Int, k kernel: Int, s stride: Int = 1,
         g groups: Int = 1, _ padding: Padding = .symmetric) {
        (self.batch, self.height, self.width, self.cin, self.cout) = (batch, height, width, cin, cout)
        (self.kernel, self.stride, self.groups, self.padding) = (kernel, stride, groups, padding)
    }

    /// A depthwise (or pooling) shape: C channels in and out, one group per channel.
    static func depthwise(_ batch: Int, _ height: Int, _ width: Int, _ c: Int, k: Int, s: Int = 1, _ padding: Padding = .symmetric) -> Self {
        Self(batch, height, width, c, c, k: k, s: s, g: c, padding)
    }

    var geometry: ConvGeometry {
        ConvGeometry(batch: batch, height: height, width: width, inChannels: cin, outChannels: cout,
                     kernel: kernel, stride: stride, groups: groups, padding: padding)
    }
    var testDescription: String { "n\(batch) \(height)x\(width) \(cin)->\(cout) k\(kernel) s\(stride) g\(groups) \(padding)" }
}

/// Runs a backward kernel into a zeroed buffer of `count` floats and returns the gradient.
func gradient(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
    var g = [Float](repeating: 0, count: count)
    g.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    return g
}

/// Expects `analytic` — a kernel's gradient of L = Σ forward(p)·r, computed with dy = r — to match central
/// differences of L evaluated in Double at p.
func expectGradient(
    _ what: String, _ analytic: [Float], at p: [Float], r: [Float], tolerance: Double = 1e-4,
    sourceLocation: SourceLocation = #_sourceLocation, forward: ([Double]) -> [Double]
) {
    let numeric = GradientCheck.numericGradient(at: p.doubles) { GradientCheck.dot(forward($0), r) }
    let comparison = GradientComparison(analytic, numeric, tolerance: tolerance)
    #expect(comparison.passes, "\(what): \(comparison)", sourceLocation: sourceLocation)
}

/// Expects a fast kernel's result to match its reference loop within `tolerance` of the reference's largest magnitude.
func expectAgreement(
    _ what: String, _ fast: [Float], _ reference: [Float], tolerance: Double = 1e-5,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let comparison = GradientComparison(fast, reference, tolerance: tolerance)
    #expect(comparison.passes, "\(what): \(comparison)", sourceLocation: sourceLocation)
}

/// Random values in [-1, 1] that stay at least `margin` away from every point in `kinks`.
func randomAvoiding(_ count: Int, in range: ClosedRange<Float> = -1...1, kinks: [Float], margin: Float = 0.02, seed: UInt64) -> [Float] {
    var rng = SplitMix64(seed: seed)
    return (0..<count).map { _ in
        while true {
            let v = Float.random(in: range, using: &rng)
            if kinks.allSatisfy({ abs(v - $0) > margin }) { return v }
        }
    }
}

func random(_ count: Int, in range: ClosedRange<Float> = -1...1, seed: UInt64) -> [Float] {
    Tensor.random(shape: [count], in: range, seed: seed).values
}
