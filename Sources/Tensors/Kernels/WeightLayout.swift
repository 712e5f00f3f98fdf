/// Conversions between PyTorch weight layouts and the engine's.
public enum WeightLayout {
    /// PyTorch conv weight (O, I/g, kh, kw) → engine (O, kh, kw, I/g).
    public static func convFromTorch(_ w: [Float], outChannels o: Int, inPerGroup i: Int, kernel k: Int) -> [Float] {
        precondition(w.count == o * i * k * k, "conv weight has \(w.count) values, expected \(o)x\(i)x\(k)x\(k)")
        var out = [Float](repeating: 0, count: w.count)
        for oc in 0..<o { for ic in 0..<i { for ky in 0..<k { for kx in 0..<k {
            out[((oc * k + ky) * k + kx) * i + ic] = w[((oc * i + ic) * k + ky) * k + kx]
        } } } }
        return out
    }

    /// PyTorch depthwise weight (C, 1, kh, kw) → engine (kh, kw, C).
    public static func depthwiseFromTorch(_ w: [Float], channels c: Int, kernel k: Int) -> [Float] {
        precondition(w.count == c * k * k, "depthwise weight has \(w.count) values, expected \(c)x1x\(k)x\(k)")
        var out = [Float](repeating: 0, count: w.count)
        for ch in 0..<c { for t in 0..<(k * k) { out[t * c + ch] = w[ch * k * k + t] } }
        return out
    }

    /// Engine conv weight (O, kh, kw, I/g) → PyTorch (O, I/g, kh, kw); the inverse of `convFromTorch`.
    public static func convToTorch(_ w: [Float], outChannels o: Int, inPerGroup i: Int, kernel k: Int) -> [Float] {
        precondition(w.count == o * i * k * k, "conv weight has \(w.count) values, expected \(o)x\(k)x\(k)x\(i)")
        var out = [Float](repeating: 0, count: w.count)
        for oc in 0..<o { for ic in 0..<i { for ky in 0..<k { for kx in 0..<k {
            out[((oc * i + ic) * k + ky) * k + kx] = w[((oc * k + ky) * k + kx) * i + ic]
        } } } }
        return out
    }

    /// Engine depthwise weight (kh, kw, C) → PyTorch (C, 1, kh, kw); the inverse of `depthwiseFromTorch`.
    public static func depthwiseToTorch(_ w: [Float], channels c: Int, kernel k: Int) -> [Float] {
        precondition(w.count == c * k * k, "depthwise weight has \(w.count) values, expected \(k)x\(k)x\(c)")
        var out = [Float](repeating: 0, count: w.count)
        for ch in 0..<c { for t in 0..<(k * k) { out[ch * k * k + t] = w[t * c + ch] } }
        return out
    }
}
