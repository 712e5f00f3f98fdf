import Datasets
import Foundation
import History
import Memory
import Supernets
import Tensors
import Transfer

/// One final training's outcome.
struct FinalTraining {
    var trainer: Trainer, graph: TrainingGraph, subnet: Subnet
    var memory: MemoryEstimate
    /// Peak resident growth of the process over the training, bytes.
    var measured: Int
    var test: CandidateEvaluator.Result
    var imagesPerSecond: Double
}

/// The winner after its final training.
struct TrainedWinner {
    var member: Member
    var testTop1: Double, testTop5: Double, testImages: Int
    var measuredBytes: Int
    var memory: MemoryEstimate
    var imagesPerSecond: Double
}

extension SearchRun {
    /// Phase 3: the winner's final training (`train(_:method:label:)`), the budget check on its measured memory,
    /// and the checkpoint bundle.
    /// - Throws: `SearchError.overBudget` when the measured memory exceeds the budget.
    func retrain(_ best: Member) throws -> TrainedWinner {
        report(String(format: "final training of #%d (validation %.1f%%, %@ planned, %dpx): %d epochs on %d images",
                      best.record.id, 100 * best.fitness, ByteCount.format(best.record.plannedBytes), best.config.r, settings.finalEpochs,
                      data.train.count))
        let t = try train(best.config, label: "retrain")
        report("final training: planned \(ByteCount.format(t.memory.plannedBytes)), measured peak growth \(ByteCount.format(t.measured)) "
               + "(budget \(ByteCount.format(settings.budgetBytes)), \(settings.memScope.rawValue))")
        if settings.memScope == .total && ProcessMemory.isAvailable && t.measured > settings.budgetBytes {
            throw SearchError.overBudget(measured: ByteCount.format(t.measured), budget: ByteCount.format(settings.budgetBytes))
        }
        report(String(format: "test: top-1 %.2f%%, top-5 %.2f%% on %d images", 100 * t.test.top1, 100 * t.test.top5, t.test.images))
        try bundle(t, member: best).write(to: url(Self.bestFile))
        return TrainedWinner(member: best, testTop1: t.test.top1, testTop5: t.test.top5, testImages: t.test.images,
                             measuredBytes: t.measured, memory: t.memory, imagesPerSecond: t.imagesPerSecond)
    }

