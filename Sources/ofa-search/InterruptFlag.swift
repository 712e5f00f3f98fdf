import Foundation

/// Ctrl-C (SIGINT) or SIGTERM as a flag that long loops poll, so an interrupted command stops between steps
/// (finishing the one under way). A second signal ends the process at once (the default action is restored by the
/// first).
///
/// Debug switch: `OFA_INTERRUPT_AFTER_STEPS=N` raises the flag as Ctrl-C would once `stepFinished()` has been
/// called N times (tests of `train --resume` use it to interrupt at an exact step).
final class InterruptFlag: Sendable {
    nonisolated(unsafe) private static var raised: sig_atomic_t = 0
    nonisolated(unsafe) private static var stepsLeft: Int? = ProcessInfo.processInfo.environment["OFA_INTERRUPT_AFTER_STEPS"].flatMap { Int($0) }

    /// Installs the SIGINT and SIGTERM handlers and returns the flag.
    static func install() -> InterruptFlag {
        for s in [SIGINT, SIGTERM] {
            signal(s) { received in
                InterruptFlag.raised = 1
                signal(received, SIG_DFL)
            }
        }
        return InterruptFlag()
    }

    var isSet: Bool { Self.raised != 0 }

    /// Counts one finished training step (for `OFA_INTERRUPT_AFTER_STEPS`).
    func stepFinished() {
        guard let left = Self.stepsLeft else { return }
        Self.stepsLeft = left - 1
        if left - 1 <= 0 { Self.raised = 1 }
    }
}
