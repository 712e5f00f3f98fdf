import Foundation

/// Finds and opens datasets by name or path.
///
/// Named datasets: `flowers102` (alias `flowers`; Oxford Flowers-102, read by ``Flowers102``), `cifar10` and
/// `cifar100` (binary batches, read by ``CIFAR``). Any other name is looked for as a folder or file of that
/// name in the same places, and a path opens whatever is there.
///
/// Search order for a name — the first hit wins:
/// 1. `--data-root <dir>` (the `dataRoot` argument), when given;
/// 2. `$OFA_DATA`, when set and not empty;
/// 3. the per-user cache `$XDG_CACHE_HOME/ofa-search/datasets`, or `~/.cache/ofa-search/datasets` when
///    `XDG_CACHE_HOME` is unset (where `ofa-search datasets download` puts datasets).
///
/// In each root `<root>/<name>/` is tried; `flowers102` also `<root>/flowers-102/`, and `cifar10` /
/// `cifar100` also the extracted archive folders `<root>/cifar-10-batches-bin/` and `<root>/cifar-100-binary/`.
///
/// A path (the argument contains `/` or names an existing file or folder, and is not a registry name) opens
/// as: a CSV manifest (``CSVManifest``) when it ends in `.csv`; CIFAR batches (``CIFAR``) when the folder
/// holds `test_batch.bin` or `test.bin` (or their extracted archive folder); Flowers-102 when it holds
/// `imagelabels.mat`; otherwise a class-folder root (``ImageFolder``).
public enum DatasetRegistry {
    /// A dataset known by name.
    public struct Entry: Sendable, Equatable {
        /// Canonical name.
        public let name: String
        /// Other names that mean the same dataset.
        public let aliases: [String]
        /// What it is, in one line.
        public let summary: String
        /// Folder names tried under each root, in order.
        public let folders: [String]
        /// How to get it, for the not-found message.
        public let hint: String
    }

    /// The named datasets.
    public static let entries: [Entry] = [
        Entry(name: "flowers102", aliases: ["flowers"],
              summary: "Oxford Flowers-102: 8,189 photos of 102 flower species; official split 1,020 train / 1,020 valid / 6,149 test",
              folders: ["flowers102", "flowers-102"],
              hint: "run `ofa-search datasets download flowers102`, or pass --data-root with a folder holding flowers102/"),
        Entry(name: "cifar10", aliases: [],
              summary: "CIFAR-10 binary batches: 60,000 32x32 images of 10 classes; 50,000 train / 10,000 test",
              folders: ["cifar10", CIFAR.cifar10.extractedFolder],
              hint: "download cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html and extract it into <root>/cifar10/"),
        Entry(name: "cifar100", aliases: [],
              summary: "CIFAR-100 binary batches: 60,000 32x32 images of 100 classes (fine labels); 50,000 train / 10,000 test",
              folders: ["cifar100", CIFAR.cifar100.extractedFolder],
              hint: "download cifar-100-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html and extract it into <root>/cifar100/"),
    ]

    /// The entry called `name` (or one of its aliases), case-insensitively.
    public static func entry(named name: String) -> Entry? {
        let n = name.lowercased()
        return entries.first { $0.name == n || $0.aliases.contains(n) }
    }

    /// The per-user dataset cache: `$XDG_CACHE_HOME/ofa-search/datasets`, else `$HOME/.cache/ofa-search/datasets`.
    public static func cacheDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("ofa-search/datasets")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".cache/ofa-search/datasets")
    }

    /// The roots searched, in order: `dataRoot`, `$OFA_DATA`, ``cacheDirectory(environment:)``.
    public static func searchRoots(dataRoot: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> [URL] {
        var roots: [URL] = []
        if let dataRoot, !dataRoot.isEmpty { roots.append(URL(fileURLWithPath: dataRoot).standardizedFileURL) }
        if let env = environment["OFA_DATA"], !env.isEmpty { roots.append(URL(fileURLWithPath: env).standardizedFileURL) }
        roots.append(cacheDirectory(environment: environment).standardizedFileURL)
        return roots
    }

    /// Every place looked at for `name`, in search order.
    public static func candidates(for name: String, dataRoot: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> [URL] {
        let folders = entry(named: name)?.folders ?? [name]
        return searchRoots(dataRoot: dataRoot, environment: environment).flatMap { root in folders.map { root.appendingPathComponent($0) } }
    }

    /// The first existing place for `name`, or nil.
    public static func locate(_ name: String, dataRoot: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        candidates(for: name, dataRoot: dataRoot, environment: environment).first { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// Opens a named dataset or a path (see the type's documentation for the search order and formats).
    /// - Parameters:
    ///   - split: train/valid/test ratios for unsplit data (flat class folders, CSV without a split column);
    ///     nil for the dataset's own split or ``SplitRatios/default``. An error for already-split data.
    ///   - seed: seed of the stratified split.
    /// - Throws: ``DatasetError/notFound(name:searched:hint:)`` listing every place looked at and how to get
    ///   the dataset; the format readers' errors.
    public static func open(_ nameOrPath: String, dataRoot: String?, split: SplitRatios? = nil, seed: UInt64 = 0,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> LabeledImages {
        let known = entry(named: nameOrPath)
        let isPath = known == nil && (nameOrPath.contains("/") || FileManager.default.fileExists(atPath: nameOrPath))
        if isPath {
            return try openPath(URL(fileURLWithPath: nameOrPath), name: nameOrPath, split: split, seed: seed)
        }
        let searched = candidates(for: nameOrPath, dataRoot: dataRoot, environment: environment)
        guard let found = searched.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            let hint = known?.hint
                ?? "known datasets: \(entries.map { ([$0.name] + $0.aliases).joined(separator: "/") }.joined(separator: ", ")); or give the path of a class-folder root, a .csv manifest or a CIFAR batch folder"
            throw DatasetError.notFound(name: nameOrPath, searched: searched.map(\.path), hint: hint)
        }
        return try openPath(found, name: known?.name ?? nameOrPath, split: split, seed: seed)
    }

    /// Opens the dataset at `url` by what it holds: CSV, CIFAR, Flowers-102 or class folders.
    public static func openPath(_ url: URL, name: String, split: SplitRatios? = nil, seed: UInt64 = 0) throws -> LabeledImages {
        let url = url.standardizedFileURL
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw DatasetError.notFound(name: name, searched: [url.path], hint: "give an existing class-folder root, .csv manifest or CIFAR batch folder")
        }
        if url.pathExtension.lowercased() == "csv" {
            return try CSVManifest.load(file: url, name: name, split: split, seed: seed)
        }
        guard isDirectory(url) else {
            throw DatasetError.invalid("\(url.path) is a file, not a dataset — give a class-folder root, a .csv manifest or a CIFAR batch folder")
        }
        if CIFAR.detect(url) != nil {
            try rejectSplit(split, url, "CIFAR has its own train and test batches")
            return try CIFAR.load(root: url, name: name)
        }
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("imagelabels.mat").path) {
            try rejectSplit(split, url, "Flowers-102 has its own train, valid and test split")
            var flowers = try Flowers102.load(root: url)
            flowers.name = name
            return flowers
        }
        return try ImageFolder.load(root: url, name: name, split: split, seed: seed)
    }

    static func rejectSplit(_ split: SplitRatios?, _ url: URL, _ why: String) throws(DatasetError) {
        if split != nil { throw .invalid("\(url.path): \(why) — leave out --split-ratios") }
    }
}
