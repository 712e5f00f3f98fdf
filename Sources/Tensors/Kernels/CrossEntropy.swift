import Foundation

/// Softmax cross-entropy with label smoothing: returns the mean loss over the batch and accumulates its
/// gradient with respect to the logits.
///
/// Concretely (PyTorch `CrossEntropyLoss(label_smoothing: ls)`, reduction "mean"): with
/// log p[n,k] = z[n,k] − logΣ_j e^(z[n,j]) and target t[n,k] = (1 − ls)·[k = label[n]] + ls/K,
/// loss = (1/N) Σ_n −Σ_k t[n,k]·log p[n,k]; dz[n,k] += (p[n,k] − t[n,k]) / N.
/// Computed in Double with the max subtracted, so large logits neither overflow nor lose the loss.
///
/// Layouts: logits, dlogits (N, K); labels (N) in 0..<K. Pass nil for `dlogits` to evaluate only.
/// - Precondition: every label is in 0..<K; 0 ≤ ls ≤ 1.
/// ### References
/// Szegedy et al., "Rethinking the Inception Architecture" (label smoothing), 2015, https://arxiv.org/abs/1512.00567
public func softmaxCrossEntropy(
    logits: UnsafePointer<Float>, labels: UnsafePointer<Int>, batch: Int, classes: Int,
    labelSmoothing: Float = 0, dlogits: UnsafeMutablePointer<Float>?
) -> Float {
    precondition(batch > 0 && classes > 0 && (0...1).contains(labelSmoothing), "softmaxCrossEntropy: N \(batch), K \(classes), ls \(labelSmoothing)")
    let ls = Double(labelSmoothing), k = Double(classes), invN = 1 / Double(batch)
    var total = 0.0
    for n in 0..<batch {
        let z = logits + n * classes, label = labels[n]
        precondition(label >= 0 && label < classes, "softmaxCrossEntropy: label \(label) outside 0..<\(classes)")
        var m = -Double.infinity
        for i in 0..<classes { m = Swift.max(m, Double(z[i])) }
        var sumExp = 0.0, sumZ = 0.0
        for i in 0..<classes { sumExp += Foundation.exp(Double(z[i]) - m); sumZ += Double(z[i]) }
        let logSum = m + Foundation.log(sumExp)
        // −Σ_k t_k log p_k = (1 − ls)·(logSum − z_label) + (ls/K)·(K·logSum − Σ_k z_k).
        total += (1 - ls) * (logSum - Double(z[label])) + ls / k * (k * logSum - sumZ)
        guard let dlogits else { continue }
        let d = dlogits + n * classes
        for i in 0..<classes {
            let p = Foundation.exp(Double(z[i]) - logSum)
            let t = (i == label ? 1 - ls : 0) + ls / k
            d[i] += Float((p - t) * invN)
        }
    }
    return Float(total * invN)
}
