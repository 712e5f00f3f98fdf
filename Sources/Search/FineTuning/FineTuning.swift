import Datasets
import Foundation
import Memory
import Supernets
import Tensors
import Transfer

/// A failure of fine-tuning, one line; `isInterrupt` when Ctrl-C stopped it after writing a checkpoint.
public struct FineTuningError: Error, CustomStringConvertible {
    public let description: String
    public var isInterrupt = false
    public init(_ description: String) { self.description = description }
}

/// One subnet fine-tuned on a dataset with a TinyTL method — what `ofa-search train` runs, and through it every
/// finalist, baseline and winner of a search (each in its own process).
///
/// `init` splits the data (`holdout` images of each class held out of the training split, seeded), re-calibrates
/// the frozen batch norms on up to 500 training images (evaluation transform), builds the TinyTL graph with 8-bit
/// frozen weights, restores a checkpoint when resuming, starts the memory measurement under a budget, allocates the
/// trainer's one arena and checks the budgeted plan. `run` trains epoch by epoch (TinyTL's augmentation, cosine
/// learning rate over all steps), evaluates after each epoch, writes a checkpoint between epochs and on an
/// interrupt, then scores the held-out images and certifies the measured memory. `trainedFile` is the result as
/// an `ofa-search/trained-subnet` file.
public final class FineTuning {
    public struct Settings: Sendable {
        public var method: TransferMethod
        public var epochs: Int, batch: Int, resolution: Int
        public var learningRate = 3e-4
        public var optimizer: OptimizerChoice = .adam
        public var labelSmoothing: Float = 0.1
        public var norm: NormMode = .frozenBatchNorm
        /// Storage of frozen conv/linear weights: 8 (k-means codebook) or 32.
        public var frozenBits = 8
        /// Run the high-resolution front an image or a few at a time where that shrinks the arena.
        public var chunking = true
        /// Seed of the new weights, the shuffles, the augmentation and (unless `holdoutSeed`) the hold-out.
        public var seed: UInt64 = 0
        public var trainSplit: Split = .train
        /// Split evaluated after each epoch (default: test, else valid).
        public var evalSplit: Split?
        /// Fraction of each class of `trainSplit` held out and scored after training.
        public var holdout: Double?
        public var holdoutSeed: UInt64?
        /// Decoded images kept across epochs; none under a budget (a cache would be training memory).
        public var cacheBytes = 512_000_000
        /// Under a budget the plan must fit before training and the measured peak growth after it.
        public var budgetBytes: Int?

        public init(method: TransferMethod, epochs: Int, batch: Int, resolution: Int) {
            self.method = method; self.epochs = epochs; self.batch = batch; self.resolution = resolution
        }

        /// Batches the loader prepares ahead: none under a budget, whose plan counts the one batch in hand and the
        /// working set of making one image (queued batches and a loader thread would be memory the plan does not hold).
        var prefetch: Int { budgetBytes == nil ? 4 : 0 }
    }

    /// One epoch's figures.
    public struct EpochResult: Sendable {
        public var epoch = 0, loss = 0.0, trainTop1 = 0.0
        public var evaluation = Evaluation()
        public var imagesPerSecond = 0.0
    }

    /// What a finished fine-tuning reports.
    public struct Outcome: Sendable {
        public var last: EpochResult
        /// Top-1 on the held-out images, each image's hit in `holdingOut` order; nil without `holdout`.
        public var validation: Evaluation?
        public var certificate: MemoryCertificate?
        public var trainSeconds: Double, trainImages: Int
        public var imagesPerSecond: Double { Double(trainImages) / max(trainSeconds, 1e-9) }
    }

    public static let recalibrationImages = 500

    public let settings: Settings
    public let dataset: LabeledImages
    /// The subnet at `settings.resolution`, batch norms re-calibrated in frozen-BN mode.
    public let subnet: Subnet
    public let evalSplit: Split
    public let trainSamples: [Sample], heldOut: [Sample], evalSamples: [Sample]
    public let calibratedImages: Int
    public let trainer: Trainer
    /// The plan as `search --mem` counts it (`MemoryEstimate`).
    public let budgeted: MemoryEstimate
    let checkpointSettings: [String: String]
    let measurement: PeakMeasurement?
    let trainCache: DecodedImageCache?, evalCache: DecodedImageCache?
    var progress: TrainCheckpoint.Progress
    var resumed: Bool
    let report: (String) -> Void

