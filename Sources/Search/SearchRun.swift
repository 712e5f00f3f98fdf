import Datasets
import Foundation
import History
import Memory
import Supernets
import Tensors
import Transfer

/// One search, start to finish, in its run directory (DESIGN §6): weight-shared TinyTL adaptation of the supernet,
/// evolution under the planned training-memory budget, then the winner's final TinyTL training, test and export.
///
/// Every phase leaves its state on disk as it goes — `adapted.h5` after each adaptation epoch, each candidate in
/// `history.sqlite` when it finishes — so `resume` after a crash or `kill -9` continues where it stopped and
/// reaches the same result as an uninterrupted run (same seed and thread count).
public final class SearchRun {
    public let directory: RunDirectory
    public let settings: SearchSettings
    public let supernetSHA256: String
    /// The ofa-search version recorded in the history and the bundle's provenance.
    public let toolVersion: String
    let store: any SearchStorage
    let data: SearchData
    let factory: SubnetFactory
    var shared = SharedTrainables()
    /// Where progress goes (the command prints it and appends its lines to the run's log).
    public var onProgress: (SearchProgress) -> Void = { _ in }
    /// The phase under way, for progress events.
    var currentPhase: String?
    /// The `ofa-search` executable the finalists train in (a fresh process each; `trainCertified`).
    public var toolExecutable = Bundle.main.executableURL ?? URL(fileURLWithPath: "/proc/self/exe")
    /// Polled between steps and candidates; true stops the run cleanly (resumable).
    public var interrupted: () -> Bool = { false }
    /// The search phase stops drawing candidates after this moment (the winner is still trained).
    public var searchDeadline: Date?
    var estimates: [String: MemoryEstimate] = [:]
    /// Each searched method's learning rate (`chooseLearningRates()`, the first phase).
    var learningRates: [TransferMethod: Double] = [:]

    init(directory: RunDirectory, settings: SearchSettings, factory: SubnetFactory, supernetSHA256: String, dataset: LabeledImages,
         store: any SearchStorage, toolVersion: String) throws {
        self.directory = directory; self.settings = settings; self.supernetSHA256 = supernetSHA256; self.store = store
        self.toolVersion = toolVersion; self.factory = factory
        data = SearchData(dataset: dataset, validationFraction: settings.validationFraction, calibrationImages: settings.calibrationImages,
                          seed: settings.seed, mean: factory.supernet.mean, std: factory.supernet.std, cacheBytes: settings.cacheBytes)
        guard data.searchTrain.count >= settings.batch else {
            throw SearchError.tooFewImages(split: "search-train", count: data.searchTrain.count, batch: settings.batch)
        }
        guard !data.validation.isEmpty else { throw SearchError.tooFewImages(split: "validation", count: 0, batch: 1) }
    }

    /// A new search in `directory` (created; must not hold a history yet).
    public static func start(directory: RunDirectory, settings: SearchSettings, supernet: Supernet, supernetSHA256: String,
                             dataset: LabeledImages, toolVersion: String) throws -> SearchRun {
        let factory = try makeFactory(settings, supernet: supernet, dataset: dataset)
        try checkBudgetIsReachable(settings, factory: factory)
        try FileManager.default.createDirectory(at: directory.url, withIntermediateDirectories: true)
        let store = try SQLiteSearchStore(creatingAt: directory.history, toolVersion: toolVersion)
        let run = try SearchRun(directory: directory, settings: settings, factory: factory, supernetSHA256: supernetSHA256,
                                dataset: dataset, store: store, toolVersion: toolVersion)
        let now = ISO8601DateFormatter().string(from: Date())
        try store.begin(RunRecord(createdAt: now, dataset: dataset.name, budgetBytes: settings.budgetBytes,
                                  memScope: settings.memScope.rawValue, method: settings.methodNames, seed: settings.seed,
                                  supernetPath: settings.supernet, supernetSHA256: supernetSHA256,
                                  family: supernet.space.family.rawValue, settingsJSON: settings.json, toolVersion: toolVersion))
        return run
    }

