import Foundation
import History
import Supernets

/// What a finished search reports (`summary.json` in the run directory, and `--json` output). Bytes, seconds,
/// accuracies as fractions, architectures as objects in OFA's dict form (strings holding them before 0.3).
public struct SearchSummary: Codable, Sendable, Equatable {
    public struct Winner: Codable, Sendable, Equatable {
        public var candidate: Int
        public var arch: Architecture
        public var resolution: Int
        public var validationTop1: Double
        public var testTop1: Double, testTop5: Double, testImages: Int
        public var plannedBytes: Int
        /// The training process's peak resident growth from before its trainer existed (`PeakMeasurement`), bytes.
        public var measuredBytes: Int
        /// That process's whole peak resident size (supernet, data and all), bytes; absent in older summaries.
        public var processPeakBytes: Int?
        public var ledger: [String: Int]
        public var formulaBytes: Int
        public var mflops: Double
        public var parameters: Int
        public var finalEpochs: Int
        public var trainImagesPerSecond: Double
    }

    /// An obvious choice (the max subnet with one method), trained exactly like the winner as a finalist.
    public struct Baseline: Codable, Sendable, Equatable {
        public var name: String, method: String, arch: Architecture
        public var resolution: Int
        public var plannedBytes: Int, measuredBytes: Int
        public var testTop1: Double, testTop5: Double

        enum CodingKeys: String, CodingKey {
            case name, method, arch, resolution, plannedBytes = "planned_bytes", measuredBytes = "measured_bytes"
            case testTop1 = "test_top1", testTop5 = "test_top5"
        }
    }

    /// A candidate trained for real on search-train and scored on validation before the winner was chosen
    /// (`SearchRun.trainFinalists(_:)`).
    public struct Finalist: Codable, Sendable, Equatable {
        public var candidate: Int, method: String, arch: Architecture
        /// Validation top-1 with the shared adapted weights (the search's fitness), and after its own training.
        public var sharedValidationTop1: Double, trainedValidationTop1: Double
        public var epochs: Int
        /// Test top-1 after its training (reported, never used to choose); absent in older summaries.
        public var testTop1: Double?

        enum CodingKeys: String, CodingKey {
            case candidate, method, arch, sharedValidationTop1 = "shared_val_top1"
            case trainedValidationTop1 = "trained_val_top1", epochs, testTop1 = "test_top1"
        }
    }

    /// How the winner was chosen among the finalists: the best on validation (`leader`) against the best obvious
    /// choice on validation (`reference`), image by image (`SearchRun.trainFinalists(_:)`).
    public struct Selection: Codable, Sendable, Equatable {
        public var leader: Int, reference: Int
        /// Validation images only the leader got right, and only the reference.
        public var wins: Int, losses: Int
        public var pValue: Double, significance: Double

        enum CodingKeys: String, CodingKey {
            case leader, reference, wins, losses, pValue = "p_value", significance
        }
    }

    /// A candidate trained with several seeds (`--seeds`): test top-1 per seed, its mean and sample standard
    /// deviation.
    public struct SeedRepeat: Codable, Sendable, Equatable {
        public var candidate: Int, seeds: [UInt64], testTop1: [Double]
        public var meanTestTop1: Double, spreadTestTop1: Double

        public init(candidate: Int, seeds: [UInt64], testTop1: [Double]) {
            self.candidate = candidate; self.seeds = seeds; self.testTop1 = testTop1
            let n = Double(testTop1.count), mean = testTop1.reduce(0, +) / n
            meanTestTop1 = mean
            spreadTestTop1 = n > 1 ? (testTop1.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)).squareRoot() : 0
        }

        enum CodingKeys: String, CodingKey {
            case candidate, seeds, testTop1 = "test_top1", meanTestTop1 = "mean_test_top1"
            case spreadTestTop1 = "std_test_top1"
        }
    }

    public var runDirectory: String
    public var dataset: String
    public var budgetBytes: Int
    public var memScope: String
    public var method: String
    public var candidatesEvaluated: Int, candidatesOverBudget: Int
    public var generations: Int
    public var stoppedEarly: Bool
    public var winner: Winner
    public var finalists: [Finalist]
    public var baselines: [Baseline]
    /// Absent in older summaries and when no obvious choice fits the budget.
    public var selection: Selection?
    /// The winner and the obvious choices over `--seeds` seeds; empty with one seed and in older summaries.
    public var seeds: [SeedRepeat]?
    /// Wall time of all phases, summed over sessions when the run was resumed; a phase a killed session left
    /// unfinished is not counted (before 0.3 it was, up to the end of the run).
    public var seconds: Double
    public var bestFile: String

    public func write(to url: URL) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        try e.encode(self).write(to: url, options: .atomic)
    }

    public static func read(from url: URL) throws -> SearchSummary {
        try JSONDecoder().decode(SearchSummary.self, from: Data(contentsOf: url))
    }

    enum CodingKeys: String, CodingKey {
        case runDirectory = "run_directory", dataset, budgetBytes = "budget_bytes", memScope = "mem_scope", method
        case candidatesEvaluated = "candidates_evaluated", candidatesOverBudget = "candidates_over_budget", generations
        case stoppedEarly = "stopped_early", winner, finalists, baselines, selection, seconds, bestFile = "best_file"
        case seeds
    }
}

extension SearchSummary.Winner {
    enum CodingKeys: String, CodingKey {
        case candidate, arch, resolution, validationTop1 = "val_top1", testTop1 = "test_top1", testTop5 = "test_top5"
        case testImages = "test_images", plannedBytes = "planned_bytes", measuredBytes = "measured_bytes", ledger
        case processPeakBytes = "process_peak_bytes"
        case formulaBytes = "formula_bytes", mflops, parameters, finalEpochs = "final_epochs"
        case trainImagesPerSecond = "train_images_per_second"
    }
}

extension Architecture {
    /// `config` in the form the history and summaries store.
    public init(_ config: ArchConfig) {
        self.init(ks: config.ks, e: config.e.map(Double.init), d: config.d, r: [config.r], method: config.method?.name,
                  lr: config.liteResidual?.map { $0 ? 1 : 0 })
    }
}
