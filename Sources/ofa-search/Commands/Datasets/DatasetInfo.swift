import ArgumentParser
import Datasets
import Foundation

/// `ofa-search datasets info`: classes, counts per split and class, and image sizes of a dataset.
struct DatasetInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a dataset's classes, images per split and per class, and image size statistics.",
        discussion: """
            Sizes come from decoding a seeded sample of up to --sample images per split (the sample of \
            split i uses seed + i). Images that fail to decode are left out of the statistics and counted.
            """)

    @OptionGroup var data: DatasetArguments

    @Option(help: "Images decoded per split for the size statistics (0: none).")
    var sample = 200

    @Flag(help: "Print JSON on stdout.")
    var json = false

    func validate() throws {
        guard sample >= 0 else { throw ValidationError("--sample must be 0 or more, got \(sample)") }
    }

    struct Summary: Encodable {
        struct Range: Encodable { let min: Int, median: Int, max: Int }
        struct SplitSummary: Encodable {
            let split: String
            let images: Int
            /// Images per class, in class order.
            let perClass: [Int]
            /// Images decoded for the statistics, and how many of those failed.
            let sampled: Int, corrupt: Int
            /// First few corrupt images (path and reason).
            let corruptImages: [String]
            /// Pixels, over the decoded sample; nil when nothing decoded.
            let width: Range?, height: Range?
        }
        let name: String
        let classes: [String]
        let images: Int
        let splits: [SplitSummary]
    }

    func run() throws {
        try reportingErrors {
            let dataset = try data.open()
            let summary = summarize(dataset)
            if json { try FileHandleOutput.json(summary); return }
            print("\(summary.name): \(summary.classes.count) classes, \(summary.images) images")
            let splits = summary.splits
            let width = min(max(summary.classes.map(\.count).max() ?? 0, 6), 40) + 4  // 2 for the indent of class rows, 2 of gap
            func row(_ head: String, _ cells: [String]) {
                let line = "  " + pad(String(head.prefix(width - 2)), width) + cells.map { pad($0, 8) }.joined()
                print(line.replacingOccurrences(of: " +$", with: "", options: .regularExpression))
            }
            row("split", splits.map(\.split))
            row("images", splits.map { "\($0.images)" })
            row("class", [])
            for (c, name) in summary.classes.enumerated() { row("  " + name, splits.map { "\($0.perClass[c])" }) }
            guard sample > 0 else { return }
            print("  image size, min/median/max pixels (seeded sample of up to \(sample) per split, seed \(data.seed)):")
            for s in splits {
                let sizes = s.width.map { w in "width \(w.min)/\(w.median)/\(w.max), height \(s.height!.min)/\(s.height!.median)/\(s.height!.max)" }
                    ?? "no image decoded"
                let skipped = s.corrupt > 0 ? "; \(s.corrupt) corrupt skipped, e.g. \(s.corruptImages[0])" : ""
                print("    \(pad(s.split, 6)) \(sizes) (\(s.sampled - s.corrupt) of \(s.sampled) decoded\(skipped))")
            }
        }
    }

    /// Counts, and sizes of a seeded sample per split.
    func summarize(_ dataset: LabeledImages) -> Summary {
        let splits = dataset.presentSplits.enumerated().map { i, split in
            let samples = dataset[split].seededSample(sample, seed: data.seed &+ UInt64(i))
            let scan = ImageScan(samples)
            let w = ImageScan.summary(scan.sizes.map(\.width)), h = ImageScan.summary(scan.sizes.map(\.height))
            return Summary.SplitSummary(
                split: split.rawValue, images: dataset[split].count, perClass: dataset.classCounts(split),
                sampled: scan.count, corrupt: scan.failures.count, corruptImages: scan.failures.prefix(5).map(\.reason),
                width: w.map { .init(min: $0.min, median: $0.median, max: $0.max) },
                height: h.map { .init(min: $0.min, median: $0.median, max: $0.max) })
        }
        return Summary(name: dataset.name, classes: dataset.classes, images: splits.reduce(0) { $0 + $1.images }, splits: splits)
    }

    private func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s.padding(toLength: n, withPad: " ", startingAt: 0) }

}
