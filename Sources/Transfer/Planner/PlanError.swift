import Foundation

/// Why a training graph cannot be planned for a batch and resolution.
public enum PlanError: Error, Equatable, Sendable {
    /// A window (pooling or a valid conv) is larger than its input at this resolution.
    case inputTooSmall(op: String, height: Int, width: Int, window: Int, resolution: Int)
    case invalidBatch(Int)
}

extension PlanError: LocalizedError {
    public var errorDescription: String? {
        switch self {
        case let .inputTooSmall(op, h, w, window, resolution):
            return "\(op): its \(h)x\(w) input is smaller than its \(window)x\(window) window at resolution \(resolution)"
                + " — HINT: choose a larger resolution (lite residual branches pool by 2 in every block)"
        case let .invalidBatch(n):
            return "batch size \(n) is not positive — HINT: pass a batch of at least 1"
        }
    }
}
