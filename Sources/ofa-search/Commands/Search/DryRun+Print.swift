import Foundation
import Memory
import Search

extension DryRun {
    /// Prints the dry run (`--json`: the report in bytes and seconds).
    func print(json: Bool) throws {
        if json { try FileHandleOutput.json(self); return }
        Swift.print(String(format: "space: %.3g subnets × %d resolutions = %.3g candidates (%@)", subnets,
                           resolutions.count, spaceSize, spaceName))
        Swift.print(String(format: "budget %@ (%@): %d of %d random draws fit (%.0f%%); planned memory ranges "
                           + "%@ … %@",
                           ByteCount.format(budgetBytes), memScope, fitting, sampled, 100 * fractionFitting,
                           ByteCount.format(smallestPlannedBytes), ByteCount.format(largestPlannedBytes)))
        Swift.print("data: \(trainImages) search-train, \(validationImages) validation, \(testImages) test images, "
                    + "\(classes) classes")
        let e = estimatedSeconds, total = e.values.reduce(0, +)
        Swift.print("time estimate: learning rates \(SearchRun.duration(e["lr"]!)), "
                    + "adapt \(SearchRun.duration(e["adapt"]!)), "
                    + "search \(SearchRun.duration(e["search"]!)) (\(candidates) candidates), at most \(finalists) "
                    + "finalists \(SearchRun.duration(e["finalists"]!)); total ≈ \(SearchRun.duration(total))")
        if smallestPlannedBytes > budgetBytes {
            Swift.print("no subnet fits: the smallest planned memory is \(ByteCount.format(smallestPlannedBytes)) "
                        + "— raise --mem")
        }
    }
}
