import ArgumentParser
import Datasets
import Foundation
import Memory
import Search
import Supernets
import Tensors
import Transfer

/// `ofa-search train`: TinyTL transfer learning of one subnet on a dataset, written as a trained-subnet file.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fine-tune one subnet on a dataset with a TinyTL method and write the trained network (.h5).",
        discussion: """
            A checkpoint (trainable weights, optimizer state, position) is written after every epoch and when Ctrl-C \
            stops training after the step under way (exit code 130); `--resume <checkpoint>` with the same flags \
            continues exactly as if never interrupted. A loss that becomes NaN or infinite stops training and keeps the \
            last good checkpoint. Frozen-BN mode: the subnet's batch-norm statistics are re-calibrated on up to 500 training images \
            (evaluation transform), then frozen and folded into their convs where nothing in them trains. Training \
            uses TinyTL's augmentation (random resized crop, flip), a cosine learning rate over all iterations, and \
            evaluates top-1/top-5 on --eval-split after every epoch. `--norm gn` trains TinyTL's GroupNorm + weight \
            standardisation instead (for supernets pretrained that way; no re-calibration). The planned memory (peak and ledger) and one \
            line per epoch go to stderr; the result to stdout. Methods: full, bn+last, last, bias, lite-residual, \
            lite-residual+bias (TinyTL's names tinytl-bias, tinytl-lite_residual[+bias] also work).
            """)

    @Option(help: "Supernet (.h5) for --arch (default: the shipped one, as search uses).",
            completion: .file(extensions: ["h5"]))
    var supernet: String?

    @Option(help: "Subnet architecture JSON (OFA dict form), a file holding it, or max / min.")
    var arch: String?

    @Option(help: "A sampled subnet (.h5) instead of --supernet/--arch.", completion: .file(extensions: ["h5"]))
    var subnet: String?

    @Option(help: "A dataset name or path (class folders, .csv manifest, CIFAR batches).")
    var dataset: String?

    @Option(help: .hidden)
    var data: String?

    @Option(name: .customLong("data-root"), help: "Folder searched first for named datasets.", completion: .directory)
    var dataRoot: String?

    @Option(help: "full, bn+last, last, bias, lite-residual or lite-residual+bias (default: --arch's \"method\", else lite-residual+bias).")
    var method: String?

    @Option(help: "Epochs.")
    var epochs: Int

    @Option(help: "Images per optimiser step (and per evaluation forward).")
    var batch: Int

    @Option(help: "Input resolution (default: the architecture's).")
    var resolution: Int?

    @Option(help: "Initial learning rate (cosine schedule).")
    var lr: Double = 3e-4

    @Option(help: "adam, adam8 (8-bit block-wise moments, a quarter of Adam's state) or sgd (momentum 0.9).")
    var optimizer: OptimizerChoice = .adam

    @Option(name: .customLong("label-smoothing"), help: "Label smoothing of the training loss.")
    var labelSmoothing: Float = 0.1

    @Option(help: "Normalisation: frozen-bn (re-calibrated batch norms, folded) or gn (TinyTL's GroupNorm(8) + weight standardisation).")
    var norm: NormChoice = .frozenBN

    @Option(name: .customLong("frozen-bits"), help: ArgumentHelp(
        "Storage of frozen conv/linear weights: 8 (k-means codebook, TinyTL's memory model) or 32.", valueName: "8|32"))
    var frozenBits: Int = 8

    @Flag(name: .customLong("no-chunking"), help: ArgumentHelp(
        "Run every layer on the whole batch: faster for last and bias, whose high-resolution front otherwise runs an image at a time to save memory."))
    var noChunking = false

    @Option(help: "Seed of the new weights, the shuffles and the augmentation.")
    var seed: UInt64 = 0

    @Option(help: "Compute threads.")
    var threads: Int = 2

    @Option(name: .customLong("train-split"), help: "Split to train on: train, valid or test.")
    var trainSplit: Split = .train

    @Option(name: .customLong("eval-split"), help: "Split to evaluate on (default: test, else valid).")
    var evalSplit: Split?

    @Option(name: .customLong("split-ratios"), help: "train,valid,test ratios for unsplit data.",
            transform: { try SplitRatios(parsing: $0) })
    var splitRatios: SplitRatios?

    @Option(help: .hidden, transform: { try SplitRatios(parsing: $0) })
    var split: SplitRatios?

    @Option(help: ArgumentHelp(
        "Hold out this fraction of each class of --train-split (seeded by --seed, as search --val-fraction does), train on the rest and report validation top-1 on the held-out images beside --eval-split.",
        valueName: "fraction"))
    var holdout: Double?

    @Option(name: .customLong("holdout-seed"), help: ArgumentHelp(
        "Seed of the --holdout draw (default: --seed), so that runs with other seeds hold out the same images.",
        valueName: "n"))
    var holdoutSeed: UInt64?

    @Option(name: .customLong("cache-mb"), help: "Decoded images kept in memory across epochs, in MB.")
    var cacheMB: Int = 512

    @Option(help: ArgumentHelp(
        "Training-memory budget (e.g. 32MB) as search --mem counts it: the plan must fit before training and the "
            + "measured peak growth of this process after it, else exit 1 and no output. Trains without the "
            + "decoded-image cache.", valueName: "size"), transform: { try ByteCount(parsing: $0) })
    var mem: ByteCount?

    @Option(help: .hidden, transform: { try ByteCount(parsing: $0) })
    var budget: ByteCount?

    /// JSON object stored as the output's provenance (the search's winner and baselines: run, candidate, validation).
    @Option(help: .hidden)
    var provenance: String?

    @Option(name: .shortAndLong, help: "Output trained-subnet .h5 file.")
    var output: String

    @Option(help: "Checkpoint written after every epoch and on Ctrl-C (default: <output>.checkpoint.h5 beside --output).",
            completion: .file(extensions: ["h5"]))
    var checkpoint: String?

    @Option(help: "Continue from a checkpoint of an interrupted run (same flags): identical to an uninterrupted run.",
            completion: .file(extensions: ["h5"]))
    var resume: String?

    @Flag(help: "Print JSON on stdout.")
    var json = false

    enum NormChoice: String, ExpressibleByArgument, CaseIterable {
        case frozenBN = "frozen-bn", gn
        var mode: NormMode { self == .gn ? .tinyTL : .frozenBatchNorm }
    }

    static let recalibrationImages = 500

    /// Batches the loader prepares ahead: none under `--mem`, whose plan counts the one batch in hand and the
    /// working set of making one image (queued batches and a loader thread would be memory the plan does not hold).
    var prefetch: Int { mem == nil ? 4 : 0 }

    mutating func validate() throws {
        dataset = try RenamedFlag.merge(dataset, data, new: "--dataset", old: "--data")
        mem = try RenamedFlag.merge(mem, budget, new: "--mem", old: "--budget")
        splitRatios = try RenamedFlag.merge(splitRatios, split, new: "--split-ratios", old: "--split")
        guard dataset != nil else { throw ValidationError("give --dataset <name|path>") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1, got \(batch)") }
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        if let method, TransferMethod(named: method) == nil {
            throw ValidationError("unknown --method '\(method)' — choose one of \(TransferMethod.allCases.map(\.name).joined(separator: ", "))")
        }
        guard (subnet == nil) != (arch == nil) else { throw ValidationError("give exactly one of --arch <json> and --subnet <subnet.h5>") }
        guard lr > 0 && lr.isFinite else { throw ValidationError("--lr must be positive, got \(lr)") }
        guard (0..<1).contains(labelSmoothing) else { throw ValidationError("--label-smoothing must be in [0, 1), got \(labelSmoothing)") }
        guard frozenBits == 8 || frozenBits == 32 else { throw ValidationError("--frozen-bits must be 8 or 32, got \(frozenBits)") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be between 1 and 256") }
        guard cacheMB >= 0 else { throw ValidationError("--cache-mb must be 0 or more") }
        if let holdout, !(holdout > 0 && holdout < 1) { throw ValidationError("--holdout must be in (0, 1), got \(holdout)") }
        if let evalSplit, evalSplit == trainSplit { throw ValidationError("--eval-split must differ from --train-split (\(trainSplit.rawValue))") }
    }

    /// `trained.h5` → `trained.checkpoint.h5`.
    static func defaultCheckpoint(for output: String) -> String {
        (output.hasSuffix(".h5") ? String(output.dropLast(3)) : output) + ".checkpoint.h5"
    }

    /// The flags (and facts about the data) a checkpoint must share with the run that resumes it.
    func runSettings(dataset: String, trainImages: Int, supernetSHA256: String?, arch: String?, method: TransferMethod,
                     resolution: Int) -> [String: String] {
        var s = ["--dataset": dataset, "train images": String(trainImages), "--method": method.name, "--epochs": String(epochs),
                 "--batch": String(batch), "--resolution": String(resolution), "--lr": String(lr), "--optimizer": optimizer.rawValue,
                 "--label-smoothing": String(labelSmoothing), "--seed": String(seed), "--frozen-bits": String(frozenBits),
                 "--train-split": trainSplit.rawValue, "--norm": norm.rawValue, "--no-chunking": String(noChunking),
                 "--holdout": holdout.map { String($0) } ?? "none"]
        if let holdoutSeed, holdoutSeed != seed { s["--holdout-seed"] = String(holdoutSeed) }
        if let supernetSHA256 { s["supernet sha256"] = supernetSHA256 }
        if let arch { s["--arch"] = arch }
        if let subnet { s["--subnet"] = subnet }
        return s
    }

    func run() throws {
        try reportingErrors {
            if mem != nil { ProcessMemory.releaseFreedMemory() }   // allocator settings that make the measurement honest
            Parallelism.setThreads(threads)
            let interrupt = InterruptFlag.install()
            let source = try loadSubnet()
            var config = source.arch
            let method = try Self.method(flag: self.method, arch: config)
            let r = resolution ?? source.subnet.resolution
            let range = source.space.resolutionRange
            guard range.contains(r) else {
                throw TrainError("--resolution \(r) is outside the supernet's range \(range.lowerBound)...\(range.upperBound) — pick one in it")
            }
            config?.r = r

            let dataset = try DatasetRegistry.open(self.dataset!, dataRoot: dataRoot, split: splitRatios, seed: seed)
            let evalSplit = self.evalSplit ?? (dataset[.test].isEmpty ? .valid : .test)
            let evalSamples = dataset[evalSplit]
            let (trainSamples, heldOut) = holdout.map {
                dataset[trainSplit].holdingOut(fraction: $0, classes: dataset.classes.count, seed: holdoutSeed ?? seed)
            } ?? (dataset[trainSplit], [])
            guard trainSamples.count >= batch else {
                throw TrainError("\(dataset.name): the \(trainSplit.rawValue) split has \(trainSamples.count) images, fewer than --batch \(batch) — use a smaller batch or another split")
            }
            guard !evalSamples.isEmpty else {
                throw TrainError("\(dataset.name) has no \(evalSplit.rawValue) images — choose --eval-split, or --split-ratios for unsplit data")
            }
            // Under a budget every image is decoded when used, as on a device: a cache would count as training memory.
            let cacheMB = mem == nil ? self.cacheMB : 0
            let trainCache = cacheMB > 0 ? DecodedImageCache(capacityBytes: cacheMB * 1_000_000) : nil
            let evalCache = cacheMB > 0 ? DecodedImageCache(capacityBytes: cacheMB * 1_000_000 / 4) : nil

            // Frozen-BN mode: re-calibrate the subnet's statistics on training images (evaluation transform), then fold.
            var subnet = source.subnet
            subnet.resolution = r
            let evalTransform = ImageTransform.evaluate(resolution: r, mean: subnet.mean, std: subnet.std)
            var calibrated = 0
            if norm == .frozenBN {
                let calibration = trainSamples.seededSample(Self.recalibrationImages, seed: seed)
                var calibrationBatches: [Tensor] = []
                let calibrationLoader = BatchLoader(samples: calibration, transform: evalTransform, batchSize: 50, shuffle: false, seed: seed)
                while let b = try calibrationLoader.next() { calibrationBatches.append(b.images) }
                subnet = subnet.recalibrated(on: calibrationBatches)
                calibrated = calibrationBatches.reduce(0) { $0 + $1.shape[0] }
                printError("batch norm re-calibrated on \(calibrated) \(trainSplit.rawValue) images at \(r) px")
            }

            // The trainer keeps every parameter in its arena; only `trainer.graph` (structure, no values) stays here.
            let settings = runSettings(dataset: dataset.name, trainImages: trainSamples.count, supernetSHA256: source.sha256,
                                       arch: config?.json, method: method, resolution: r)
            let checkpointURL = URL(fileURLWithPath: checkpoint ?? Self.defaultCheckpoint(for: output))
            let trainer: Trainer
            var resumed: TrainCheckpoint?
            var measurement: PeakMeasurement?
            do {
                let placement = config.map { $0.liteResidualBlocks(in: source.space, method: method) }
                let built = TrainingGraph(subnet: subnet, method: method, classes: dataset.classes.count, seed: seed, norm: norm.mode,
                                          liteResidualBlocks: placement)
                    .quantizingFrozenWeights(bits: frozenBits, seed: seed)
                let counts = built.trainableParameterCounts
                var opt = optimizer.make(parameterCounts: counts)
                if let resume {
                    let saved = try TrainCheckpoint.read(from: URL(fileURLWithPath: resume), settings: settings,
                                                         trainable: built.parameters.filter(\.trainable).map(\.name), optimizer: optimizer)
                    opt = try saved.optimizer.restoring(into: opt)
                    resumed = saved
                }
                measurement = try mem.map { _ in try PeakMeasurement.start() }
                trainer = try Trainer(graph: built, batch: batch, height: r, width: r, optimizer: opt, labelSmoothing: labelSmoothing,
                                      chunking: noChunking ? .none : .automatic)
                for p in resumed?.parameters ?? [] { trainer.setParameterValues(p.name, p.values) }
            } catch let error as PlanError {
                throw TrainError(error.localizedDescription)
            } catch let error as TransferError {
                throw TrainError("\(resume ?? ""): \(error)")
            }
            let graph = trainer.graph
            let plan = trainer.plan
            printError("planned memory (batch \(batch), \(r) px, \(method.name), \(norm.rawValue), \(optimizer.rawValue)): arena \(ByteCount.format(plan.arenaBytes)); "
                       + "live tensors peak \(ByteCount.format(plan.peakBytes)) at \(plan.stepDescription(plan.peakStep, graph: graph)); "
                       + "\(graph.trainableCount) trainable values; frozen weights in \(frozenBits) bits"
                       + (plan.chunkedPrefix.map { "; \($0) of \(graph.ops.count)" } ?? ""))
            for c in MemoryCategory.allCases where plan.ledgerAtPeak[c] > 0 {
                printError("  \(c.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)) \(ByteCount.format(plan.ledgerAtPeak[c]))")
            }
            let budgeted = MemoryEstimate(plan: plan, graph: graph, structure: subnet.structure, batch: batch, resolution: r,
                                          loader: LoaderWorkingSet(samples: trainSamples))
            printError("budgeted as search --mem counts it: \(ByteCount.format(budgeted.plannedBytes)) (arena + input batch "
                       + "\(ByteCount.format(budgeted.ledger[MemoryEstimate.inputBatch] ?? 0)) + image transform "
                       + "\(ByteCount.format(budgeted.ledger[MemoryEstimate.imageTransform] ?? 0)) + runtime "
                       + "\(ByteCount.format(budgeted.ledger[MemoryEstimate.runtime] ?? 0)))")
            if let mem { try MemoryCertificate.checkPlan(budgeted.plannedBytes, budget: mem.bytes) }

            let stepsPerEpoch = trainSamples.count / batch
            let schedule = CosineSchedule(initialLR: lr, totalSteps: epochs * stepsPerEpoch)
            let trainTransform = ImageTransform.train(resolution: r, mean: subnet.mean, std: subnet.std)
            var last = EpochResult()
            var progress = resumed?.progress ?? TrainCheckpoint.Progress()
            if let resumed { printError("resuming \(resume!) at epoch \(resumed.progress.epoch + 1), step \(resumed.progress.step + 1)") }
            /// Writes the state before step `progress.step` of epoch `progress.epoch` (the previous file stays until renamed).
            func saveCheckpoint() throws {
                try TrainCheckpoint.write(to: checkpointURL, settings: settings, progress: progress, trainer: trainer)
            }
            func stopInterrupted() throws -> Never {
                try saveCheckpoint()
                printError("interrupted before epoch \(progress.epoch + 1), step \(progress.step + 1): checkpoint written to "
                           + "\(checkpointURL.path) — continue with the same command and --resume \(checkpointURL.path)")
                throw ExitCode(130)
            }
            var wroteCheckpoint = resumed != nil
            for epoch in progress.epoch..<epochs {
                let loader = BatchLoader(samples: trainSamples, transform: trainTransform, batchSize: batch, shuffle: true,
                                         dropLast: true, seed: seed, epoch: epoch, prefetch: prefetch, cache: trainCache)
                // A resumed epoch replays the same batches: the ones already trained on are drawn and dropped.
                for _ in 0..<progress.step { _ = try loader.next() }
                let start = Date()
                while progress.step < stepsPerEpoch, let b = try loader.next() {
                    if interrupt.isSet { progress.epochSeconds += Date().timeIntervalSince(start); try stopInterrupted() }
                    let loss = trainer.trainStep([(b.images, b.labels)], learningRate: schedule.learningRate(at: epoch * stepsPerEpoch + progress.step))
                    let correct = trainer.stepTop1
                    guard loss.isFinite else {
                        let kept = wroteCheckpoint ? "the last good checkpoint, \(checkpointURL.path), is kept" : "no checkpoint was written yet"
                        throw TrainError("the loss became \(loss) at epoch \(epoch + 1), step \(progress.step + 1) — training stopped and \(kept); lower --lr")
                    }
                    progress.lossSum += Double(loss) * Double(b.labels.count); progress.seen += b.labels.count
                    progress.correct += correct; progress.step += 1
                    interrupt.stepFinished()
                }
                progress.step = stepsPerEpoch
                progress.epochSeconds += Date().timeIntervalSince(start)
                if interrupt.isSet { try stopInterrupted() }
                let evaluation: Evaluation
                do {
                    evaluation = try evaluate(trainer, evalSamples, evalTransform, cache: evalCache, interrupt: interrupt)
                } catch let error as TrainError where error.description == TrainError.interrupted.description {
                    try stopInterrupted()
                }
                let seen = progress.seen, seconds = progress.epochSeconds
                progress.trainSeconds += seconds; progress.trainImages += seen
                last = EpochResult(epoch: epoch + 1, loss: progress.lossSum / Double(max(seen, 1)),
                                   trainTop1: Double(progress.correct) / Double(max(seen, 1)),
                                   evaluation: evaluation, imagesPerSecond: Double(seen) / max(seconds, 1e-9))
                printError(String(format: "epoch %d/%d  loss %.4f  train top-1 %.2f%%  %@ top-1 %.2f%% top-5 %.2f%%  %.1f images/s",
                                  epoch + 1, epochs, last.loss, 100 * last.trainTop1, evalSplit.rawValue,
                                  100 * evaluation.top1Accuracy, 100 * evaluation.top5Accuracy, last.imagesPerSecond))
                let skipped = loader.skipped
                if !skipped.isEmpty { printError("  skipped \(skipped.count) undecodable images, e.g. \(skipped[0])") }
                progress = TrainCheckpoint.Progress(epoch: epoch + 1, trainSeconds: progress.trainSeconds, trainImages: progress.trainImages)
                if epoch + 1 < epochs { try saveCheckpoint(); wroteCheckpoint = true }
            }
            let trainSeconds = progress.trainSeconds, trainImages = progress.trainImages
            var validation: Evaluation?
            if !heldOut.isEmpty {
                do {
                    validation = try evaluate(trainer, heldOut, evalTransform, cache: nil, interrupt: interrupt)
                } catch let error as TrainError where error.description == TrainError.interrupted.description {
                    try stopInterrupted()
                }
            }
            if let validation {
                printError(String(format: "held-out validation top-1 %.2f%% (%d images)", 100 * validation.top1Accuracy,
                                  validation.count))
            }
            let certificate = try measurement.map { m in
                MemoryCertificate(budgetBytes: mem!.bytes, plannedBytes: budgeted.plannedBytes, measured: try m.finish())
            }
            if let certificate {
                printError("memory: planned \(ByteCount.format(certificate.plannedBytes)), measured peak growth "
                           + "\(ByteCount.format(certificate.measured.peakGrowthBytes)) (budget \(ByteCount.format(certificate.budgetBytes))), "
                           + "process peak \(ByteCount.format(certificate.measured.processPeakBytes))")
                try certificate.check()
            }

            let metrics = TrainedSubnetFile.Metrics(
                evalSplit: evalSplit.rawValue, evalImages: last.evaluation.count, evalTop1: last.evaluation.top1Accuracy,
                evalTop5: last.evaluation.top5Accuracy, evalLoss: last.evaluation.meanLoss, trainLoss: last.loss,
                trainTop1: last.trainTop1, epochs: epochs)
            let ledger = "{" + MemoryCategory.allCases.map { "\"\($0.rawValue)\":\(plan.ledgerAtPeak[$0])" }.joined(separator: ",")
                + ",\"peak_bytes\":\(plan.peakBytes),\"arena_bytes\":\(plan.arenaBytes),\"batch\":\(batch),\"resolution\":\(r)}"
            let training = "{\"optimizer\":\"\(optimizer.rawValue)\",\"frozen_bits\":\(frozenBits),\"lr\":\(lr),\"schedule\":\"cosine\",\"epochs\":\(epochs),"
                + "\"batch\":\(batch),\"label_smoothing\":\(labelSmoothing),\"train_split\":\"\(trainSplit.rawValue)\","
                + "\"holdout\":\(holdout.map { String($0) } ?? "null"),"
                + "\"train_images\":\(trainSamples.count),\"recalibration_images\":\(calibrated),\"dataset\":\(Self.jsonString(dataset.name))}"
            let file = TrainedSubnetFile(
                tensors: graph.exportedStateDict(trained: trainer.parameters(), subnet: subnet), family: subnet.structure.family.rawValue,
                netConfig: subnet.structure.netConfigJSON, arch: config?.json, method: method.rawValue, classNames: dataset.classes,
                resolution: r, mean: subnet.mean, std: subnet.std, liteResidual: graph.liteResidualJSON, ledger: ledger,
                peakBytes: plan.peakBytes, metrics: metrics, training: training, seed: seed, supernetSHA256: source.sha256,
                widthMult: source.space.widthMult, memoryCertificate: certificate.map(Self.certificateJSON), provenance: provenance,
                normMode: graph.norm.name)
            try file.write(to: URL(fileURLWithPath: output))
            try? FileManager.default.removeItem(at: checkpointURL)   // superseded by the trained file

            let result = Result(output: output, method: method.name, epochs: epochs, evalSplit: evalSplit.rawValue,
                                evalImages: last.evaluation.count, top1: last.evaluation.top1Accuracy, top5: last.evaluation.top5Accuracy,
                                trainLoss: last.loss, trainTop1: last.trainTop1, peakBytes: plan.peakBytes,
                                imagesPerSecond: Double(trainImages) / max(trainSeconds, 1e-9), budgetedBytes: budgeted.plannedBytes,
                                certificate: certificate, validationImages: validation?.count,
                                validationTop1: validation?.top1Accuracy,
                                validationHits: validation.map { String($0.hits.map { $0 ? "1" : "0" }) })
            if json { try FileHandleOutput.json(result); return }
            print(String(format: "wrote %@: %@, %d epochs, %@ top-1 %.2f%% top-5 %.2f%% (%d images), planned peak %@, %.1f images/s",
                         output, method.name, epochs, evalSplit.rawValue, 100 * result.top1, 100 * result.top5, result.evalImages,
                         ByteCount.format(plan.peakBytes), result.imagesPerSecond))
        }
    }

    struct Result: Encodable {
        let output: String, method: String, epochs: Int, evalSplit: String, evalImages: Int
        let top1: Double, top5: Double, trainLoss: Double, trainTop1: Double, peakBytes: Int, imagesPerSecond: Double
        /// What `--mem` counts of the plan; the measurement under `--mem`.
        let budgetedBytes: Int, certificate: MemoryCertificate?
        /// Top-1 on the `--holdout` images after training, and whether each was a hit ("1") or not ("0"), in the
        /// order `holdingOut` returns them (so that two trainings compare image by image).
        let validationImages: Int?, validationTop1: Double?, validationHits: String?
    }

    /// The certificate as stored in the trained file (`memory_certificate`).
    static func certificateJSON(_ c: MemoryCertificate) -> String {
        "{\"budget_bytes\":\(c.budgetBytes),\"planned_bytes\":\(c.plannedBytes),"
            + "\"measured_peak_growth_bytes\":\(c.measured.peakGrowthBytes),\"process_peak_bytes\":\(c.measured.processPeakBytes),"
            + "\"passes\":\(c.passes),\"measured_with\":\(jsonString(PeakMeasurement.method))}"
    }

    struct EpochResult {
        var epoch = 0, loss = 0.0, trainTop1 = 0.0
        var evaluation = Evaluation()
        var imagesPerSecond = 0.0
    }

    /// Top-1/top-5 over `samples` with the evaluation transform, in batches of `--batch`.
    func evaluate(_ trainer: Trainer, _ samples: [Sample], _ transform: ImageTransform, cache: DecodedImageCache?,
                  interrupt: InterruptFlag) throws -> Evaluation {
        let loader = BatchLoader(samples: samples, transform: transform, batchSize: batch, shuffle: false, seed: seed,
                                 prefetch: prefetch, cache: cache)
        var total = Evaluation()
        while let b = try loader.next() {
            if interrupt.isSet { throw TrainError.interrupted }
            total = total + trainer.evaluate(images: b.images, labels: b.labels)
        }
        return total
    }

    /// The subnet to train: extracted from the supernet by --arch, or read from --subnet.
    func loadSubnet() throws -> (subnet: Subnet, arch: ArchConfig?, space: SearchSpace, sha256: String?) {
        let supernetURL = try supernet.map { URL(fileURLWithPath: $0) } ?? (arch != nil ? DefaultSupernet.url() : nil)
        let net = try supernetURL.map { try Supernet.read(from: $0) }
        let sha = try supernetURL.map { try SHA256.hex(of: $0) }
        if let arch, let net {
            var config = arch == "max" ? ArchConfig.max(net.space) : arch == "min" ? ArchConfig.min(net.space)
                : try ArchConfig.parse(json: try Self.archText(arch), space: net.space)
            if let resolution { config.r = resolution }
            try config.validate(in: net.space, checkResolution: false)
            return (try net.subnet(config), config, net.space, sha)
        }
        let sub = try Subnet.read(from: URL(fileURLWithPath: subnet!))
        let space = net?.space ?? SearchSpace.make(family: sub.structure.family, widthMult: 1, classes: sub.structure.classes)
        return (sub, nil, space, sha)
    }

    /// The method to train with: `--arch`'s `"method"`, else `--method`, else lite-residual+bias.
    /// - Throws: `ValidationError` when both name one and they differ.
    static func method(flag: String?, arch: ArchConfig?) throws -> TransferMethod {
        let named = flag.flatMap { TransferMethod(named: $0) }
        if let fromArch = arch?.method, let named, named != fromArch {
            throw ValidationError("--method \(named.name) contradicts the architecture's \"method\": \"\(fromArch.name)\" — drop one")
        }
        return arch?.method ?? named ?? .liteResidualBias
    }

    /// The JSON itself, or the contents of the file it names.
    static func archText(_ value: String) throws -> String {
        if value.trimmingCharacters(in: .whitespaces).hasPrefix("{") { return value }
        guard let text = try? String(contentsOfFile: value, encoding: .utf8) else {
            throw SupernetError.invalidArchJSON(reason: "'\(value)' is neither JSON nor a readable file")
        }
        return text
    }

    static func jsonString(_ s: String) -> String {
        { let e = JSONEncoder(); e.outputFormatting = .withoutEscapingSlashes; return String(decoding: (try? e.encode(s)) ?? Data("\"\"".utf8), as: UTF8.self) }()
    }
}

extension Split: ExpressibleByArgument {}
extension OptimizerChoice: ExpressibleByArgument {}

/// A user-facing failure of `train`, one line.
struct TrainError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
    static let interrupted = TrainError("interrupted")
}
