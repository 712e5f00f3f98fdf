import ArgumentParser
import Datasets

/// The dataset flags of every command that reads one (`train`, `search`, `memory`, `eval`).
struct DatasetOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A dataset name (flowers, cifar10, …) or path (class folders with train/ and test/, "
                               + "a .csv manifest, CIFAR batches)."))
    var dataset: String?

    @Option(name: .customLong("data-root"), help: "Folder searched first for named datasets.", completion: .directory)
    var dataRoot: String?

    @Option(name: .customLong("split-ratios"), help: "train,valid,test ratios for unsplit data.",
            transform: { try SplitRatios(parsing: $0) })
    var splitRatios: SplitRatios?

    /// The named dataset, split by `--split-ratios` when it has no splits of its own (seeded by `seed`).
    func open(seed: UInt64) throws -> LabeledImages? {
        try dataset.map { try DatasetRegistry.open($0, dataRoot: dataRoot, split: splitRatios, seed: seed) }
    }
}

/// `--threads`, for every command that computes.
struct ThreadOptions: ParsableArguments {
    @Option(help: "Compute threads.")
    var threads: Int = 2

    func validate() throws {
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be between 1 and 256") }
    }
}
