import Tensors

/// OFA's elastic kernel (spec §3.2, `KERNEL_TRANSFORM_MODE = 1`): the active k×k depthwise filter of the
/// first `channels` channels of a Kmax×Kmax weight.
///
/// Concretely: from F = W[:channels], for each source size src = Kmax, next smaller … while src > k: take
/// the centre tgt×tgt patch of F (rows/cols c−d…c+d, c = src/2, d = tgt/2), flatten it row-major into v,
/// set v′ = M·v (v′[j] = Σᵢ M[j,i]·v[i]) with M the `<src>to<tgt>_matrix`, and reshape. The chain runs on the
/// transformed intermediate (7→5→3). Without matrices (elastic EfficientNet-Lite0) it is a plain centre crop.
/// - Parameters:
///   - weight: PyTorch layout (C, 1, Kmax, Kmax).
///   - sizes: the position's kernel choices, ascending (e.g. [3, 5, 7]).
///   - matrices: `"7to5"` → (25, 25) row-major, … (empty for a plain crop).
/// - Returns: (channels, 1, k, k), PyTorch layout.
public func activeDepthwiseFilter(
    weight: [Float], maxKernel: Int, channels: Int, kernel k: Int, sizes: [Int], matrices: [String: [Float]]
) -> [Float] {
    var size = maxKernel
    var filter = Array(weight[0..<(channels * maxKernel * maxKernel)])
    for target in sizes.reversed() where target < size && target >= k {
        let offset = size / 2 - target / 2
        var cropped = [Float](repeating: 0, count: channels * target * target)
        for c in 0..<channels {
            for y in 0..<target {
                for x in 0..<target {
                    cropped[(c * target + y) * target + x] = filter[(c * size + y + offset) * size + x + offset]
                }
            }
        }
        if let m = matrices["\(size)to\(target)"] {
            let n = target * target
            var transformed = [Float](repeating: 0, count: cropped.count)
            for c in 0..<channels {
                for j in 0..<n {
                    var sum: Float = 0
                    for i in 0..<n { sum += m[j * n + i] * cropped[c * n + i] }
                    transformed[c * n + j] = sum
                }
            }
            cropped = transformed
        }
        filter = cropped
        size = target
    }
    return filter
}
