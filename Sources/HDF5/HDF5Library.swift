import CHDF5
import Foundation

/// Process-wide access to libhdf5: the one lock every call takes, and the library's error stack.
///
/// We treat libhdf5 as not thread-safe (the serial build's default), so every call into it from this
/// module runs inside ``HDF5Library/withLock(_:)``. The lock is recursive (an `NSRecursiveLock`, not a
/// plain `NSLock`) because an ``HDF5Handle`` may be released, and so closed, while a locked block
/// that created it is still running.
///
/// Debian builds its serial libhdf5 with `H5_HAVE_THREADSAFE`, which makes the error stack and its
/// automatic printing *per thread*. So automatic printing is switched off on each outermost lock
/// entry, whichever thread it comes from, not just once per process.
enum HDF5Library {
    private static let lock = NSRecursiveLock()
    /// Nesting depth of ``withLock(_:)``; read and written only with `lock` held.
    nonisolated(unsafe) private static var depth = 0

    /// Runs once, before the first call: initialises the library.
    private static let setUp: Void = { _ = H5open() }()

    /// Runs `body` holding the global libhdf5 lock, with libhdf5's automatic error printing off, so
    /// failures reach the caller as ``HDF5Error`` values instead of stderr dumps.
    static func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer {
            depth -= 1
            lock.unlock()
        }
        depth += 1
        if depth == 1 {
            _ = setUp
            _ = H5Eset_auto2(hid_t(H5E_DEFAULT), nil, nil)
        }
        return try body()
    }

    /// The innermost description on libhdf5's current error stack (the place the failure was
    /// detected, e.g. "truncated file: eof = 1024, ..."), then clears the stack. Call with the lock held.
    static func takeErrorMessage() -> String? {
        final class Collector { var messages: [String] = [] }
        let collector = Collector()
        withExtendedLifetime(collector) {
            let context = Unmanaged.passUnretained(collector).toOpaque()
            // H5E_WALK_UPWARD starts at the innermost (most specific) frame and ends at the API call.
            _ = H5Ewalk2(hid_t(H5E_DEFAULT), H5E_WALK_UPWARD, { _, entry, context in
                guard let entry, let context else { return 0 }
                let collector = Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue()
                // `desc` is borrowed from the error stack; copy it before the stack is cleared.
                if let desc = entry.pointee.desc {
                    let text = String(cString: desc).split(whereSeparator: \.isNewline).joined(separator: " ")
                    collector.messages.append(text)
                }
                return 0
            }, context)
        }
        _ = H5Eclear2(hid_t(H5E_DEFAULT))
        return collector.messages.first { !$0.isEmpty }
    }

    /// Discards whatever is on libhdf5's error stack (after a probe that was allowed to fail).
    static func clearErrors() {
        _ = H5Eclear2(hid_t(H5E_DEFAULT))
    }
}
