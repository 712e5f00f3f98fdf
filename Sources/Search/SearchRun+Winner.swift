import Datasets
import Foundation
import History
import Memory
import Supernets
import Tensors
import Transfer

/// A finalist's training outcome (in this process, on search-train, scored on validation).
struct FinalistTraining {
    var validation: CandidateEvaluator.Result
}

/// The winner after its final training.
struct TrainedWinner {
    var member: Member
    var training: CertifiedTraining
    /// The search's plan of the winner (the same function the child's budget check uses).
    var memory: MemoryEstimate
}

extension SearchRun {
    /// Phase 3: the winner's final training in a fresh `ofa-search train` process (`trainCertified`), which writes
    /// `best.h5` and fails unless its measured memory is within the budget.
    func retrain(_ best: Member) throws -> TrainedWinner {
        report(String(format: "final training of #%d (validation %.1f%%, %@ planned, %dpx): %d epochs on %d images",
                      best.record.id, 100 * best.fitness, ByteCount.format(best.record.plannedBytes), best.config.r,
                      settings.finalEpochs, data.train.count))
        let memory = try factory.memory(best.config, batch: settings.batch)
        let provenance = jsonObject([
            "dataset": data.name, "dataset_fingerprint": data.fingerprint, "run_directory": directory.path,
            "candidate": best.record.id, "validation_top1": best.fitness,
            "date": ISO8601DateFormatter().string(from: Date()),
            "tool_version": toolVersion, "seed": Int(truncatingIfNeeded: settings.seed),
        ])
        let t = try trainCertified(best.config, label: "retrain", output: url(Self.bestFile), provenance: provenance)
        guard t.plannedBytes == memory.plannedBytes else {
            throw SearchError.invalid("the training process planned \(t.plannedBytes) B for #\(best.record.id), "
                                      + "the search \(memory.plannedBytes) B — "
                                      + "one budget function must give one number; please report this run")
        }
        report("final training: planned \(ByteCount.format(t.plannedBytes)), "
               + "measured peak growth \(ByteCount.format(t.measuredBytes)), "
               + "process peak \(ByteCount.format(t.processPeakBytes)) "
               + "(budget \(ByteCount.format(settings.budgetBytes)), "
               + "\(settings.memScope.rawValue))")
        report(String(format: "test: top-1 %.2f%%, top-5 %.2f%% on %d images", 100 * t.testTop1, 100 * t.testTop5,
                      t.testImages))
        return TrainedWinner(member: best, training: t, memory: memory)
    }

    /// A finalist's training in this process: `config` from the pretrained supernet with its method's fresh lite
    /// residuals (where its placement puts them) and classifier, batch norms re-calibrated on the calibration images,
    /// `epochs` over search-train (`settings.optimizer`, cosine), then validation once — so the choice never sees
    /// test. Not measured: only the winner's training, in its own process, is certified.
    func trainFinalist(_ config: ArchConfig, epochs epochCount: Int) throws -> FinalistTraining {
        let r = config.r, label = "finalist"
        let subnet = try factory.subnet(config, calibration: data.calibrationBatches(resolution: r))
        let graph = factory.freshGraph(subnet, config: config)
        let cache = try finalCache()
        let samples = data.searchTrain
        let stepsPerEpoch = samples.count / settings.batch
        let schedule = CosineSchedule(initialLR: learningRate(config), totalSteps: epochCount * stepsPerEpoch)
        let transform = ImageTransform.train(resolution: r, mean: data.mean, std: data.std)
        var images = 0
        let start = Date()
        let trainer = try Trainer(graph: graph, batch: settings.batch, height: r, width: r,
                                  optimizer: settings.optimizer.make(parameterCounts: graph.trainableParameterCounts),
                                  labelSmoothing: settings.adaptation.labelSmoothing)
        var lastReport = Date()
        for epoch in 0..<epochCount {
            let loader = BatchLoader(samples: samples, transform: transform, batchSize: settings.batch, shuffle: true,
                                     dropLast: true, seed: settings.seed &+ 0xF1A1, epoch: epoch, prefetch: 0,
                                     cache: cache)
            var step = 0, lossSum = 0.0
            while let b = try loader.next() {
                if interrupted() { throw SearchError.interrupted }
                let loss = trainer.trainStep([(b.images, b.labels)],
                                             learningRate: schedule.learningRate(at: epoch * stepsPerEpoch + step))
                guard loss.isFinite else {
                    throw SearchError.nonFiniteLoss(phase: label, step: epoch * stepsPerEpoch + step + 1)
                }
                lossSum += Double(loss); step += 1; images += b.labels.count
                if Date().timeIntervalSince(lastReport) > 10 || step == stepsPerEpoch {
                    lastReport = Date()
                    let rate = Double(images) / max(Date().timeIntervalSince(start), 1e-9)
                    let left = Double(epochCount * stepsPerEpoch * settings.batch - images) / max(rate, 1e-9)
                    report(String(format: "[%@] epoch %d/%d · step %d/%d · loss %.4f · %.1f images/s · ETA %@",
                                  label, epoch + 1, epochCount, step, stepsPerEpoch, lossSum / Double(step), rate,
                                  SearchRun.duration(left)))
                }
            }
        }
        return FinalistTraining(validation: CandidateEvaluator.evaluate(
            trainer, batches: try data.validationBatches(resolution: r, batch: settings.batch)))
    }

