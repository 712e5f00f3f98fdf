import Foundation

/// Ctrl-C as a flag that long loops poll, so an interrupted command stops between steps and writes nothing.
/// A second Ctrl-C ends the process at once (the default action is restored by the first).
final class InterruptFlag: Sendable {
    nonisolated(unsafe) private static var raised: sig_atomic_t = 0

    /// Installs the SIGINT handler and returns the flag.
    static func install() -> InterruptFlag {
        signal(SIGINT) { _ in
            InterruptFlag.raised = 1
            signal(SIGINT, SIG_DFL)
        }
        return InterruptFlag()
    }

    var isSet: Bool { Self.raised != 0 }
}
