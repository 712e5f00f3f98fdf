import Foundation
import Memory
import Supernets
import Transfer

extension SearchRun {
    /// Phase 4 (with `--baselines`): the references the search must beat, trained exactly like the winner (same
    /// final epochs, data, seed): (a) the search's method on the largest subnet at the largest searched resolution
    /// whose plan fits the budget, (b) `last` (classifier only) on the largest subnet, likewise.
    func baselines() throws -> [SearchSummary.Baseline] {
        var out: [SearchSummary.Baseline] = []
        for (name, method) in [("max subnet, \(factory.method.rawValue)", factory.method), ("max subnet, last", TinyTLMethod.last)] {
            let fitting = try settings.resolutions.sorted(by: >).first { r in
                let memory = try factory.memory(ArchConfig.max(factory.space, resolution: r), method: method, batch: settings.batch)
                return memory.bytes(in: settings.memScope) <= settings.budgetBytes
            }
            guard let r = fitting else {
                report("baseline \(name): no searched resolution fits the budget; skipped")
                continue
            }
            let config = ArchConfig.max(factory.space, resolution: r).canonical(in: factory.space)
            report("baseline \(name) at \(r)px: \(settings.finalEpochs) epochs")
            let t = try train(config, method: method, label: "baseline")
            report(String(format: "baseline %@ at %dpx: test top-1 %.2f%%, planned %@, measured %@", name, r, 100 * t.test.top1,
                          ByteCount.format(t.memory.plannedBytes), ByteCount.format(t.measured)))
            out.append(.init(name: name, method: method.rawValue, arch: config.json, resolution: r, plannedBytes: t.memory.plannedBytes,
                             measuredBytes: t.measured, testTop1: t.test.top1, testTop5: t.test.top5))
        }
        return out
    }
}