    /// - Parameters:
    ///   - placement: the blocks with a lite residual (`ArchConfig.liteResidualBlocks`); nil: TinyTL's every block.
    ///   - checkpointSettings: what a checkpoint must share with the run resuming it (the number of training images
    ///     is added here).
    ///   - resume: a checkpoint of an interrupted run with the same settings.
    /// - Throws: `FineTuningError` for too few images, a plan over the budget, or a checkpoint of another run.
    public init(subnet source: Subnet, placement: Set<Int>?, dataset: LabeledImages, settings: Settings,
                checkpointSettings: [String: String], resume: URL?, report: @escaping (String) -> Void) throws {
        self.settings = settings; self.dataset = dataset; self.report = report
        let s = settings, r = s.resolution
        evalSplit = s.evalSplit ?? (dataset[.test].isEmpty ? .valid : .test)
        evalSamples = dataset[evalSplit]
        (trainSamples, heldOut) = s.holdout.map {
            dataset[s.trainSplit].holdingOut(fraction: $0, classes: dataset.classes.count,
                                             seed: s.holdoutSeed ?? s.seed)
        } ?? (dataset[s.trainSplit], [])
        guard trainSamples.count >= s.batch else {
            throw FineTuningError("\(dataset.name): the \(s.trainSplit.rawValue) split has \(trainSamples.count) "
                                  + "images, fewer than --batch \(s.batch) — use a smaller batch or another split")
        }
        guard !evalSamples.isEmpty else {
            throw FineTuningError("\(dataset.name) has no \(evalSplit.rawValue) images — choose --eval-split, or "
                                  + "--split-ratios for unsplit data")
        }
        let cacheBytes = s.budgetBytes == nil ? s.cacheBytes : 0
        trainCache = cacheBytes > 0 ? DecodedImageCache(capacityBytes: cacheBytes) : nil
        evalCache = cacheBytes > 0 ? DecodedImageCache(capacityBytes: cacheBytes / 4) : nil

        // Frozen-BN mode: re-calibrate the subnet's statistics on training images (evaluation transform), then fold.
        var subnet = source
        subnet.resolution = r
        var calibrated = 0
        if s.norm == .frozenBatchNorm {
            let calibration = trainSamples.seededSample(Self.recalibrationImages, seed: s.seed)
            var batches: [Tensor] = []
            let loader = BatchLoader(samples: calibration, transform: Self.evalTransform(subnet, r), batchSize: 50,
                                     shuffle: false, seed: s.seed)
            while let b = try loader.next() { batches.append(b.images) }
            subnet = subnet.recalibrated(on: batches)
            calibrated = batches.reduce(0) { $0 + $1.shape[0] }
            report("batch norm re-calibrated on \(calibrated) \(s.trainSplit.rawValue) images at \(r) px")
        }
        self.subnet = subnet
        calibratedImages = calibrated

        // The trainer keeps every parameter in its arena; only `trainer.graph` (structure, no values) stays here.
        var checkpointSettings = checkpointSettings
        checkpointSettings["train images"] = String(trainSamples.count)
        self.checkpointSettings = checkpointSettings
        var saved: TrainCheckpoint?
        do {
            let built = TrainingGraph(subnet: subnet, method: s.method, classes: dataset.classes.count, seed: s.seed,
                                      norm: s.norm, liteResidualBlocks: placement)
                .quantizingFrozenWeights(bits: s.frozenBits, seed: s.seed)
            var optimizer = s.optimizer.make(parameterCounts: built.trainableParameterCounts)
            if let resume {
                let checkpoint = try TrainCheckpoint.read(from: resume, settings: checkpointSettings,
                                                          trainable: built.parameters.filter(\.trainable).map(\.name),
                                                          optimizer: s.optimizer)
                optimizer = try checkpoint.optimizer.restoring(into: optimizer)
                saved = checkpoint
            }
            measurement = try s.budgetBytes.map { _ in try PeakMeasurement.start() }
            trainer = try Trainer(graph: built, batch: s.batch, height: r, width: r, optimizer: optimizer,
                                  labelSmoothing: s.labelSmoothing, chunking: s.chunking ? .automatic : .none)
            for p in saved?.parameters ?? [] { trainer.setParameterValues(p.name, p.values) }
        } catch let error as PlanError {
            throw FineTuningError(error.localizedDescription)
        } catch let error as TransferError {
            throw FineTuningError("\(resume?.path ?? ""): \(error)")
        }
        progress = saved?.progress ?? TrainCheckpoint.Progress()
        resumed = saved != nil
        budgeted = MemoryEstimate(plan: trainer.plan, graph: trainer.graph, structure: subnet.structure, batch: s.batch,
                                  resolution: r, loader: LoaderWorkingSet(samples: trainSamples))
        reportPlan()
        if let budget = s.budgetBytes { try MemoryCertificate.checkPlan(budgeted.plannedBytes, budget: budget) }
        if let saved, let resume {
            report("resuming \(resume.path) at epoch \(saved.progress.epoch + 1), step \(saved.progress.step + 1)")
        }
    }

