import Foundation

/// Two trained models scored on the same images, compared image by image: McNemar's exact test.
///
/// Only the discordant images carry evidence: `wins` that the challenger got right and the reference wrong,
/// `losses` the other way. If both were equally accurate, each discordant image would go either way with
/// probability ½, so the one-sided p-value of the challenger being better is P(X ≥ wins), X ~ Binomial(wins +
/// losses, ½).
public struct PairedComparison: Equatable, Sendable {
    public var wins: Int, losses: Int

    public init(wins: Int, losses: Int) {
        self.wins = wins; self.losses = losses
    }

    /// Compares per-image hits given as "1" (hit) / "0" (miss) strings of the same images in the same order.
    /// - Precondition: equal lengths.
    public init(challenger: String, reference: String) {
        precondition(challenger.count == reference.count,
                     "hits of \(challenger.count) and \(reference.count) images cannot be paired")
        var wins = 0, losses = 0
        for (a, b) in zip(challenger.utf8, reference.utf8) where a != b {
            if a == UInt8(ascii: "1") { wins += 1 } else { losses += 1 }
        }
        self.init(wins: wins, losses: losses)
    }

    /// P(X ≥ wins) for X ~ Binomial(wins + losses, ½); 1 when no image differs.
    public var pValue: Double {
        let n = wins + losses
        guard n > 0 else { return 1 }
        // log C(n, k) built up from k = 0, so that large n neither overflows nor loses the tail.
        var logChoose = 0.0, p = 0.0
        for k in 0...n {
            if k > 0 { logChoose += log(Double(n - k + 1)) - log(Double(k)) }
            if k >= wins { p += exp(logChoose + Double(n) * log(0.5)) }
        }
        return min(p, 1)
    }
}
