import Foundation
import Supernets

extension SearchRun {
    /// The winner and the obvious choices (`members`, with their finalist training at `settings.seed`) trained
    /// again with seeds `seed + 1` … `seed + settings.seeds - 1`: new weights, shuffles and augmentation, the same
    /// validation hold-out, each in its own certified process. Only test top-1 is kept (nothing is chosen on it);
    /// each result is stored as `seed-<seed>-<id>.json`, so a resumed run trains only the rest.
    func repeatWithSeeds(_ members: [(member: Member, training: CertifiedTraining)])
        throws -> [SearchSummary.SeedRepeat] {
        guard settings.seeds > 1 else { return [] }
        let seeds = (0..<UInt64(settings.seeds)).map { settings.seed &+ $0 }
        report("seeds: the winner and the obvious choices trained with seeds "
               + seeds.map(String.init).joined(separator: ", "))
        return try members.map { m, first in
            var top1 = [first.testTop1]
            for seed in seeds.dropFirst() {
                top1.append(try trainWithSeed(m, seed: seed).testTop1)
            }
            let repeated = SearchSummary.SeedRepeat(candidate: m.record.id, seeds: seeds, testTop1: top1)
            report(String(format: "#%d over %d seeds: test top-1 %.2f%% ± %.2f (sample standard deviation)",
                          m.record.id, seeds.count, 100 * repeated.meanTestTop1, 100 * repeated.spreadTestTop1))
            return repeated
        }
    }

    /// One seed's certified training of `m`, or its stored result.
    func trainWithSeed(_ m: Member, seed: UInt64) throws -> CertifiedTraining {
        let resultFile = directory.seedRun(m.record.id, seed: seed, "json")
        if let t = CertifiedTraining.stored(at: resultFile) { return t }
        report("#\(m.record.id), seed \(seed): \(settings.finalEpochs) epochs")
        let weights = directory.seedRun(m.record.id, seed: seed, "h5")
        let provenance = jsonObject(["run_directory": directory.url.path, "candidate": m.record.id,
                                     "seed": Int(truncatingIfNeeded: seed), "tool_version": toolVersion])
        let t = try trainCertified(m.config, seed: seed, label: "#\(m.record.id) seed \(seed)", output: weights,
                                   provenance: provenance)
        try? FileManager.default.removeItem(at: weights)
        try t.store(at: resultFile)
        return t
    }
}