    /// The search stored in `directory`, to continue. `load` opens the supernet and dataset the settings name.
    /// `generations` and `seeds`, when given, extend it (never shrink): a finished search then runs again — its
    /// candidates replayed from the history, new generations drawn after them, finalists and seeds already trained
    /// kept — and ends as one started with those settings would.
    public static func resume(directory: RunDirectory, toolVersion: String, generations: Int? = nil, seeds: Int? = nil,
                              load: (SearchSettings) throws -> (supernet: Supernet, sha256: String, dataset: LabeledImages)) throws -> SearchRun {
        let store = try SQLiteSearchStore(openingAt: directory.history, readOnly: false)
        guard let record = try store.run() else { throw SearchError.invalid("\(directory.url.path) holds no search settings (the search never started) — start a new search instead") }
        var settings = try SearchSettings.decode(json: record.settingsJSON)
        let stored = settings
        if let generations {
            guard generations >= stored.evolution.generations else {
                throw SearchError.invalid("--generations \(generations) is fewer than the \(stored.evolution.generations) "
                                          + "the search has — a search can be continued, not cut short")
            }
            settings.evolution.generations = generations
        }
        if let seeds {
            guard seeds >= stored.seeds else {
                throw SearchError.invalid("--seeds \(seeds) is fewer than the \(stored.seeds) the search has")
            }
            settings.seeds = seeds
        }
        let (supernet, sha, dataset) = try load(settings)
        guard sha == record.supernetSHA256 else {
            throw SearchError.invalid("\(settings.supernet) changed since the search started (sha256 \(sha.prefix(12)) ≠ \(record.supernetSHA256.prefix(12))) — resume with the original supernet file")
        }
        let run = try SearchRun(directory: directory, settings: settings, factory: try makeFactory(settings, supernet: supernet, dataset: dataset),
                                supernetSHA256: sha, dataset: dataset, store: store,
                                toolVersion: toolVersion)
        guard run.data.fingerprint == directory.storedFingerprint() ?? run.data.fingerprint else {
            throw SearchError.invalid("the dataset \(settings.dataset) changed since the search started — resume with the original data")
        }
        if settings != stored {
            try run.reopen(finished: record.status == "finished")
        }
        return run
    }

    /// Stores the extended settings and marks the run running. A finished run's `best.h5` goes back to being its
    /// winner's finalist file, so that the continued search chooses among all finalists again.
    func reopen(finished: Bool) throws {
        if finished, let summary = try? SearchSummary.read(from: directory.summary),
           FileManager.default.fileExists(atPath: directory.best.path) {
            let weights = directory.finalist(summary.winner.candidate, "h5")
            try? FileManager.default.removeItem(at: weights)
            try FileManager.default.moveItem(at: directory.best, to: weights)
        }
        try store.reopen(settingsJSON: settings.json)
    }

    /// The subnet factory of a search: its methods (ones whose trainables subnets can share), classes, seed, frozen
    /// storage and the loader's working set over the training split.
    static func makeFactory(_ settings: SearchSettings, supernet: Supernet, dataset: LabeledImages) throws -> SubnetFactory {
        guard let first = settings.methods.first else { throw SearchError.unsupportedMethod("none") }
        if let bad = settings.methods.first(where: { !TransferMethod.searchable.contains($0) }) {
            throw SearchError.unsupportedMethod(bad.name)
        }
        return SubnetFactory(supernet: supernet, defaultMethod: first, classes: dataset.classes.count, seed: settings.seed,
                             frozenBits: settings.frozenBits, loader: loader(settings, dataset), optimizer: settings.optimizer)
    }

    /// The loader's working set over the images the finalists train on: the training split without the
    /// validation images.
    public static func loader(_ settings: SearchSettings, _ dataset: LabeledImages) -> LoaderWorkingSet {
        LoaderWorkingSet(samples: dataset[.train].holdingOut(fraction: settings.validationFraction,
                                                             classes: dataset.classes.count, seed: settings.seed).kept)
    }

    /// Runs (or continues) every phase and returns the summary also written to `summary.json`.
    public func run() throws -> SearchSummary {
        if let record = try store.run(), record.status == "finished", let summary = try? SearchSummary.read(from: directory.summary) {
            report("this search already finished; nothing to do")
            return summary
        }
        do {
            return try runPhases()
        } catch SearchError.interrupted {
            throw SearchError.interrupted
        } catch {
            // The history says the run failed and why (`history` shows it); the error still goes to the caller.
            try? store.finish(status: "failed", resultJSON: jsonObject(["error": "\(error)"]))
            throw error
        }
    }

    func runPhases() throws -> SearchSummary {
        try directory.store(fingerprint: data.fingerprint)
        try checkBudgetIsReachable()
        learningRates = try phase("lr") { try chooseLearningRates() }
        try phase("adapt") { try adapt() }
        let search = try phase("search") { try evolve() }
        guard search.best != nil else {
            throw SearchError.invalid("no candidate within the budget was found in \(settings.evolution.maxTries) draws — raise --mem or narrow --resolutions to smaller ones")
        }
        let final = try phase("finalists") { try trainFinalists(search) }
        return try finish(final, search: search)
    }

    /// Runs `body` between `startPhase` and `endPhase` records.
    func phase<T>(_ name: String, _ body: () throws -> T) throws -> T {
        try store.startPhase(name)
        currentPhase = name
        report("phase \(name) started", kind: .phaseStart)
        let result = try body()
        try store.endPhase(name)
        report("phase \(name) done", kind: .phaseEnd)
        currentPhase = nil
        return result
    }

    /// Reports a progress line, with fields for `--progress json`.
    func report(_ line: String, kind: SearchProgress.Kind = .log, fields: [String: JSONValue] = [:]) {
        onProgress(SearchProgress(kind: kind, phase: currentPhase, message: line, fields: fields))
    }
}
