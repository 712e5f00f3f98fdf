import Foundation

/// The process's resident memory, as Linux reports it in /proc/self/status, for measuring what training really
/// holds: reset the peak, run, read the peak's growth over the resident size at the reset.
/// On other systems these readings are 0; a budget check reads through ``PeakMeasurement``, which fails instead.
public enum ProcessMemory {
    /// The status file budget checks read: /proc/self/status, or `OFA_PROC_STATUS` when set (for tests: a missing
    /// file, or one with chosen VmRSS/VmHWM, so the checks' failures can be exercised).
    public static var statusPath: String {
        ProcessInfo.processInfo.environment["OFA_PROC_STATUS"] ?? "/proc/self/status"
    }

    /// Current resident set size (VmRSS), bytes.
    public static var residentBytes: Int { statusKB("VmRSS:") * 1024 }

    /// Peak resident set size since start or the last `resetPeak()` (VmHWM), bytes.
    public static var peakBytes: Int { statusKB("VmHWM:") * 1024 }

    /// Resets the peak (VmHWM) to the current resident size: writes "5" to /proc/self/clear_refs.
    public static func resetPeak() {
        guard let f = fopen("/proc/self/clear_refs", "w") else { return }
        fputs("5", f)
        fclose(f)
    }

    /// Makes freed memory visible to measurement: allocations of 32 KiB or more become their own mappings
    /// (glibc's `M_MMAP_THRESHOLD` fixed, instead of growing after frees), the heap returns its free top at once
    /// and grows by what is asked only (`M_TRIM_THRESHOLD`, `M_TOP_PAD` 0), worker threads allocate from that
    /// one heap rather than arenas of their own (`M_ARENA_MAX` 1), and every free page goes back to the
    /// system now (`malloc_trim(0)`). Without this, buffers freed by earlier work are reused without touching new
    /// pages and the growth reads near 0; and the free heap top glibc keeps for reuse (up to 128 KiB, plus
    /// padding) creeps up by about 0.5 MB over a few hundred steps of image loading (seen on flowers5). A no-op
    /// outside glibc.
    /// Call at process start (before threads), then again before measuring.
    public static func releaseFreedMemory() {
        #if os(Linux)
        let process = UnsafeMutableRawPointer(bitPattern: 0)
        if let f = dlsym(process, "mallopt") {
            let mallopt = unsafeBitCast(f, to: (@convention(c) (Int32, Int32) -> Int32).self)
            _ = mallopt(-3, 32 * 1024)   // M_MMAP_THRESHOLD
            _ = mallopt(-1, 0)           // M_TRIM_THRESHOLD: return a free heap top at once
            _ = mallopt(-2, 0)           // M_TOP_PAD: grow the heap by what is asked only
            _ = mallopt(-8, 1)           // M_ARENA_MAX: worker threads share the one heap (no per-thread arenas)
        }
        if let f = dlsym(process, "malloc_trim") { _ = unsafeBitCast(f, to: (@convention(c) (Int) -> Int32).self)(0) }
        #endif
    }

    /// Bytes a training process adds outside the trainer's arena and the data it is fed, counted by the search's
    /// memory estimates and the training benchmark's plan. Itemised from /proc/self/smaps before and after the
    /// first steps of a fresh process (`Benchmarks/train_memory.sh` configuration, 128 px batch 8, 2 threads):
    /// OpenBLAS's packing buffers 1.2 MB, code pages first run (Swift runtime, OpenBLAS kernels, ours) 0.8 MB,
    /// the trainer's bookkeeping (its plan, on the heap) 0.4–1 MB, worker thread stacks 0.2 MB. Measured totals
    /// 1.5–2.2 MB with 1 thread and 1.8–2.9 MB with 2 threads over 128 and 224 px, batches 1 and 8, and 3.31 MB for
    /// the first run of `Benchmarks/memory_sweep.sh` (the shipped supernet's max subnet); less in a process that has
    /// trained before (0.12–0.84 MB after a search). Counted as 3.5 MB.
    public static let runtimeOverheadBytes = 3_500_000

    /// `key`'s value in kB from `path`, or a ``MeasurementError``.
    static func requiredKB(_ key: String, _ path: String) throws(MeasurementError) -> Int {
        guard let kB = statusKB(key, path: path) else {
            throw .unreadable(path: path, field: key.dropLast().description)
        }
        return kB
    }

    /// A /proc/self/status field in kB, 0 when absent.
    static func statusKB(_ key: String) -> Int { statusKB(key, path: "/proc/self/status") ?? 0 }

    /// A field in kB of a status file, nil when the file or the field cannot be read. The file has size 0 on disk,
    /// so it is read line by line.
    static func statusKB(_ key: String, path: String) -> Int? {
        guard let f = fopen(path, "r") else { return nil }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 512)
        while fgets(&line, Int32(line.count), f) != nil {
            let text = String(cString: line)
            if text.hasPrefix(key) {
                return Int(text.dropFirst(key.count).split(whereSeparator: \.isWhitespace).first ?? "")
            }
        }
        return nil
    }
}

/// Why a process could not measure its own memory.
public enum MeasurementError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, field: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let field):
            return "cannot measure training memory: \(field) is not readable from \(path) "
                + "(Linux /proc is needed to check a budget)"
        }
    }
}
