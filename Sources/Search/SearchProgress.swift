import Foundation
import History

/// One moment of a running search: the line people read (`message`) and, for dashboards (`search --progress json`),
/// the same moment as named fields.
public struct SearchProgress: Sendable {
    public enum Kind: String, Sendable {
        /// A line without fields (settings, learning rates, a finalist's training output, …).
        case log
        case phaseStart = "phase_start", phaseEnd = "phase_end"
        /// An adaptation step: epoch, epochs, step, steps, loss, images_per_second, eta_seconds (after warm-up).
        case adaptStep = "adapt_step"
        /// A candidate evaluated: candidate, generation, generations, evaluated, refused, val_top1, planned_bytes,
        /// resolution, method, best_candidate, best_val_top1, eta_seconds (after three evaluations).
        case candidate
        /// A finalist trained: candidate, val_top1, test_top1, planned_bytes, measured_bytes.
        case finalist
        /// The search finished: winner, val_top1, test_top1, test_images, planned_bytes, measured_bytes.
        case finished
    }

    public var kind: Kind
    /// The phase under way (`lr`, `adapt`, `search`, `finalists`), nil outside them.
    public var phase: String?
    public var message: String
    public var fields: [String: JSONValue]

    public init(kind: Kind, phase: String?, message: String, fields: [String: JSONValue] = [:]) {
        self.kind = kind; self.phase = phase; self.message = message; self.fields = fields
    }

    /// One JSON object on one line: `time` (Unix seconds), `event`, `phase`, `message` and the fields.
    public func jsonLine(time: Date = Date()) -> String {
        var object = fields
        object["time"] = .double((time.timeIntervalSince1970 * 1000).rounded() / 1000)
        object["event"] = .string(kind.rawValue)
        object["phase"] = phase.map { .string($0) } ?? .null
        object["message"] = .string(message)
        return JSONValue.object(object).text
    }
}
