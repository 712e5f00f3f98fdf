import Foundation

/// How history numbers are written for people: sizes in MB (10^6 bytes), accuracies in percent, durations
/// in h/min/s. (`History` does not depend on `Memory`, whose `ByteCount.format` writes the same MB.)
public enum HistoryFormat {
    /// "28.13 MB" (10^6 bytes).
    public static func megabytes(_ bytes: Int) -> String {
        String(format: "%.2f MB", Double(bytes) / 1e6)
    }

    /// "81.2%" for 0.8123; "–" for nil.
    public static func percent(_ fraction: Double?) -> String {
        fraction.map { String(format: "%.1f%%", $0 * 100) } ?? "–"
    }

    /// "12.4 s", "3 min 05 s", "1 h 02 min".
    public static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let total = Int(seconds.rounded())
        if total < 3600 { return String(format: "%d min %02d s", total / 60, total % 60) }
        return String(format: "%d h %02d min", total / 3600, total % 3600 / 60)
    }

    /// "301.2" MFLOPs.
    public static func mflops(_ value: Double) -> String { String(format: "%.1f", value) }
}

/// Small statistics shared by the analyses.
enum Statistics {
    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }

    /// Sample standard deviation (n − 1); 0 for fewer than two values.
    static func standardDeviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let m = mean(values)
        return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
    }

    /// The median (mean of the middle two for an even count); nan when empty.
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
