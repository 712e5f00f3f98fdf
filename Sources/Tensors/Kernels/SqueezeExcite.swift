/// Squeeze-and-excitation, NHWC: x · gate(expand(act(reduce(mean_HW(x))))).
///
/// Concretely (OFA `SEModule`: reduce and expand are 1x1 convs with bias, act = ReLU, gate = h-sigmoid):
/// s[n,:] = mean over pixels of x[n]; z = act(s · Wrᵀ + br); e = gate(z · Weᵀ + be); y[n,p,c] = x[n,p,c] · e[n,c].
/// Layouts: x, y (N, H·W, C) (y may alias x); Wr (mid, C); We (C, mid); scratch ≥ N·(2C + mid) floats.
public func squeezeExciteForward(
    x: UnsafePointer<Float>, batch: Int, pixels: Int, channels: Int, mid: Int,
    reduceWeight: UnsafePointer<Float>, reduceBias: UnsafePointer<Float>?,
    expandWeight: UnsafePointer<Float>, expandBias: UnsafePointer<Float>?,
    activation: Activation = .relu, gate: Activation = .hsigmoid,
    y: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
) {
    let squeezed = scratch, reduced = scratch + batch * channels, excited = reduced + batch * mid
    globalAvgPoolForward(x: x, batch: batch, pixels: pixels, channels: channels, y: squeezed)
    linearForward(x: squeezed, batch: batch, inFeatures: channels, outFeatures: mid,
                  weight: reduceWeight, bias: reduceBias, activation: activation, y: reduced)
    linearForward(x: reduced, batch: batch, inFeatures: mid, outFeatures: channels,
                  weight: expandWeight, bias: expandBias, activation: gate, y: excited)
    scaleChannelsForward(x: x, batch: batch, pixels: pixels, channels: channels, scale: excited, y: y)
}

/// y[n,p,c] = x[n,p,c] · scale[n,c]. Layouts: x, y (N, H·W, C) (may alias); scale (N, C).
public func scaleChannelsForward(
    x: UnsafePointer<Float>, batch: Int, pixels: Int, channels: Int, scale: UnsafePointer<Float>,
    y: UnsafeMutablePointer<Float>
) {
    for n in 0..<batch {
        let s = scale + n * channels
        for p in 0..<pixels {
            let base = (n * pixels + p) * channels
            for c in 0..<channels { y[base + c] = x[base + c] * s[c] }
        }
    }
}

/// y = a + b elementwise over `count` values (y may alias a or b): residual connections.
public func addForward(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int, y: UnsafeMutablePointer<Float>) {
    for i in 0..<count { y[i] = a[i] + b[i] }
}
