import ArgumentParser
import Datasets
import Foundation

/// `ofa-search datasets`: find, describe, check and download datasets.
struct DatasetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets",
        abstract: "List, describe, verify and download datasets (Flowers-102, CIFAR, class folders, CSV manifests).",
        discussion: """
            A name is looked for as <root>/<name>/ in --data-root, then $OFA_DATA, then \
            $XDG_CACHE_HOME/ofa-search/datasets (default ~/.cache/ofa-search/datasets). A path opens a \
            class-folder root (train/ and test/ folders, or class folders split by --split-ratios), a .csv \
            manifest (path,label[,split]) or a folder of CIFAR binary batches.
            """,
        subcommands: [ListDatasets.self, DatasetInfo.self, VerifyDataset.self, DownloadDataset.self])
}

/// The dataset a command works on, and how to split it: shared by `datasets info`, `datasets verify`.
struct DatasetArguments: ParsableArguments {
    @Argument(help: "A dataset name (flowers, flowers102, cifar10, cifar100) or a path: class-folder root, .csv manifest or CIFAR batch folder.")
    var dataset: String

    @Option(name: .customLong("data-root"), help: "Folder searched first for named datasets (then $OFA_DATA, then the per-user cache).",
            completion: .directory)
    var dataRoot: String?

    @Option(name: .customLong("split-ratios"), help: ArgumentHelp("train,valid,test ratios for "
                + "unsplit data (flat class folders, CSV without a split column); default 0.8,0.1,0.1."), transform: { try SplitRatios(parsing: $0) })
    var splitRatios: SplitRatios?

    @Option(help: .hidden, transform: { try SplitRatios(parsing: $0) })
    var split: SplitRatios?

    mutating func validate() throws {
        splitRatios = try RenamedFlag.merge(splitRatios, split, new: "--split-ratios", old: "--split")
    }

    @Option(help: "Seed of the stratified split and of image sampling.")
    var seed: UInt64 = 0

    /// Opens the dataset through ``DatasetRegistry``.
    func open() throws -> LabeledImages {
        try DatasetRegistry.open(dataset, dataRoot: dataRoot, split: splitRatios, seed: seed)
    }
}

extension LabeledImages {
    /// The splits present, in train, valid, test order.
    var presentSplits: [Split] { Split.allCases.filter { !self[$0].isEmpty } }
}

/// Writes progress to stderr: one self-overwriting line on a terminal, else a line every `every` items and
/// at the end.
final class ProgressLine: @unchecked Sendable {
    private let label: String, every: Int, terminal: Bool
    private var lastReported = 0

    init(_ label: String, every: Int = 1000) {
        self.label = label
        self.every = every
        terminal = isatty(STDERR_FILENO) != 0
    }

    /// Called with the number done so far (calls must not overlap).
    func update(_ done: Int, of total: Int) {
        if terminal {
            FileHandleOutput.stderr("\r\(label) \(done)/\(total) images" + (done == total ? "\n" : ""))
        } else if done == total || done / every > lastReported / every {
            FileHandleOutput.stderr("\(label) \(done)/\(total) images\n")
        }
        lastReported = done
    }
}
