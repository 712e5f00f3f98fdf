import ArgumentParser
import Datasets
import Foundation
import Tensors
import Transfer

/// `ofa-search eval`: re-evaluates a trained network (`best.h5` of a search, or `ofa-search train`'s output) on a
/// dataset split and compares the result with the accuracy stored in the file.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-evaluate a trained network (.h5 from search or train) on a dataset split.",
        discussion: """
            Rebuilds the network from the file (architecture, TinyTL method, every trained tensor), applies the \
            evaluation transform at the file's resolution, mean and std (shorter side to ⌈r/0.875⌉, centre crop r×r) \
            and prints top-1, top-5 and mean loss on --split. When the file's stored metrics are for the same split \
            and number of images, says whether the re-evaluated top-1 and top-5 equal them. The dataset's class \
            names must be the file's, in the same order.
            """)

    @Argument(help: "A trained-subnet .h5 (best.h5 of a search, or written by `ofa-search train`).", completion: .file(extensions: ["h5"]))
    var file: String

    @OptionGroup var data: DatasetOptions

    @Option(help: "Split to evaluate: train, valid or test.")
    var split: Split = .test

    @Option(help: "Seed of the split of unsplit data (default: the file's training seed).")
    var seed: UInt64?

    @Option(help: "Images per forward pass.")
    var batch: Int = 8

    @OptionGroup var compute: ThreadOptions

    @Flag(help: "Print JSON on stdout.")
    var json = false

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1, got \(batch)") }
        guard data.dataset != nil else { throw ValidationError("give --dataset <name|path>") }
    }

    /// What `--json` prints; accuracies are fractions in [0, 1].
    struct Result: Encodable {
        struct Stored: Encodable {
            let split: String, images: Int, top1: Double, top5: Double
        }
        let file: String, dataset: String, split: String, resolution: Int
        let images: Int, top1: Double, top5: Double, loss: Double
        let stored: Stored
        /// nil when the stored metrics are for another split or another number of images.
        let matchesStored: Bool?

        enum CodingKeys: String, CodingKey {
            case file, dataset, split, resolution, images, top1, top5, loss, stored, matchesStored = "matches_stored"
        }

        /// Every key, `matches_stored` as null when not comparable.
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(file, forKey: .file); try c.encode(dataset, forKey: .dataset); try c.encode(split, forKey: .split)
            try c.encode(resolution, forKey: .resolution); try c.encode(images, forKey: .images); try c.encode(top1, forKey: .top1)
            try c.encode(top5, forKey: .top5); try c.encode(loss, forKey: .loss); try c.encode(stored, forKey: .stored)
            try c.encode(matchesStored, forKey: .matchesStored)
        }
    }

    func run() throws {
        try reportingErrors {
            Parallelism.setThreads(compute.threads)
            let url = URL(fileURLWithPath: file)
            let trained = try TrainedSubnetFile.read(from: url)
            let graph = try trained.graph()
            let data = try self.data.open(seed: seed ?? trained.seed)!
            guard data.classes == trained.classNames else {
                throw EvalError.classMismatch(file: file, fileClasses: trained.classNames, dataset: data.name, datasetClasses: data.classes)
            }
            let samples = data[split]
            guard !samples.isEmpty else { throw EvalError.emptySplit(dataset: data.name, split: split) }
            let r = trained.resolution
            let trainer = try Trainer(graph: graph, batch: batch, height: r, width: r,
                                      optimizer: Adam(parameterCounts: graph.trainableParameterCounts))
            let loader = BatchLoader(samples: samples, transform: .evaluate(resolution: r, mean: trained.mean, std: trained.std),
                                     batchSize: batch, shuffle: false, seed: 0, strict: true)
            let e = try trainer.evaluate(batches: loader.next) ?? Evaluation()
            let (count, top1, top5, lossSum) = (e.count, e.top1, e.top5, e.lossSum)
            let m = trained.metrics
            let comparable = m.evalSplit == split.rawValue && m.evalImages == count
            let matches = comparable ? Self.sameCount(m.evalTop1, top1, of: count) && Self.sameCount(m.evalTop5, top5, of: count) : nil
            let result = Result(
                file: file, dataset: data.name, split: split.rawValue, resolution: r, images: count,
                top1: Double(top1) / Double(count), top5: Double(top5) / Double(count), loss: lossSum / Double(count),
                stored: .init(split: m.evalSplit, images: m.evalImages, top1: m.evalTop1, top5: m.evalTop5), matchesStored: matches)
            if json { try FileHandleOutput.json(result); return }
            print("\(file): \(data.name), \(split.rawValue) split, \(count) images at \(r) px")
            print(String(format: "top-1 %.2f%% (%d/%d), top-5 %.2f%% (%d/%d), mean loss %.4f",
                         100 * result.top1, top1, count, 100 * result.top5, top5, count, result.loss))
            let stored = String(format: "stored: %@ top-1 %.2f%%, top-5 %.2f%% on %d images", m.evalSplit, 100 * m.evalTop1, 100 * m.evalTop5, m.evalImages)
            switch matches {
            case true?: print(stored + " — equal")
            case false?: print(stored + " — DIFFERENT")
            case nil: print(stored + " — not comparable (another split or image count)")
            }
        }
    }

    /// Whether the stored fraction `stored` is `count` out of `total` (the file keeps accuracies as fractions).
    static func sameCount(_ stored: Double, _ count: Int, of total: Int) -> Bool {
        Int((stored * Double(total)).rounded()) == count
    }
}

/// A user-facing failure of `eval`, one line: what, where, what to do.
enum EvalError: Error, CustomStringConvertible {
    case classMismatch(file: String, fileClasses: [String], dataset: String, datasetClasses: [String])
    case emptySplit(dataset: String, split: Split)

    var description: String {
        switch self {
        case let .classMismatch(file, fileClasses, dataset, datasetClasses):
            let first = zip(fileClasses, datasetClasses).enumerated().first { $0.element.0 != $0.element.1 }
            let detail = first.map { "class \($0.offset) is '\($0.element.0)' in the file but '\($0.element.1)' in the dataset" }
                ?? "the file has \(fileClasses.count) classes, the dataset \(datasetClasses.count)"
            return "\(file) was not trained on \(dataset): \(detail) — evaluate on the dataset it was trained on (see its provenance attribute)"
        case let .emptySplit(dataset, split):
            return "\(dataset) has no \(split.rawValue) images — choose another --split, or --split-ratios for unsplit data"
        }
    }
}