    /// One final TinyTL training: `config` from the pretrained supernet with its method's fresh lite residuals (where
    /// its placement puts them) and classifier (as `ofa-search train` does), batch norms re-calibrated on the
    /// calibration images, `epochs` (default `finalEpochs`) over the whole training split (`settings.optimizer`, cosine), the
    /// process's peak memory growth measured over the training, then the test split once. A finalist
    /// (`choosing: true`) trains on search-train and is scored on validation instead, so the choice never sees test.
    func train(_ config: ArchConfig, label: String, choosing: Bool = false, epochs: Int? = nil) throws -> FinalTraining {
        let r = config.r
        let subnet = try factory.subnet(config, calibration: data.calibrationBatches(resolution: r))
        let graph = factory.freshGraph(subnet, config: config)
        let memory = try factory.memory(config, batch: settings.batch)
        let cache = try finalCache()
        let samples = choosing ? data.searchTrain : data.train, epochCount = epochs ?? settings.finalEpochs
        let stepsPerEpoch = samples.count / settings.batch
        let schedule = CosineSchedule(initialLR: settings.finalLearningRate, totalSteps: epochCount * stepsPerEpoch)
        let transform = ImageTransform.train(resolution: r, mean: data.mean, std: data.std)
        var images = 0
        let start = Date()
        let (trainer, measured) = try ProcessMemory.measuringPeakGrowth { () throws -> Trainer in
            let trainer = try Trainer(graph: graph, batch: settings.batch, height: r, width: r,
                                      optimizer: settings.optimizer.make(parameterCounts: graph.trainableParameterCounts),
                                      labelSmoothing: settings.adaptation.labelSmoothing)
            var lastReport = Date()
            for epoch in 0..<epochCount {
                let loader = BatchLoader(samples: samples, transform: transform, batchSize: settings.batch, shuffle: true, dropLast: true,
                                         seed: settings.seed &+ 0xF1A1, epoch: epoch, prefetch: 0, cache: cache)
                var step = 0, lossSum = 0.0
                while let b = try loader.next() {
                    if interrupted() { throw SearchError.interrupted }
                    let loss = trainer.trainStep([(b.images, b.labels)], learningRate: schedule.learningRate(at: epoch * stepsPerEpoch + step))
                    guard loss.isFinite else { throw SearchError.nonFiniteLoss(phase: label, step: epoch * stepsPerEpoch + step + 1) }
                    lossSum += Double(loss); step += 1; images += b.labels.count
                    if Date().timeIntervalSince(lastReport) > 10 || step == stepsPerEpoch {
                        lastReport = Date()
                        let rate = Double(images) / max(Date().timeIntervalSince(start), 1e-9)
                        let left = Double(epochCount * stepsPerEpoch * settings.batch - images) / max(rate, 1e-9)
                        report(String(format: "[%@] epoch %d/%d · step %d/%d · loss %.4f · %.1f images/s · ETA %@", label, epoch + 1,
                                      epochCount, step, stepsPerEpoch, lossSum / Double(step), rate, SearchRun.duration(left)))
                    }
                }
            }
            return trainer
        }
        let rate = Double(images) / max(Date().timeIntervalSince(start), 1e-9)
        let test = CandidateEvaluator.evaluate(trainer, batches: choosing ? try data.validationBatches(resolution: r, batch: settings.batch)
                                                                           : try data.testBatches(resolution: r, batch: settings.batch))
        return FinalTraining(trainer: trainer, graph: graph, subnet: subnet, memory: memory, measured: measured,
                             test: test, imagesPerSecond: rate)
    }

    /// The decoded training images, filled once before the first measured training (so the cache's growth is not
    /// counted as training memory).
    func finalCache() throws -> DecodedImageCache {
        if let cache = trainCache { return cache }
        let cache = DecodedImageCache(capacityBytes: settings.cacheBytes)
        try warm(cache, data.train)
        trainCache = cache
        return cache
    }

    /// Decodes every image of `samples` once into `cache`, so the measured training does not count the cache filling.
    func warm(_ cache: DecodedImageCache, _ samples: [Sample]) throws {
        let loader = BatchLoader(samples: samples, transform: .evaluate(resolution: 32, mean: data.mean, std: data.std), batchSize: 64,
                                 shuffle: false, seed: 0, cache: cache)
        while try loader.next() != nil { if interrupted() { throw SearchError.interrupted } }
    }

