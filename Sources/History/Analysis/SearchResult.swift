import Foundation

/// The search's outcome, decoded from `run.result_json` (keys in SCHEMA.md); absent while a search runs or
/// after it failed.
public struct SearchResult: Equatable, Sendable, Codable {
    /// A reference architecture retrained for comparison (e.g. TinyTL's fixed backbone).
    public struct Baseline: Equatable, Sendable, Codable {
        public var name: String
        public var arch: Architecture
        /// Pixels.
        public var resolution: Int
        /// Planned total training memory, bytes.
        public var plannedBytes: Int
        /// Test top-1, fraction 0...1.
        public var testTop1: Double

        public init(name: String, arch: Architecture, resolution: Int, plannedBytes: Int, testTop1: Double) {
            self.name = name
            self.arch = arch
            self.resolution = resolution
            self.plannedBytes = plannedBytes
            self.testTop1 = testTop1
        }

        enum CodingKeys: String, CodingKey {
            case name, arch, resolution
            case plannedBytes = "planned_bytes", testTop1 = "test_top1"
        }
    }

    /// A candidate trained with several seeds (`search --seeds`): test top-1 per seed, mean and sample standard
    /// deviation.
    public struct SeedSpread: Equatable, Sendable, Codable {
        public var candidate: Int, seeds: [UInt64], testTop1: [Double], meanTestTop1: Double, stdTestTop1: Double

        enum CodingKeys: String, CodingKey {
            case candidate, seeds, testTop1 = "test_top1", meanTestTop1 = "mean_test_top1", stdTestTop1 = "std_test_top1"
        }
    }

    /// Candidate id of the winner.
    public var winner: Int
    public var arch: Architecture
    /// Fractions 0...1.
    public var valTop1: Double, testTop1: Double, testTop5: Double
    /// Test images the accuracies are over (nil in runs written before it was recorded).
    public var testImages: Int?
    /// The planner's peak of the winner's final training, bytes.
    public var plannedBytes: Int
    /// Growth of the process's peak memory measured during the final retraining, bytes.
    public var measuredBytes: Int?
    /// The planner's ledger at the peak: category → bytes.
    public var ledger: [String: Int]
    public var budgetBytes: Int
    public var finalEpochs: Int
    public var baselines: [Baseline]
    /// The winner and the obvious choices over several seeds; empty with one seed and in older runs.
    public var seeds: [SeedSpread] = []

    public init(
        winner: Int, arch: Architecture, valTop1: Double, testTop1: Double, testTop5: Double, plannedBytes: Int,
        measuredBytes: Int?, ledger: [String: Int], budgetBytes: Int, finalEpochs: Int, baselines: [Baseline] = []
    ) {
        self.winner = winner
        self.arch = arch
        self.valTop1 = valTop1
        self.testTop1 = testTop1
        self.testTop5 = testTop5
        self.plannedBytes = plannedBytes
        self.measuredBytes = measuredBytes
        self.ledger = ledger
        self.budgetBytes = budgetBytes
        self.finalEpochs = finalEpochs
        self.baselines = baselines
    }

    enum CodingKeys: String, CodingKey {
        case winner, arch, ledger, baselines
        case valTop1 = "val_top1", testTop1 = "test_top1", testTop5 = "test_top5", plannedBytes = "planned_bytes"
        case measuredBytes = "measured_bytes", budgetBytes = "budget_bytes", finalEpochs = "final_epochs"
        case testImages = "test_images", seeds
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        winner = try c.decode(Int.self, forKey: .winner)
        arch = try c.decode(Architecture.self, forKey: .arch)
        valTop1 = try c.decode(Double.self, forKey: .valTop1)
        testTop1 = try c.decode(Double.self, forKey: .testTop1)
        testTop5 = try c.decode(Double.self, forKey: .testTop5)
        testImages = try c.decodeIfPresent(Int.self, forKey: .testImages)
        plannedBytes = try c.decode(Int.self, forKey: .plannedBytes)
        measuredBytes = try c.decodeIfPresent(Int.self, forKey: .measuredBytes)
        ledger = try c.decode([String: Int].self, forKey: .ledger)
        budgetBytes = try c.decode(Int.self, forKey: .budgetBytes)
        finalEpochs = try c.decode(Int.self, forKey: .finalEpochs)
        baselines = try c.decodeIfPresent([Baseline].self, forKey: .baselines) ?? []
        seeds = try c.decodeIfPresent([SeedSpread].self, forKey: .seeds) ?? []
    }

    /// JSON text as the search writes it into `result_json`.
    public var jsonText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"  // plain values always encode
    }
}
