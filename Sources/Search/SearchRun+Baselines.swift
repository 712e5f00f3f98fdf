import Foundation
import Memory
import Supernets
import Transfer

extension SearchRun {
    /// Phase 4 (with `--baselines`): the obvious choices the search must beat (`obviousChoices()`: the max subnet
    /// with each searched method at the largest searched resolution whose plan fits), trained exactly like the
    /// winner: in a fresh `ofa-search train` process each, same epochs, data, seed and budget check. One equal to
    /// the winner is not trained twice. Their trained files are not kept.
    func baselines(winner: TrainedWinner) throws -> [SearchSummary.Baseline] {
        var out: [SearchSummary.Baseline] = []
        for config in try obviousChoices() {
            let method = factory.method(config), name = "max subnet, \(method.name)"
            if config == winner.member.config {
                report("baseline \(name) at \(config.r)px is the winner: its final training counts")
                out.append(.init(name: name, method: method.name, arch: config.json, resolution: config.r,
                                 plannedBytes: winner.memory.plannedBytes, measuredBytes: winner.training.measuredBytes,
                                 testTop1: winner.training.testTop1, testTop5: winner.training.testTop5))
                continue
            }
            report("baseline \(name) at \(config.r)px: \(settings.finalEpochs) epochs")
            let output = url("baseline-\(method.name).h5")
            let t = try trainCertified(config, label: "baseline", output: output,
                                       provenance: jsonObject(["run_directory": directory.path, "baseline": name]))
            try? FileManager.default.removeItem(at: output)
            report(String(format: "baseline %@ at %dpx: test top-1 %.2f%%, planned %@, measured %@", name, config.r,
                          100 * t.testTop1, ByteCount.format(t.plannedBytes), ByteCount.format(t.measuredBytes)))
            out.append(.init(name: name, method: method.name, arch: config.json, resolution: config.r,
                             plannedBytes: t.plannedBytes, measuredBytes: t.measuredBytes, testTop1: t.testTop1,
                             testTop5: t.testTop5))
        }
        return out
    }
}
