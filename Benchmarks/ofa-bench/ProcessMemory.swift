import Foundation

/// Calls glibc's `mallopt(a, b)` or `malloc_trim(a)` (not exported by the Glibc module); a no-op elsewhere.
func glibcMalloc(_ name: String, _ a: Int32, _ b: Int32 = 0) {
    #if os(Linux)
    guard let f = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return }
    if name == "mallopt" {
        _ = unsafeBitCast(f, to: (@convention(c) (Int32, Int32) -> Int32).self)(a, b)
    } else {
        _ = unsafeBitCast(f, to: (@convention(c) (Int) -> Int32).self)(Int(a))
    }
    #endif
}

/// Resets the process's peak resident size (VmHWM) to its current resident size.
func resetHighWater() {
    guard let f = fopen("/proc/self/clear_refs", "w") else { return }
    fputs("5", f)
    fclose(f)
}

/// A `/proc/self/status` field in kB (e.g. "VmRSS:"), 0 when absent.
func procStatusKB(_ key: String) -> Int {
    guard let f = fopen("/proc/self/status", "r") else { return 0 }   // size 0 on disk: read it line by line
    defer { fclose(f) }
    var line = [CChar](repeating: 0, count: 512)
    while fgets(&line, Int32(line.count), f) != nil {
        let text = String(cString: line)
        if text.hasPrefix(key) { return Int(text.dropFirst(key.count).split(whereSeparator: \.isWhitespace).first ?? "") ?? 0 }
    }
    return 0
}