    /// The checkpoint bundle: the trained network with its certificate and provenance.
    func bundle(_ t: FinalTraining, member: Member) -> TrainedSubnetFile {
        let (trainer, graph, subnet, memory, measured, test) = (t.trainer, t.graph, t.subnet, t.memory, t.measured, t.test)
        let r = member.config.r
        let metrics = TrainedSubnetFile.Metrics(evalSplit: data.testSplit.rawValue, evalImages: test.images, evalTop1: test.top1, evalTop5: test.top5,
                                                evalLoss: test.loss, trainLoss: 0, trainTop1: 0, epochs: settings.finalEpochs)
        let certificate = jsonObject([
            "budget_bytes": settings.budgetBytes, "mem_scope": settings.memScope.rawValue, "planned_peak_bytes": memory.plannedBytes,
            "planned_activation_bytes": memory.activationBytes, "arena_bytes": memory.arenaBytes, "ledger": memory.ledger, "measured_peak_growth_bytes": measured,
            "measured_with": "VmHWM - VmRSS before the trainer was created (Linux /proc/self/status)",
            "formula_bytes": memory.formulaBytes, "batch": settings.batch, "resolution": r,
        ])
        let provenance = jsonObject([
            "dataset": data.name, "dataset_fingerprint": data.fingerprint, "run_directory": directory.path,
            "candidate": member.record.id, "validation_top1": member.fitness, "date": ISO8601DateFormatter().string(from: Date()),
            "tool_version": toolVersion, "seed": Int(truncatingIfNeeded: settings.seed),
        ])
        let training = jsonObject([
            "optimizer": settings.optimizer.rawValue, "frozen_bits": settings.frozenBits, "lr": settings.finalLearningRate, "schedule": "cosine", "epochs": settings.finalEpochs,
            "batch": settings.batch, "label_smoothing": Double(settings.adaptation.labelSmoothing), "train_images": data.train.count,
            "recalibration_images": data.calibration.count,
        ])
        return TrainedSubnetFile(
            tensors: graph.engineFormTensors(trainer.storedParameter), family: subnet.structure.family.rawValue,
            netConfig: subnet.structure.netConfigJSON, arch: member.config.json, method: factory.method(member.config).rawValue,
            classNames: data.classes,
            resolution: r, mean: data.mean, std: data.std, liteResidual: graph.liteResidualJSON, ledger: memory.ledgerJSON,
            peakBytes: memory.plannedBytes, metrics: metrics, training: training, seed: settings.seed, supernetSHA256: supernetSHA256,
            widthMult: factory.space.widthMult, memoryCertificate: certificate, provenance: provenance, parameterForm: "engine")
    }

    /// Writes the result into the history, `summary.json` and the report; marks the run finished.
    func finish(winner: TrainedWinner, search: SearchOutcome, finalists: [SearchSummary.Finalist],
                baselines: [SearchSummary.Baseline]) throws -> SearchSummary {
        let m = winner.member
        let structure = factory.space.subnetStructure(m.config)
        let summary = SearchSummary(
            runDirectory: directory.path, dataset: data.name, budgetBytes: settings.budgetBytes, memScope: settings.memScope.rawValue,
            method: settings.methodNames, candidatesEvaluated: search.evaluated, candidatesOverBudget: search.rejected,
            generations: search.generations, stoppedEarly: search.stoppedEarly,
            winner: .init(candidate: m.record.id, arch: m.config.json, resolution: m.config.r, validationTop1: m.fitness,
                          testTop1: winner.testTop1, testTop5: winner.testTop5, testImages: winner.testImages,
                          plannedBytes: winner.memory.plannedBytes, measuredBytes: winner.measuredBytes, ledger: winner.memory.ledger,
                          formulaBytes: winner.memory.formulaBytes, mflops: structure.mflops(resolution: m.config.r),
                          parameters: structure.parameterCount, finalEpochs: settings.finalEpochs,
                          trainImagesPerSecond: winner.imagesPerSecond),
            finalists: finalists, baselines: baselines, seconds: try store.phases().reduce(0) { $0 + (($1.endedAt ?? Date().timeIntervalSince1970) - $1.startedAt) },
            bestFile: url(Self.bestFile).path)
        try summary.write(to: url(Self.summaryFile))
        let result = jsonObject([
            "winner": m.record.id, "arch": RawJSON(m.config.json), "val_top1": m.fitness, "test_top1": winner.testTop1,
            "test_top5": winner.testTop5, "planned_bytes": winner.memory.plannedBytes, "measured_bytes": winner.measuredBytes,
            "ledger": winner.memory.ledger, "budget_bytes": settings.budgetBytes, "final_epochs": settings.finalEpochs,
            "finalists": RawJSON("[" + finalists.map { f in
                jsonObject(["candidate": f.candidate, "method": f.method, "shared_val_top1": f.sharedValidationTop1,
                            "trained_val_top1": f.trainedValidationTop1])
            }.joined(separator: ", ") + "]"),
            "baselines": RawJSON("[" + baselines.map { b in
                jsonObject(["name": b.name, "arch": RawJSON(b.arch), "resolution": b.resolution, "planned_bytes": b.plannedBytes,
                            "measured_bytes": b.measuredBytes, "test_top1": b.testTop1])
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