    /// The decoded training images, filled once before the first finalist.
    func finalCache() throws -> DecodedImageCache {
        if let cache = trainCache { return cache }
        let cache = DecodedImageCache(capacityBytes: settings.cacheBytes)
        try warm(cache, data.train)
        trainCache = cache
        return cache
    }

    /// Decodes every image of `samples` once into `cache`.
    func warm(_ cache: DecodedImageCache, _ samples: [Sample]) throws {
        let loader = BatchLoader(samples: samples, transform: .evaluate(resolution: 32, mean: data.mean, std: data.std),
                                 batchSize: 64, shuffle: false, seed: 0, cache: cache)
        while try loader.next() != nil { if interrupted() { throw SearchError.interrupted } }
    }

    /// Writes the result into the history, `summary.json` and the report; marks the run finished.
    func finish(winner: TrainedWinner, search: SearchOutcome, finalists: [SearchSummary.Finalist],
                baselines: [SearchSummary.Baseline]) throws -> SearchSummary {
        let m = winner.member
        let structure = factory.space.subnetStructure(m.config)
        let summary = SearchSummary(
            runDirectory: directory.path, dataset: data.name, budgetBytes: settings.budgetBytes,
            memScope: settings.memScope.rawValue,
            method: settings.methodNames, candidatesEvaluated: search.evaluated, candidatesOverBudget: search.rejected,
            generations: search.generations, stoppedEarly: search.stoppedEarly,
            winner: .init(candidate: m.record.id, arch: m.config.json, resolution: m.config.r,
                          validationTop1: m.fitness,
                          testTop1: winner.training.testTop1, testTop5: winner.training.testTop5,
                          testImages: winner.training.testImages,
                          plannedBytes: winner.memory.plannedBytes, measuredBytes: winner.training.measuredBytes,
                          processPeakBytes: winner.training.processPeakBytes, ledger: winner.memory.ledger,
                          formulaBytes: winner.memory.formulaBytes, mflops: structure.mflops(resolution: m.config.r),
                          parameters: structure.parameterCount, finalEpochs: settings.finalEpochs,
                          trainImagesPerSecond: winner.training.imagesPerSecond),
            finalists: finalists, baselines: baselines,
            seconds: try store.phases().reduce(0) {
                $0 + (($1.endedAt ?? Date().timeIntervalSince1970) - $1.startedAt)
            },
            bestFile: url(Self.bestFile).path)
        try summary.write(to: url(Self.summaryFile))
        let result = jsonObject([
            "winner": m.record.id, "arch": RawJSON(m.config.json), "val_top1": m.fitness,
            "test_top1": winner.training.testTop1,
            "test_top5": winner.training.testTop5, "planned_bytes": winner.memory.plannedBytes,
            "measured_bytes": winner.training.measuredBytes, "process_peak_bytes": winner.training.processPeakBytes,
            "ledger": winner.memory.ledger, "budget_bytes": settings.budgetBytes, "final_epochs": settings.finalEpochs,
            "finalists": RawJSON("[" + finalists.map { f in
                jsonObject(["candidate": f.candidate, "method": f.method, "shared_val_top1": f.sharedValidationTop1,
                            "trained_val_top1": f.trainedValidationTop1])
            }.joined(separator: ", ") + "]"),
            "baselines": RawJSON("[" + baselines.map { b in
                jsonObject(["name": b.name, "arch": RawJSON(b.arch), "resolution": b.resolution,
                            "planned_bytes": b.plannedBytes, "measured_bytes": b.measuredBytes,
                            "test_top1": b.testTop1])
            }.joined(separator: ", ") + "]"),
        ])
        try store.finish(status: "finished", resultJSON: result)
        let report = try HistoryReport.write(runDirectory: directory)
        self.report("wrote \(report.path)")
        return summary
    }
}

/// JSON text spliced into `jsonObject` as is.
struct RawJSON { let text: String; init(_ text: String) { self.text = text } }

/// A JSON object with sorted keys from strings, numbers, dictionaries of numbers and `RawJSON`.
func jsonObject(_ fields: [String: Any]) -> String {
    func value(_ v: Any) -> String {
        switch v {
        case let raw as RawJSON: return raw.text
        case let s as String:
            let e = JSONEncoder(); e.outputFormatting = .withoutEscapingSlashes
            return String(decoding: try! e.encode(s), as: UTF8.self)
        case let i as Int: return String(i)
        case let d as Double: return d.isFinite ? "\(d)" : "null"
        case let dict as [String: Int]: return jsonObject(dict)
        default: preconditionFailure("unsupported JSON value \(v)")
        }
    }
    return "{" + fields.keys.sorted().map { "\(value($0)): \(value(fields[$0]!))" }.joined(separator: ", ") + "}"
}