    static func evalTransform(_ subnet: Subnet, _ r: Int) -> ImageTransform {
        .evaluate(resolution: r, mean: subnet.mean, std: subnet.std)
    }

    func reportPlan() {
        let s = settings, plan = trainer.plan, graph = trainer.graph
        report("planned memory (batch \(s.batch), \(s.resolution) px, \(s.method.name), \(s.norm.flag), "
               + "\(s.optimizer.rawValue)): arena \(ByteCount.format(plan.arenaBytes)); live tensors peak "
               + "\(ByteCount.format(plan.peakBytes)) at \(plan.stepDescription(plan.peakStep, graph: graph)); "
               + "\(graph.trainableCount) trainable values; frozen weights in \(s.frozenBits) bits"
               + (plan.chunkedPrefix.map { "; \($0) of \(graph.ops.count)" } ?? ""))
        for c in MemoryCategory.allCases where plan.ledgerAtPeak[c] > 0 {
            let name = c.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)
            report("  \(name) \(ByteCount.format(plan.ledgerAtPeak[c]))")
        }
        report("budgeted as search --mem counts it: \(ByteCount.format(budgeted.plannedBytes)) (arena + input batch "
               + "\(ByteCount.format(budgeted.ledger[MemoryEstimate.inputBatch] ?? 0)) + image transform "
               + "\(ByteCount.format(budgeted.ledger[MemoryEstimate.imageTransform] ?? 0)) + runtime "
               + "\(ByteCount.format(budgeted.ledger[MemoryEstimate.runtime] ?? 0)))")
    }

    /// Trains the remaining epochs, then scores the held-out images and certifies memory under a budget.
    /// `interrupted` is polled between steps; `stepFinished` is called after each. A checkpoint goes to `checkpoint`
    /// between epochs and when interrupted.
    /// - Throws: `FineTuningError` (`isInterrupt` after an interrupt's checkpoint) for a non-finite loss or memory
    ///   over the budget.
    public func run(checkpoint: URL, interrupted: () -> Bool, stepFinished: () -> Void) throws -> Outcome {
        let s = settings
        let stepsPerEpoch = trainSamples.count / s.batch
        let schedule = CosineSchedule(initialLR: s.learningRate, totalSteps: s.epochs * stepsPerEpoch)
        let trainTransform = ImageTransform.train(resolution: s.resolution, mean: subnet.mean, std: subnet.std)
        func save() throws {
            try TrainCheckpoint.write(to: checkpoint, settings: checkpointSettings, progress: progress, trainer: trainer)
        }
        func stop() throws -> Never {
            try save()
            var error = FineTuningError("interrupted before epoch \(progress.epoch + 1), step \(progress.step + 1): "
                                        + "checkpoint written to \(checkpoint.path) — continue with the same command "
                                        + "and --resume \(checkpoint.path)")
            error.isInterrupt = true
            throw error
        }
        var last = EpochResult()
        for epoch in progress.epoch..<s.epochs {
            let loader = BatchLoader(samples: trainSamples, transform: trainTransform, batchSize: s.batch,
                                     shuffle: true, dropLast: true, seed: s.seed, epoch: epoch, prefetch: s.prefetch,
                                     cache: trainCache)
            // A resumed epoch replays the same batches: the ones already trained on are drawn and dropped.
            for _ in 0..<progress.step { _ = try loader.next() }
            let start = Date()
            while progress.step < stepsPerEpoch, let b = try loader.next() {
                if interrupted() { progress.epochSeconds += Date().timeIntervalSince(start); try stop() }
                let rate = schedule.learningRate(at: epoch * stepsPerEpoch + progress.step)
                let loss = trainer.trainStep([(b.images, b.labels)], learningRate: rate)
                guard loss.isFinite else {
                    let kept = resumed ? "the last good checkpoint, \(checkpoint.path), is kept"
                        : "no checkpoint was written yet"
                    throw FineTuningError("the loss became \(loss) at epoch \(epoch + 1), step "
                                          + "\(progress.step + 1) — training stopped and \(kept); lower --lr")
                }
                progress.lossSum += Double(loss) * Double(b.labels.count); progress.seen += b.labels.count
                progress.correct += trainer.stepTop1; progress.step += 1
                stepFinished()
            }
            progress.step = stepsPerEpoch
            progress.epochSeconds += Date().timeIntervalSince(start)
            if interrupted() { try stop() }
            guard let evaluation = try evaluate(evalSamples, cache: evalCache, interrupted: interrupted) else {
                try stop()
            }
            let seen = progress.seen, seconds = progress.epochSeconds
            progress.trainSeconds += seconds; progress.trainImages += seen
            last = EpochResult(epoch: epoch + 1, loss: progress.lossSum / Double(max(seen, 1)),
                               trainTop1: Double(progress.correct) / Double(max(seen, 1)),
                               evaluation: evaluation, imagesPerSecond: Double(seen) / max(seconds, 1e-9))
            report(String(format: "epoch %d/%d  loss %.4f  train top-1 %.2f%%  %@ top-1 %.2f%% top-5 %.2f%%  "
                          + "%.1f images/s", epoch + 1, s.epochs, last.loss, 100 * last.trainTop1, evalSplit.rawValue,
                          100 * evaluation.top1Accuracy, 100 * evaluation.top5Accuracy, last.imagesPerSecond))
            if let skipped = loader.skipped.first {
                report("  skipped \(loader.skipped.count) undecodable images, e.g. \(skipped)")
            }
            progress = TrainCheckpoint.Progress(epoch: epoch + 1, trainSeconds: progress.trainSeconds,
                                                trainImages: progress.trainImages)
            if epoch + 1 < s.epochs {
                try save()
                resumed = true
            }
        }
        var validation: Evaluation?
        if !heldOut.isEmpty {
            guard let v = try evaluate(heldOut, cache: nil, interrupted: interrupted) else { try stop() }
            report(String(format: "held-out validation top-1 %.2f%% (%d images)", 100 * v.top1Accuracy, v.count))
            validation = v
        }
        let certificate = try measurement.map { m in
            MemoryCertificate(budgetBytes: s.budgetBytes!, plannedBytes: budgeted.plannedBytes,
                              measured: try m.finish())
        }
        if let certificate {
            report("memory: planned \(ByteCount.format(certificate.plannedBytes)), measured peak growth "
                   + "\(ByteCount.format(certificate.measured.peakGrowthBytes)) (budget "
                   + "\(ByteCount.format(certificate.budgetBytes))), process peak "
                   + "\(ByteCount.format(certificate.measured.processPeakBytes))")
            try certificate.check()
        }
        return Outcome(last: last, validation: validation, certificate: certificate,
                       trainSeconds: progress.trainSeconds, trainImages: progress.trainImages)
    }

    /// Top-1/top-5 over `samples` with the evaluation transform, in batches of `batch`; nil when interrupted.
    public func evaluate(_ samples: [Sample], cache: DecodedImageCache? = nil,
                         interrupted: () -> Bool = { false }) throws -> Evaluation? {
        let loader = BatchLoader(samples: samples, transform: Self.evalTransform(subnet, settings.resolution),
                                 batchSize: settings.batch, shuffle: false, seed: settings.seed,
                                 prefetch: settings.prefetch, cache: cache)
        return try trainer.evaluate(batches: loader.next, interrupted: interrupted)
    }
}

