import ArgumentParser
import Datasets
import Foundation
import History
import Memory
import Search
import Supernets
import Tensors
import Transfer

/// `ofa-search search` (also the bare `ofa-search --dataset … --mem …`): the whole pipeline in a run directory.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find the most accurate subnet whose TinyTL training fits a memory budget, train it and export it.",
        discussion: """
            Splits the training data into search-train and validation (seeded, stratified), adapts the supernet to the \
            dataset with weight-shared TinyTL (biases, lite residuals and classifier shared by all subnets; sandwich \
            rule), runs OFA's evolutionary search over kernel, expand, depth and resolution and over the adaptation (TinyTL \
            method, lite residual on/off per block; generation 0 holds the max subnet with each method at the largest \
            resolution that fits) — rejecting candidates whose \
            planned training memory exceeds --mem — with validation top-1 as fitness, then trains the winner on the \
            whole training split, measures its memory, tests it once and writes best.h5. Everything lands in the run \
            directory (history.sqlite, adapted.h5, best.h5, summary.json, search.log); --resume continues an \
            interrupted run without re-evaluating finished candidates. Sizes: MB = 10^6 bytes.
            """)

    @OptionGroup var data: DatasetOptions

    @Option(help: "Training-memory budget, e.g. 32MB (10^6 bytes), 32MiB, 500KB.", transform: { try ByteCount(parsing: $0) })
    var mem: ByteCount?

    @Option(name: .customLong("mem-scope"), help: "What the budget limits: total (all training memory) or activations.")
    var memScope: MemoryScope = .total

    @Option(help: "Supernet (.h5); default: the shipped Supernets/effnet-lite0-elastic.h5.", completion: .file(extensions: ["h5"]))
    var supernet: String?

    @Option(help: ArgumentHelp(
        "TinyTL methods the search chooses among, comma-separated: last, bias, bn+last, lite-residual, lite-residual+bias.",
        valueName: "list"))
    var method: String = TransferMethod.searchDefault.map(\.name).joined(separator: ",")

    @Option(help: "Training images per step (memory is planned for this batch).")
    var batch: Int = 8

    @Option(help: "Resolutions to search, e.g. 128,160,224 or 128-224:16 (default 128-224:16).")
    var resolutions: ResolutionList?

    @Option(help: "Population per generation (OFA: 100; default 16, --quick 8).")
    var population: Int?

    @Option(help: "Generations after the initial population (OFA: 500 with a predictor; default 5, --quick 2).")
    var generations: Int?

    @Option(name: .customLong("parent-ratio"), help: "Fraction of the population kept as parents.")
    var parentRatio: Double = 0.25

    @Option(name: .customLong("mutation-ratio"), help: "Fraction of children made by mutation (the rest by crossover).")
    var mutationRatio: Double = 0.5

    @Option(name: .customLong("mutation-prob"), help: "Probability of resampling each gene in a mutation.")
    var mutationProb: Double = 0.1

    @Option(name: .customLong("adapt-epochs"), help: "Most epochs of weight-shared adaptation over search-train; it stops earlier when an epoch gains less than half a point of validation (default 3, --quick 1).")
    var adaptEpochs: Int?

    @Option(name: .customLong("final-epochs"), help: "Epochs of each finalist's training, the winner's included (default 6, --quick 1).")
    var finalEpochs: Int?

    @Option(help: ArgumentHelp("Initial learning rate of adaptation and final training (cosine), or auto: a range test per method on search-train picks it.", valueName: "rate|auto"))
    var lr: String = "auto"

    /// Steps of each method's learning-rate range test (`--lr auto`; small values for tests at fixture size).
    @Option(name: .customLong("lr-test-steps"), help: .hidden)
    var lrTestSteps: Int = 80

    @Option(name: .customLong("val-fraction"), help: "Fraction of each class of the training split held out for validation.")
    var valFraction: Double = 0.1

    @Option(name: .customLong("calibration-images"), help: "Images for batch-norm re-calibration of each subnet.")
    var calibrationImages: Int = 100

    @Option(help: "Seed of the split, the adaptation, the evolution and the final training.")
    var seed: UInt64 = 0

    @OptionGroup var compute: ThreadOptions

    @Option(name: .customLong("time-limit"), help: "Stop drawing candidates after this long (e.g. 15m, 900s, 1h); the winner is still trained.")
    var timeLimit: String?

    @Option(name: .customLong("cache-mb"), help: "Decoded images kept in memory, in MB.")
    var cacheMB: Int = 1500

    @Option(help: .hidden, transform: { try SplitRatios(parsing: $0) })
    var split: SplitRatios?

    @Option(name: .customLong("frozen-bits"), help: ArgumentHelp(
        "Storage of frozen conv/linear weights: 8 (TinyTL's k-means codebook, stored for real) or 32.", valueName: "8|32"))
    var frozenBits: Int = 8

    @Option(help: ArgumentHelp(
        "Methods whose best candidate (by shared-weight validation) is trained as a finalist, best first (default: all searched methods); the max subnet with each method is always a finalist too.",
        valueName: "n"))
    var finalists: Int?

    @Option(help: ArgumentHelp(
        "The best finalist on validation replaces the best obvious choice (max subnet) only if it beats it image "
            + "by image with a one-sided McNemar p-value below this; 1 lets the best on validation win.",
        valueName: "p"))
    var significance: Double = 0.05

    enum PredictorChoice: String, ExpressibleByArgument, CaseIterable { case none, mlp }

    @Option(help: ArgumentHelp(
        "mlp: OFA's accuracy predictor (an MLP over the one-hot architecture, refitted each generation to the "
            + "candidates evaluated so far) picks each child as the best predicted of 4 proposals; none: children "
            + "are evaluated as drawn.", valueName: "none|mlp"))
    var predictor: PredictorChoice = .none

    @Option(help: ArgumentHelp(
        "Train the winner and the obvious choices with this many seeds (seed, seed+1, …; same validation hold-out) "
            + "and report the mean and spread of their test top-1; the winner is chosen with the first (default 1).",
        valueName: "n"))
    var seeds: Int?

    @Option(help: ArgumentHelp(
        "An architecture to evaluate in generation 0, after the obvious choices: JSON with a \"method\" (as in "
            + "summary.json or history) or a file holding it; repeat for several.", valueName: "json|file"))
    var enqueue: [String] = []

    @Option(help: "Optimizer of the finalists' trainings, whose state the budget counts: adam, adam8 (8-bit block-wise moments) or sgd (momentum 0.9).")
    var optimizer: OptimizerChoice = .adam

    @Flag(help: "A short search: population 8, 2 generations, 1 adaptation epoch, the best method's best candidate and the max subnets as finalists, 1 epoch each.")
    var quick = false

    @Flag(name: .customLong("dry-run"), help: "Print the space, how much of it fits the budget and a time estimate; train nothing.")
    var dryRun = false

    @Option(name: .shortAndLong, help: "Run directory (default Searches/<dataset>-<budget>-<timestamp>).")
    var output: String?

    @Option(help: .hidden)
    var out: String?

    @Option(help: ArgumentHelp(
        "Continue the search in this run directory (settings come from its history); with --generations or --seeds, "
            + "continue even a finished search to more generations or seeds.", valueName: "run dir"),
            completion: .directory)
    var resume: String?

    @Flag(help: "Print the summary as JSON on stdout.")
    var json = false

    enum ProgressFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: ArgumentHelp(
        "Progress on stderr: text lines, or json — one object per line (time, event, phase, message and the event's "
            + "fields: phase_start, phase_end, adapt_step, candidate, finalist, finished, log), for dashboards.",
        valueName: "text|json"))
    var progress: ProgressFormat = .text

    mutating func validate() throws {
        output = try RenamedFlag.merge(output, out, new: "--output", old: "--out")
        data.splitRatios = try RenamedFlag.merge(data.splitRatios, split, new: "--split-ratios", old: "--split")
        guard resume != nil || (data.dataset != nil && mem != nil) else {
            throw ValidationError("give --dataset <name|path> and --mem <budget, e.g. 32MB>, or --resume <run dir>")
        }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1, got \(batch)") }
        _ = try Self.methods(named: method)
        if let population, population < 2 { throw ValidationError("--population must be at least 2, got \(population)") }
        if let generations, generations < 0 { throw ValidationError("--generations must be 0 or more") }
        for (name, v) in [("--parent-ratio", parentRatio), ("--mutation-ratio", mutationRatio), ("--mutation-prob", mutationProb)] where !(0...1).contains(v) {
            throw ValidationError("\(name) must be between 0 and 1, got \(v)")
        }
        guard valFraction > 0 && valFraction < 1 else { throw ValidationError("--val-fraction must be between 0 and 1, got \(valFraction)") }
        guard lrTestSteps >= 2 else { throw ValidationError("--lr-test-steps must be at least 2") }
        if let adaptEpochs, adaptEpochs < 0 { throw ValidationError("--adapt-epochs must be 0 or more") }
        if let finalEpochs, finalEpochs < 1 { throw ValidationError("--final-epochs must be at least 1") }
        guard significance > 0 && significance <= 1 else {
            throw ValidationError("--significance must be in (0, 1], got \(significance)")
        }
        if let seeds, seeds < 1 { throw ValidationError("--seeds must be at least 1, got \(seeds)") }
        if let finalists, finalists < 0 { throw ValidationError("--finalists must be 0 or more, got \(finalists)") }
        guard frozenBits == 8 || frozenBits == 32 else { throw ValidationError("--frozen-bits must be 8 or 32, got \(frozenBits)") }
        guard calibrationImages >= 0 else { throw ValidationError("--calibration-images must be 0 or more") }
        guard lr == "auto" || (Double(lr).map { $0 > 0 && $0.isFinite } ?? false) else {
            throw ValidationError("--lr must be a positive number or auto, got '\(lr)'")
        }
        if let timeLimit, Self.seconds(timeLimit) == nil { throw ValidationError("--time-limit '\(timeLimit)' is not a duration — use e.g. 15m, 900s or 1h") }
    }

    /// The searched methods of a `--method` list (those whose trainables subnets can share), in the given order.
    static func methods(named list: String) throws -> [TransferMethod] {
        var out: [TransferMethod] = []
        for name in list.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let m = TransferMethod(named: name), TransferMethod.searchable.contains(m) else {
                throw ValidationError("unknown or unsearchable --method '\(name)' — choose among "
                                      + TransferMethod.searchable.map(\.name).joined(separator: ", ") + " (comma-separated)")
            }
            if !out.contains(m) { out.append(m) }
        }
        return out
    }

    /// "90s", "15m", "1h", "1.5h" or plain seconds.
    static func seconds(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
        if let last = text.last, let unit = units[last] { return Double(text.dropLast()).map { $0 * unit }.flatMap { $0 > 0 ? $0 : nil } }
        return Double(text).flatMap { $0 > 0 ? $0 : nil }
    }

    static let toolVersion = "ofa-search \(OFASearch.configuration.version)"

    func run() throws {
        try reportingErrors {
            ProcessMemory.releaseFreedMemory()   // allocator settings that make the winner's measured memory honest
            Parallelism.setThreads(compute.threads)
            let interrupt = InterruptFlag.install()
            let run: SearchRun
            let log: LogFile
            if let resume {
                let directory = RunDirectory(URL(fileURLWithPath: resume))
                run = try SearchRun.resume(directory: directory, toolVersion: Self.toolVersion, generations: generations,
                                           seeds: seeds) { settings in
                    Parallelism.setThreads(settings.threads)
                    let url = URL(fileURLWithPath: settings.supernet)
                    let net = try Supernet.read(from: url)
                    let ratios = try settings.split.map { try SplitRatios(parsing: $0) }
                    let data = try DatasetRegistry.open(settings.dataset, dataRoot: settings.dataRoot, split: ratios, seed: settings.seed)
                    return (net, try SHA256.hex(of: url), data)
                }
                log = try LogFile(url: directory.log)
                log.line("resumed \(Date())")
                if generations != nil || seeds != nil {
                    let line = "continuing to \(run.settings.evolution.generations) generations and "
                        + "\(run.settings.seeds) seed(s)"
                    say(line); log.line(line)
                }
            } else {
                let supernetURL = try supernet.map { URL(fileURLWithPath: $0) } ?? DefaultSupernet.url()
                let net = try Supernet.read(from: supernetURL)
                let dataset = try data.open(seed: seed)!
                let settings = try makeSettings(space: net.space, supernet: supernetURL.path)
                if dryRun {
                    try DryRun(settings: settings, supernet: net, dataset: dataset).print(json: json)
                    return
                }
                let directory = RunDirectory(URL(fileURLWithPath: output ?? defaultDirectory(dataset: dataset.name)))
                if FileManager.default.fileExists(atPath: directory.history.path) {
                    let path = directory.url.path
                    throw ValidationError("\(path) already holds a search — continue it with --resume \(path) "
                                          + "or choose another --output")
                }
                run = try SearchRun.start(directory: directory, settings: settings, supernet: net, supernetSHA256: try SHA256.hex(of: supernetURL),
                                          dataset: dataset, toolVersion: Self.toolVersion)
                log = try LogFile(url: directory.log)
                log.line("ofa-search \(CommandLine.arguments.dropFirst().joined(separator: " "))")
                say("run directory: \(directory.url.path)")
            }
            let format = progress
            run.onProgress = { event in
                printError(format == .json ? event.jsonLine() : event.message)
                log.line(event.message)
            }
            run.interrupted = { interrupt.isSet }
            if let timeLimit, let s = Self.seconds(timeLimit) { run.searchDeadline = Date().addingTimeInterval(s) }
            let summary: SearchSummary
            do { summary = try run.run() } catch { log.line("error: \(error)"); throw error }
            if json { try FileHandleOutput.json(summary); return }
            let w = summary.winner
            let interval = WilsonInterval(accuracy: w.testTop1, count: w.testImages).description
            print(String(format: "best subnet: test top-1 %.2f%% (%@; top-5 %.2f%%), validation %.2f%%, %d px, planned %@, measured %@ (budget %@)",
                         100 * w.testTop1, interval, 100 * w.testTop5, 100 * w.validationTop1, w.resolution,
                         ByteCount.format(w.plannedBytes), ByteCount.format(w.measuredBytes), ByteCount.format(summary.budgetBytes)))
            print("architecture: \(w.arch.jsonText)")
            print("\(summary.candidatesEvaluated) candidates evaluated (\(summary.candidatesOverBudget) draws over the budget "
                  + "refused before evaluation), \(summary.generations) generations, \(SearchRun.duration(summary.seconds))")
            for f in summary.finalists {
                print(String(format: "finalist #%d %@: validation %.2f%% shared-weight, %.2f%% after %d epochs on search-train"
                             + " (test %.2f%%)", f.candidate, f.method, 100 * f.sharedValidationTop1,
                             100 * f.trainedValidationTop1, f.epochs, 100 * (f.testTop1 ?? 0)))
            }
            if let s = summary.selection, s.leader != s.reference {
                print(String(format: "chosen: #%d (best on validation) against #%d (best obvious choice): %d "
                             + "images for, %d against, McNemar p %.3f (significance %.3f)", s.leader, s.reference,
                             s.wins, s.losses, s.pValue, s.significance))
            }
            for b in summary.baselines {
                print(String(format: "baseline %@ at %d px: test top-1 %.2f%%, planned %@, measured %@", b.name, b.resolution, 100 * b.testTop1,
                             ByteCount.format(b.plannedBytes), ByteCount.format(b.measuredBytes)))
            }
            for r in summary.seeds ?? [] {
                let name = r.candidate == w.candidate ? "winner" : "#\(r.candidate)"
                print(String(format: "%@ over %d seeds (%@): test top-1 %.2f%% ± %.2f (sample standard deviation)",
                             name, r.seeds.count, r.seeds.map(String.init).joined(separator: ","),
                             100 * r.meanTestTop1, 100 * r.spreadTestTop1))
            }
            print("wrote \(summary.bestFile) and \(run.directory.summary.path)")
        }
    }

    /// A line of the command's own on stderr, in the `--progress` format.
    func say(_ line: String) {
        printError(progress == .json ? SearchProgress(kind: .log, phase: nil, message: line).jsonLine() : line)
    }

    func makeSettings(space: SearchSpace, supernet: String) throws -> SearchSettings {
        let res = resolutions?.values ?? Array(stride(from: 128, through: 224, by: 16))
        if let bad = res.first(where: { !space.resolutions.contains($0) }) {
            throw ValidationError("--resolutions: \(bad) is outside the supernet's \(space.resolutionRange.lowerBound)...\(space.resolutionRange.upperBound) in steps of \(space.resolutionStep) — pick resolutions in it")
        }
        var evolution = EvolutionSettings(population: population ?? (quick ? 8 : 16), generations: generations ?? (quick ? 2 : 5))
        evolution.parentRatio = parentRatio; evolution.mutationRatio = mutationRatio; evolution.mutationProbability = mutationProb
        var adaptation = SharedAdaptation.Settings(epochs: adaptEpochs ?? (quick ? 1 : 3), batch: batch)
        let fixedRate = Double(lr)
        adaptation.learningRate = fixedRate ?? adaptation.learningRate
        var settings = SearchSettings(
            dataset: data.dataset!, dataRoot: data.dataRoot, supernet: supernet, budgetBytes: mem!.bytes, memScope: memScope,
            methods: try Self.methods(named: method), batch: batch, resolutions: res, evolution: evolution, adaptation: adaptation,
            finalEpochs: finalEpochs ?? (quick ? 1 : 6), finalLearningRate: adaptation.learningRate, validationFraction: valFraction,
            calibrationImages: calibrationImages, seed: seed, threads: compute.threads, cacheBytes: cacheMB * 1_000_000,
            stageSlotCounts: space.stages.map(\.slots.count))
        settings.finalists = finalists ?? (quick ? 1 : settings.methods.count)
        settings.frozenBits = frozenBits
        settings.optimizer = optimizer
        settings.significance = significance
        settings.seeds = seeds ?? 1
        settings.predictor = predictor.rawValue
        settings.split = data.splitRatios?.description
        settings.findsLearningRate = fixedRate == nil
        settings.rangeTestSteps = lrTestSteps
        settings.enqueued = try enqueue.enumerated().map { i, text in
            try Self.enqueued(text, number: i + 1, space: space, methods: settings.methods, resolutions: res)
        }
        // Generation 0 holds at most one obvious choice per method, then the enqueued ones: all must fit in it.
        guard settings.methods.count + enqueue.count <= evolution.population else {
            throw ValidationError("--enqueue: \(enqueue.count) architectures and up to \(settings.methods.count) "
                                  + "obvious choices exceed --population \(evolution.population): raise it")
        }
        return settings
    }

    /// An `--enqueue` architecture (JSON or a file holding it) as canonical JSON: in the space, with one of the
    /// searched methods and one of the searched resolutions, so the evolution can mutate and cross it.
    static func enqueued(_ text: String, number: Int, space: SearchSpace, methods: [TransferMethod],
                         resolutions: [Int]) throws -> String {
        let what = "--enqueue architecture \(number)"
        let config: ArchConfig
        do {
            config = try ArchConfig.parse(json: try Train.archText(text), space: space)
            try config.validate(in: space)
        } catch {
            throw ValidationError("\(what): \(error)")
        }
        guard let method = config.method, methods.contains(method) else {
            let names = methods.map(\.name).joined(separator: ", ")
            throw ValidationError("\(what) needs a \"method\" the search uses: one of \(names)")
        }
        guard resolutions.contains(config.r) else {
            throw ValidationError("\(what) has resolution \(config.r), not one of --resolutions "
                                  + resolutions.map(String.init).joined(separator: ","))
        }
        return config.canonical(in: space).json
    }

    func defaultDirectory(dataset: String) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        let budget = ByteCount.format(mem!.bytes).replacingOccurrences(of: " ", with: "").replacingOccurrences(of: ".00", with: "")
        return "Searches/\(dataset)-\(budget)-\(f.string(from: Date()))"
    }
}

extension MemoryScope: ExpressibleByArgument {}

/// The run's log: every progress line, appended and flushed as it comes.
final class LogFile {
    let handle: FileHandle
    init(url: URL) throws {
        if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        handle = try FileHandle(forWritingTo: url)
        handle.seekToEndOfFile()
    }
    func line(_ text: String) { handle.write(Data((text + "\n").utf8)) }
}
