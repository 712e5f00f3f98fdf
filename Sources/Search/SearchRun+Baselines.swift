import Foundation
import Memory
import Supernets
import Transfer

extension SearchRun {
    /// Phase 4 (with `--baselines`): the obvious choices the search must beat (`obviousChoices()`: the max subnet
    /// with each searched method at the largest searched resolution whose plan fits), trained exactly like the
    /// winner (same final epochs, data, seed). One equal to the winner is not trained twice.
    func baselines(winner: TrainedWinner) throws -> [SearchSummary.Baseline] {
        var out: [SearchSummary.Baseline] = []
        for config in try obviousChoices() {
            let method = factory.method(config), name = "max subnet, \(method.name)"
            if config == winner.member.config {
                report("baseline \(name) at \(config.r)px is the winner: its final training counts")
                out.append(.init(name: name, method: method.name, arch: config.json, resolution: config.r,
                                 plannedBytes: winner.memory.plannedBytes, measuredBytes: winner.measuredBytes,
                                 testTop1: winner.testTop1, testTop5: winner.testTop5))
                continue
            }
            report("baseline \(name) at \(config.r)px: \(settings.finalEpochs) epochs")
            let t = try train(config, label: "baseline")
            report(String(format: "baseline %@ at %dpx: test top-1 %.2f%%, planned %@, measured %@", name, config.r,
                          100 * t.test.top1, ByteCount.format(t.memory.plannedBytes), ByteCount.format(t.measured)))
            out.append(.init(name: name, method: method.name, arch: config.json, resolution: config.r,
                             plannedBytes: t.memory.plannedBytes, measuredBytes: t.measured, testTop1: t.test.top1,
                             testTop5: t.test.top5))
        }
        return out
    }
}
