import Foundation

/// A 256-entry dynamic quantisation map of [−1, 1] (signed) or [0, 1] (unsigned), and the code search of
/// bitsandbytes' CPU quantiser: the map and rounding of its 8-bit optimisers.
///
/// Concretely, the map is `create_dynamic_map(signed, max_exponent_bits=7, total_bits=8)`: for i = 0…6 the
/// midpoints of `linspace(0.1, 1, k + 1)` times 10^(i − 6) (float32), with k = 2^i signed (each also negated)
/// or 2^(i+1) unsigned; then 0 and 1, sorted. Values near 0 are dense (down to 3.25·10⁻⁷) and large ones coarse,
/// which suits moments spanning many orders of magnitude.
///
/// ``code(_:)`` quantises x ∈ [−1, 1] as bitsandbytes 0.50's CPU kernel does (`csrc/cpu_ops.cpp`): through a
/// 65,536-entry table over the grid uᵢ = −1 + 2i/65535, entry i the number of the map's midpoints below uᵢ, at
/// index ⌊((x + 1)·0.5)·65535 + 0.5⌋ (float32 throughout). That is the nearest code to the grid point nearest x,
/// so values within 1.5·10⁻⁵ of 0 get the code of a small non-zero value rather than of 0, unlike the CUDA
/// kernel's exact nearest code: a non-zero second moment never becomes 0, which would turn the next step into
/// m/ε. The two tables (64 KiB each) are static data, like code.
public struct QuantizationMap: Sendable {
    /// The map's values, ascending.
    public let values: [Float]
    /// Grid index → code.
    let table: [UInt8]

    public static let signed = QuantizationMap(signed: true)
    public static let unsigned = QuantizationMap(signed: false)

    static let gridSize = 65_536

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
        let values = data.sorted()
        let midpoints = (0..<255).map { 0.5 * (values[$0] + values[$0 + 1]) }
        var table = [UInt8](repeating: 0, count: Self.gridSize)
        var code = 0
        for i in 0..<Self.gridSize {
            let u = -1 + (2 * Float(i)) / Float(Self.gridSize - 1)
            while code < 255 && midpoints[code] < u { code += 1 }
            table[i] = UInt8(code)
        }
        self.values = values; self.table = table
    }

    /// The code of x (a value divided by its block's absolute maximum; clamped to [−1, 1]).
    @inline(__always)
    public func code(_ x: Float) -> UInt8 {
        let v = min(max(x, -1), 1)
        return table[Int(UInt16((v + 1) * 0.5 * Float(Self.gridSize - 1) + 0.5))]
    }

    /// `torch.linspace(start, end, steps)` in float32 as PyTorch's CPU kernel computes it: start + step·i for the
    /// first half, end − step·(steps − 1 − i) for the rest, each one fused multiply-add.
    static func linspace(_ start: Float, _ end: Float, _ steps: Int) -> [Float] {
        let step = (end - start) / Float(steps - 1)
        return (0..<steps).map { i in
            i < steps / 2 ? start.addingProduct(step, Float(i)) : end.addingProduct(-step, Float(steps - 1 - i))
        }
    }
}
