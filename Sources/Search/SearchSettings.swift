import Foundation
import Supernets
import Transfer

/// Everything that determines a search's result (stored in the run's history so `--resume` continues the same
/// search). Sizes in bytes, times in seconds.
public struct SearchSettings: Codable, Sendable, Equatable {
    /// The dataset as given (a registry name or a path).
    public var dataset: String
    public var dataRoot: String?
    public var supernet: String
    public var budgetBytes: Int
    public var memScope: MemoryScope
    /// The TinyTL methods the search chooses among (the method gene; `--method`).
    public var methods: [TransferMethod]
    /// Training images per step, for the memory plan, adaptation and the final training.
    public var batch: Int
    public var resolutions: [Int]
    public var evolution: EvolutionSettings
    public var adaptation: SharedAdaptation.Settings
    public var finalEpochs: Int
    public var finalLearningRate: Double
    public var validationFraction: Double
    public var calibrationImages: Int
    public var seed: UInt64
    public var threads: Int
    /// Decoded-image cache, bytes.
    public var cacheBytes: Int
    /// Bits per stored frozen weight: 8 (TinyTL's k-means codebook, stored for real) or 32.
    public var frozenBits: Int = 8
    /// Methods whose best candidate is trained as a finalist besides the obvious choices
    /// (`SearchRun.finalistMembers(_:)`); each finalist trains `finalEpochs`.
    public var finalists: Int = 0
    /// The best finalist on validation wins over the best obvious choice only if it beats it image by image with a
    /// one-sided McNemar p-value below this (`PairedComparison`, `--significance`); 1 lets the best on validation win.
    public var significance: Double = 0.05
    /// The optimiser of the finalists' trainings, whose state the budget plans (`--optimizer`);
    /// the shared adaptation, which runs on the search machine and is not budgeted, always uses float32 Adam.
    public var optimizer: OptimizerChoice = .adam
    /// Choose each method's learning rate by a range test (`--lr auto`, `SearchRun.chooseLearningRates()`); when
    /// false, `finalLearningRate` (= the adaptation's) is every method's.
    public var findsLearningRate: Bool = true
    /// Steps of each method's range test.
    public var rangeTestSteps: Int = 80
    /// train,valid,test ratios for a dataset without its own splits (`--split-ratios`), as given.
    public var split: String?
    /// Slots per stage of the supernet's space, for reading architectures in the history (`history importance`).
    public var stageSlotCounts: [Int]
    /// Architectures (canonical JSON, with a method) the user placed in generation 0 after the obvious choices
    /// (`--enqueue`): evaluated like any candidate, parents if they do well, finalists if best of their method.
    public var enqueued: [String] = []
    /// Seeds the winner and the obvious choices are trained with (`--seeds`): `seed`, `seed + 1`, …; the summary
    /// reports the mean and spread of their test top-1. The first seed's training is the finalist's own.
    public var seeds: Int = 1
    /// `mlp`: each child of the evolution is the best of `screeningPool` proposals by an `AccuracyPredictor`
    /// fitted to the candidates evaluated so far; `none`: every child is evaluated as drawn (OFA's search without
    /// a predictor).
    public var predictor: String = "none"
    public var screeningPool: Int = 4

    public init(dataset: String, dataRoot: String?, supernet: String, budgetBytes: Int, memScope: MemoryScope,
                methods: [TransferMethod],
                batch: Int, resolutions: [Int], evolution: EvolutionSettings, adaptation: SharedAdaptation.Settings,
                finalEpochs: Int, finalLearningRate: Double, validationFraction: Double, calibrationImages: Int, seed: UInt64,
                threads: Int, cacheBytes: Int, stageSlotCounts: [Int]) {
        self.dataset = dataset; self.dataRoot = dataRoot; self.supernet = supernet; self.budgetBytes = budgetBytes
        self.memScope = memScope; self.methods = methods; self.batch = batch; self.resolutions = resolutions
        self.evolution = evolution; self.adaptation = adaptation; self.finalEpochs = finalEpochs
        self.finalLearningRate = finalLearningRate; self.validationFraction = validationFraction
        self.calibrationImages = calibrationImages; self.seed = seed; self.threads = threads; self.cacheBytes = cacheBytes
        self.stageSlotCounts = stageSlotCounts
    }

    enum CodingKeys: String, CodingKey {
        case dataset, dataRoot = "data_root", supernet, budgetBytes = "budget_bytes", memScope = "mem_scope", methods, batch
        case resolutions, evolution, adaptation, finalEpochs = "final_epochs", finalLearningRate = "final_lr"
        case validationFraction = "validation_fraction", calibrationImages = "calibration_images", seed, threads
        case cacheBytes = "cache_bytes", stageSlotCounts = "stage_slot_counts", frozenBits = "frozen_bits"
        case finalists, optimizer, split, findsLearningRate = "finds_lr", rangeTestSteps = "lr_test_steps", significance
        case enqueued, seeds, predictor, screeningPool = "screening_pool"
    }

    /// The settings as a JSON object (sorted keys).
    public var json: String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! e.encode(self), as: UTF8.self)
    }

    /// Settings from their JSON. Keys added after a run started get what that run did: a fixed learning rate, Adam,
    /// no plateau stop, the best finalist on validation wins (so `--resume` continues an older run as it began).
    public static func decode(json: String) throws -> SearchSettings {
        let current = try? JSONDecoder().decode(SearchSettings.self, from: Data(json.utf8))
        guard current == nil, var object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            return try current ?? JSONDecoder().decode(SearchSettings.self, from: Data(json.utf8))
        }
        for (key, value) in legacyDefaults where object[key] == nil { object[key] = value }
        if var adaptation = object["adaptation"] as? [String: Any], adaptation["plateauGain"] == nil {
            adaptation["plateauGain"] = 0
            object["adaptation"] = adaptation
        }
        return try JSONDecoder().decode(SearchSettings.self, from: JSONSerialization.data(withJSONObject: object))
    }

    /// What runs started before a setting existed did, by key.
    static let legacyDefaults: [String: Any] = ["finds_lr": false, "optimizer": "adam", "lr_test_steps": 80,
                                                   "significance": 1.0, "enqueued": [String](), "seeds": 1,
                                                   "predictor": "none", "screening_pool": 4]

    /// The methods' command-line names, comma-separated (`last,bias,…`).
    public var methodNames: String { methods.map(\.name).joined(separator: ",") }
}
