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

    @OptionGroup var data: DatasetOptions

    @Option(name: .customLong("data"), help: .hidden)
    var legacyData: String?


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

    @OptionGroup var compute: ThreadOptions

    @Option(name: .customLong("train-split"), help: "Split to train on: train, valid or test.")
    var trainSplit: Split = .train

    @Option(name: .customLong("eval-split"), help: "Split to evaluate on (default: test, else valid).")
    var evalSplit: Split?

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


    mutating func validate() throws {
        data.dataset = try RenamedFlag.merge(data.dataset, legacyData, new: "--dataset", old: "--data")
        mem = try RenamedFlag.merge(mem, budget, new: "--mem", old: "--budget")
        data.splitRatios = try RenamedFlag.merge(data.splitRatios, split, new: "--split-ratios", old: "--split")
        guard data.dataset != nil else { throw ValidationError("give --dataset <name|path>") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1, got \(batch)") }
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        if let method, TransferMethod(named: method) == nil {
            throw ValidationError("unknown --method '\(method)' — choose one of \(TransferMethod.allCases.map(\.name).joined(separator: ", "))")
        }
        guard (subnet == nil) != (arch == nil) else { throw ValidationError("give exactly one of --arch <json> and --subnet <subnet.h5>") }
        guard lr > 0 && lr.isFinite else { throw ValidationError("--lr must be positive, got \(lr)") }
        guard (0..<1).contains(labelSmoothing) else { throw ValidationError("--label-smoothing must be in [0, 1), got \(labelSmoothing)") }
        guard frozenBits == 8 || frozenBits == 32 else { throw ValidationError("--frozen-bits must be 8 or 32, got \(frozenBits)") }
        guard cacheMB >= 0 else { throw ValidationError("--cache-mb must be 0 or more") }
        if let holdout, !(holdout > 0 && holdout < 1) { throw ValidationError("--holdout must be in (0, 1), got \(holdout)") }
        if let evalSplit, evalSplit == trainSplit { throw ValidationError("--eval-split must differ from --train-split (\(trainSplit.rawValue))") }
    }

    /// `trained.h5` → `trained.checkpoint.h5`.
    static func defaultCheckpoint(for output: String) -> String {
        (output.hasSuffix(".h5") ? String(output.dropLast(3)) : output) + ".checkpoint.h5"
    }

    /// The flags (and facts about the data) a checkpoint must share with the run that resumes it.
    func runSettings(dataset: String, supernetSHA256: String?, arch: String?, method: TransferMethod,
                     resolution: Int) -> [String: String] {
        var s = ["--dataset": dataset, "--method": method.name, "--epochs": String(epochs),
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
            Parallelism.setThreads(compute.threads)
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
            let dataset = try data.open(seed: seed)!
            var settings = FineTuning.Settings(method: method, epochs: epochs, batch: batch, resolution: r)
            settings.learningRate = lr; settings.optimizer = optimizer; settings.labelSmoothing = labelSmoothing
            settings.norm = norm.mode; settings.frozenBits = frozenBits; settings.chunking = !noChunking
            settings.seed = seed; settings.trainSplit = trainSplit; settings.evalSplit = evalSplit
            settings.holdout = holdout; settings.holdoutSeed = holdoutSeed; settings.cacheBytes = cacheMB * 1_000_000
            settings.budgetBytes = mem?.bytes
            let checkpointURL = URL(fileURLWithPath: checkpoint ?? Self.defaultCheckpoint(for: output))
            let tuning: FineTuning, outcome: FineTuning.Outcome
            do {
                tuning = try FineTuning(
                    subnet: source.subnet, placement: config.map { $0.liteResidualBlocks(in: source.space, method: method) },
                    dataset: dataset, settings: settings,
                    checkpointSettings: runSettings(dataset: dataset.name, supernetSHA256: source.sha256, arch: config?.json,
                                                    method: method, resolution: r),
                    resume: resume.map { URL(fileURLWithPath: $0) }, report: printError)
                outcome = try tuning.run(checkpoint: checkpointURL, interrupted: { interrupt.isSet },
                                         stepFinished: interrupt.stepFinished)
            } catch let error as FineTuningError where error.isInterrupt {
                printError(error.description)
                throw ExitCode(130)
            }
            try tuning.trainedFile(outcome, arch: config, supernetSHA256: source.sha256, widthMult: source.space.widthMult,
                                   provenance: provenance)
                .write(to: URL(fileURLWithPath: output))
            try? FileManager.default.removeItem(at: checkpointURL)   // superseded by the trained file

            let last = outcome.last, validation = outcome.validation
            let result = Result(output: output, method: method.name, epochs: epochs, evalSplit: tuning.evalSplit.rawValue,
                                evalImages: last.evaluation.count, top1: last.evaluation.top1Accuracy,
                                top5: last.evaluation.top5Accuracy, trainLoss: last.loss, trainTop1: last.trainTop1,
                                peakBytes: tuning.trainer.plan.peakBytes, imagesPerSecond: outcome.imagesPerSecond,
                                budgetedBytes: tuning.budgeted.plannedBytes, certificate: outcome.certificate,
                                validationImages: validation?.count, validationTop1: validation?.top1Accuracy,
                                validationHits: validation.map { String($0.hits.map { $0 ? "1" : "0" }) })
            if json { try FileHandleOutput.json(result); return }
            print(String(format: "wrote %@: %@, %d epochs, %@ top-1 %.2f%% top-5 %.2f%% (%d images), planned peak %@, %.1f images/s",
                         output, method.name, epochs, result.evalSplit, 100 * result.top1, 100 * result.top5,
                         result.evalImages, ByteCount.format(result.peakBytes), result.imagesPerSecond))
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
}

extension Split: ExpressibleByArgument {}
extension OptimizerChoice: ExpressibleByArgument {}

/// A user-facing failure of `train`, one line.
struct TrainError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