extension FineTuning {
    /// The fine-tuned network as an `ofa-search/trained-subnet` file: PyTorch names and layouts, the memory ledger
    /// at the peak, the last epoch's metrics, how it was trained, the certificate and `provenance` (a JSON object).
    public func trainedFile(_ outcome: Outcome, arch: ArchConfig?, supernetSHA256: String?, widthMult: Double,
                            provenance: String?) -> TrainedSubnetFile {
        let s = settings, plan = trainer.plan, graph = trainer.graph, last = outcome.last
        let metrics = TrainedSubnetFile.Metrics(
            evalSplit: evalSplit.rawValue, evalImages: last.evaluation.count, evalTop1: last.evaluation.top1Accuracy,
            evalTop5: last.evaluation.top5Accuracy, evalLoss: last.evaluation.meanLoss, trainLoss: last.loss,
            trainTop1: last.trainTop1, epochs: s.epochs)
        let ledger = "{"
            + MemoryCategory.allCases.map { "\"\($0.rawValue)\":\(plan.ledgerAtPeak[$0])" }.joined(separator: ",")
            + ",\"peak_bytes\":\(plan.peakBytes),\"arena_bytes\":\(plan.arenaBytes),\"batch\":\(s.batch),"
            + "\"resolution\":\(s.resolution)}"
        let training = "{\"optimizer\":\"\(s.optimizer.rawValue)\",\"frozen_bits\":\(s.frozenBits),"
            + "\"lr\":\(s.learningRate),\"schedule\":\"cosine\",\"epochs\":\(s.epochs),\"batch\":\(s.batch),"
            + "\"label_smoothing\":\(s.labelSmoothing),"
            + "\"train_split\":\"\(s.trainSplit.rawValue)\",\"holdout\":\(s.holdout.map { String($0) } ?? "null"),"
            + "\"train_images\":\(trainSamples.count),\"recalibration_images\":\(calibratedImages),"
            + "\"dataset\":\(jsonString(dataset.name))}"
        return TrainedSubnetFile(
            tensors: graph.exportedStateDict(trained: trainer.parameters(), subnet: subnet),
            family: subnet.structure.family.rawValue, netConfig: subnet.structure.netConfigJSON, arch: arch?.json,
            method: s.method.rawValue, classNames: dataset.classes, resolution: s.resolution, mean: subnet.mean,
            std: subnet.std, liteResidual: graph.liteResidualJSON, ledger: ledger, peakBytes: plan.peakBytes,
            metrics: metrics, training: training, seed: s.seed, supernetSHA256: supernetSHA256, widthMult: widthMult,
            memoryCertificate: outcome.certificate.map(Self.certificateJSON), provenance: provenance,
            normMode: graph.norm.name)
    }

    /// The certificate as stored in the trained file (`memory_certificate`).
    static func certificateJSON(_ c: MemoryCertificate) -> String {
        "{\"budget_bytes\":\(c.budgetBytes),\"planned_bytes\":\(c.plannedBytes),"
            + "\"measured_peak_growth_bytes\":\(c.measured.peakGrowthBytes),"
            + "\"process_peak_bytes\":\(c.measured.processPeakBytes),"
            + "\"passes\":\(c.passes),\"measured_with\":\(jsonString(PeakMeasurement.method))}"
    }
}

extension NormMode {
    /// The `--norm` value naming this mode.
    public var flag: String { self == .tinyTL ? "gn" : "frozen-bn" }
}
