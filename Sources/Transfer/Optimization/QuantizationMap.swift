import Foundation

/// A 256-entry dynamic quantisation map of [−1, 1] (signed) or [0, 1] (unsigned): bitsandbytes'
/// `create_dynamic_map(signed, max_exponent_bits=7, total_bits=8)`, the map of its 8-bit optimisers.
///
/// Concretely, for exponent i = 0…6 the map holds the midpoints of `linspace(0.1, 1, k + 1)` (float32) scaled by
/// 10^(i − 6), with k = 2^i signed (each also negated) or 2^(i+1) unsigned; then 0 and 1, sorted. Values near 0
/// are dense (down to 5.5·10⁻⁷) and large ones coarse, which suits moments spanning many orders of magnitude.
/// ``nearest(_:)`` picks the code of the closest value, the lower one on a tie.
public struct QuantizationMap: Sendable {
    /// The map's values, ascending.
    public let values: [Float]
    /// The code of the value 0.
    public let zeroCode: UInt8

    public static let signed = QuantizationMap(signed: true)
    public static let unsigned = QuantizationMap(signed: false)

    init(signed: Bool) {
        var data: [Float] = []
        for i in 0..<7 {
            let k = signed ? 1 << i : 1 << (i + 1)
            let b = Self.linspace(0.1, 1, k + 1), scale = Float(pow(10.0, Double(i - 6)))
            let means = (0..<k).map { (b[$0] + b[$0 + 1]) / 2 * scale }
            data += means
            if signed { data += means.map { -$0 } }
        }
        data += [0, 1]
        precondition(data.count == 256)
        values = data.sorted()
        zeroCode = UInt8(values.firstIndex(of: 0)!)
    }

    /// The code of the value closest to x (x in the map's range; the lower code on a tie).
    @inline(__always)
    public func nearest(_ x: Float) -> UInt8 {
        var lo = 0, hi = 255   // values[lo] ≤ x ≤ values[hi] once clamped
        if x <= values[lo] { return 0 }
        if x >= values[hi] { return 255 }
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if values[mid] <= x { lo = mid } else { hi = mid }
        }
        return UInt8(x - values[lo] <= values[hi] - x ? lo : hi)
    }

    /// The code nearest x, found by trying every code (the oracle of the tests).
    func nearestReference(_ x: Float) -> UInt8 {
        var best = 0
        for c in 1..<256 where abs(values[c] - x) < abs(values[best] - x) { best = c }
        return UInt8(best)
    }

    /// `torch.linspace(start, end, steps)` in float32: start + step·i for the first half, end − step·(steps − 1 − i)
    /// for the rest.
    static func linspace(_ start: Float, _ end: Float, _ steps: Int) -> [Float] {
        let step = (end - start) / Float(steps - 1)
        return (0..<steps).map { $0 < steps / 2 ? start + step * Float($0) : end - step * Float(steps - 1 - $0) }
    }
}
