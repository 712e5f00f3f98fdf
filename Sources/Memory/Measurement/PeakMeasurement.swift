/// A measurement of what a stretch of a process holds at its peak, for checking a budget: started before the first
/// allocation to count, finished after the last.
///
/// Concretely, `start` reads the process's lifetime peak (VmHWM), makes freed memory visible
/// (`ProcessMemory.releaseFreedMemory()`), resets the peak to the resident size and reads that size (VmRSS);
/// `finish` reads the peak again. The growth is VmHWM − VmRSS at the start; the process peak is the larger of the
/// two peaks. An unreadable status file or a missing field throws, so a budget check never passes unmeasured.
public struct PeakMeasurement: Sendable {
    /// The status file read (`ProcessMemory.statusPath`).
    public let statusPath: String
    let lifetimePeakKB: Int, residentKB: Int

    /// What a measurement read.
    public struct Result: Sendable, Equatable, Codable {
        /// Peak resident growth over the resident size at the start, bytes.
        public var peakGrowthBytes: Int
        /// The whole process's peak resident size, from its start, bytes.
        public var processPeakBytes: Int
        public init(peakGrowthBytes: Int, processPeakBytes: Int) {
            self.peakGrowthBytes = peakGrowthBytes; self.processPeakBytes = processPeakBytes
        }
    }

    /// Starts measuring.
    /// - Throws: ``MeasurementError`` when `statusPath` or its VmHWM/VmRSS cannot be read.
    public static func start(
        statusPath: String = ProcessMemory.statusPath
    ) throws(MeasurementError) -> PeakMeasurement {
        let lifetime = try ProcessMemory.requiredKB("VmHWM:", statusPath)
        ProcessMemory.releaseFreedMemory()
        ProcessMemory.resetPeak()
        return PeakMeasurement(statusPath: statusPath, lifetimePeakKB: lifetime,
                               residentKB: try ProcessMemory.requiredKB("VmRSS:", statusPath))
    }

    /// The growth and process peak so far.
    /// - Throws: ``MeasurementError`` when the status file can no longer be read.
    public func finish() throws(MeasurementError) -> Result {
        let peak = try ProcessMemory.requiredKB("VmHWM:", statusPath)
        return Result(peakGrowthBytes: max(0, peak - residentKB) * 1024,
                      processPeakBytes: max(peak, lifetimePeakKB) * 1024)
    }

    /// How the growth is measured, for certificates.
    public static let method = "VmHWM − VmRSS from before the trainer's first allocation "
        + "(Linux /proc/self/status, peak reset through /proc/self/clear_refs); "
        + "process peak = VmHWM over the whole process"
}

/// A training run's memory against its budget: the plan, and what the training process measured of itself.
public struct MemoryCertificate: Sendable, Equatable, Codable {
    public var budgetBytes: Int
    /// What the budget counts of the plan (arena, input batch, image transform, runtime), bytes.
    public var plannedBytes: Int
    public var measured: PeakMeasurement.Result

    public init(budgetBytes: Int, plannedBytes: Int, measured: PeakMeasurement.Result) {
        self.budgetBytes = budgetBytes; self.plannedBytes = plannedBytes; self.measured = measured
    }

    /// Whether the measured growth is within the budget (the plan is checked before training:
    /// ``checkPlan(_:budget:)``).
    public var passes: Bool { measured.peakGrowthBytes <= budgetBytes }

    /// - Throws: ``BudgetError/planOver(planned:budget:)`` when `planned` exceeds `budget`.
    public static func checkPlan(_ planned: Int, budget: Int) throws(BudgetError) {
        if planned > budget { throw .planOver(planned: planned, budget: budget) }
    }

    /// - Throws: ``BudgetError/measuredOver(measured:planned:budget:)`` unless ``passes``.
    public func check() throws(BudgetError) {
        if !passes {
            throw .measuredOver(measured: measured.peakGrowthBytes, planned: plannedBytes, budget: budgetBytes)
        }
    }
}

/// A training run over its memory budget.
public enum BudgetError: Error, Equatable, CustomStringConvertible {
    case planOver(planned: Int, budget: Int)
    case measuredOver(measured: Int, planned: Int, budget: Int)

    public var description: String {
        switch self {
        case .planOver(let planned, let budget):
            return "the planned training memory \(ByteCount.format(planned)) "
                + "exceeds the budget \(ByteCount.format(budget)) — "
                + "raise the budget, or lower the resolution or batch"
        case .measuredOver(let measured, let planned, let budget):
            return "measured training memory \(ByteCount.format(measured)) "
                + "exceeds the budget \(ByteCount.format(budget)) "
                + "(planned \(ByteCount.format(planned))) — the certificate fails; report this as a planner bug"
        }
    }
}
