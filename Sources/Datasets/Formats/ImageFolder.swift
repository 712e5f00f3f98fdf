import Foundation

/// Class-folder image datasets, read as torchvision's `ImageFolder` reads them.
///
/// Two layouts:
/// - **Split**: the root holds `train/` and optionally `test/` and `val/` or `valid/` (not both); each holds
///   one folder per class. The classes are train's class folders; a split may lack a class, but a class
///   folder that train does not have is an error (its images would get no label).
///   ```
///   flowers5/train/daisy/1.jpg   flowers5/train/rose/7.jpg   flowers5/test/daisy/3.jpg
///   ```
/// - **Flat**: the root holds the class folders directly and is split class by class by ``SplitRatios``
///   (default 0.8/0.1/0.1) from a seed; see ``SplitRatios/stratifiedSplit(_:seed:)``.
///
/// Concretely (as torchvision): classes are the sub-folder names sorted by code point and numbered 0…K−1;
/// images are the files under a class folder, searched recursively, whose extension is `jpg`, `jpeg` or
/// `png` in any case, ordered by (folder path, file name) by code point. Deviations from torchvision:
/// hidden files and folders (name starting with `.`) are skipped, and other image extensions (`bmp`,
/// `webp`, …) are ignored, since only JPEG and PNG are decoded. Files are listed, not decoded: a corrupt
/// image fails when it is loaded (see ``ImageScan``).
public enum ImageFolder {
    /// File extensions taken as images (compared lowercased).
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

    /// Whether `root` uses the split layout (has a `train/` folder).
    public static func isSplitLayout(_ root: URL) -> Bool {
        isDirectory(root.appendingPathComponent("train"))
    }

    /// Lists the dataset at `root`.
    ///
    /// - Parameters:
    ///   - name: the name to give the result (default: the root's path).
    ///   - split: ratios for a flat root (nil: ``SplitRatios/default``); must be nil for a split root.
    ///   - seed: seed of the stratified split of a flat root.
    /// - Throws: ``DatasetError/invalid(_:)`` for a missing root, no class folders or `--split-ratios` on a split
    ///   root; ``DatasetError/emptyClass(path:)`` for a class folder without images;
    ///   ``DatasetError/mismatch(file:reason:)`` for a class folder that train lacks.
    /// - Complexity: one directory walk; nothing is decoded.
    public static func load(root: URL, name: String? = nil, split: SplitRatios? = nil, seed: UInt64 = 0) throws(DatasetError) -> LabeledImages {
        let root = root.standardizedFileURL
        guard isDirectory(root) else { throw .invalid("\(root.path): no such folder — give a folder of class folders") }
        let name = name ?? root.path
        if isSplitLayout(root) {
            if split != nil {
                throw .invalid("\(root.path) already has train/ and test/ folders — leave out --split-ratios (it applies to flat class folders and CSV files)")
            }
            let folders = try splitFolders(root)
            let classes = try classFolders(in: folders[.train]!)
            let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
            var splits: [Split: [Sample]] = [:]
            for (split, dir) in folders {
                var samples: [Sample] = []
                for cls in try classFolders(in: dir, allowEmpty: split != .train) {
                    guard let label = index[cls] else {
                        throw .mismatch(file: dir.appendingPathComponent(cls).path,
                                        reason: "class '\(cls)' is not in train/ (train has \(classes.joined(separator: ", "))) — add it to train/ or remove it")
                    }
                    samples += try images(in: dir.appendingPathComponent(cls)).map { Sample(source: .file($0), label: label) }
                }
                if !samples.isEmpty { splits[split] = samples }
            }
            return LabeledImages(name: name, classes: classes, splits: splits)
        }
        let classes = try classFolders(in: root)
        var samples: [Sample] = []
        for (label, cls) in classes.enumerated() {
            samples += try images(in: root.appendingPathComponent(cls)).map { Sample(source: .file($0), label: label) }
        }
        return LabeledImages(name: name, classes: classes, splits: (split ?? .default).stratifiedSplit(samples, seed: seed))
    }

    /// The split folders of a split root: `train`, and `test`, `val`/`valid` when present.
    static func splitFolders(_ root: URL) throws(DatasetError) -> [Split: URL] {
        var result: [Split: URL] = [.train: root.appendingPathComponent("train")]
        let test = root.appendingPathComponent("test")
        if isDirectory(test) { result[.test] = test }
        let valids = ["valid", "val"].map { root.appendingPathComponent($0) }.filter(isDirectory)
        if valids.count > 1 {
            throw .invalid("\(root.path) has both val/ and valid/ — keep one validation folder")
        }
        result[.valid] = valids.first
        return result
    }

    /// Class folder names in `dir`, sorted by code point.
    /// - Throws: ``DatasetError/invalid(_:)`` when there are none and `allowEmpty` is false.
    static func classFolders(in dir: URL, allowEmpty: Bool = false) throws(DatasetError) -> [String] {
        let names = try entries(of: dir).filter { isDirectory(dir.appendingPathComponent($0)) }.sorted(by: codePointLess)
        if names.isEmpty && !allowEmpty {
            throw .invalid("\(dir.path) has no class folders — expected \(dir.path)/<class>/<image>.jpg")
        }
        return names
    }

    /// JPEG/PNG files under a class folder (recursively), ordered by (folder path, file name) by code point.
    /// - Throws: ``DatasetError/emptyClass(path:)`` when there are none.
    public static func images(in classDir: URL) throws(DatasetError) -> [URL] {
        var found: [(dir: String, name: String)] = []
        var pending = [classDir]
        while let dir = pending.popLast() {
            for entry in try entries(of: dir) {
                let url = dir.appendingPathComponent(entry)
                if isDirectory(url) {
                    pending.append(url)
                } else if imageExtensions.contains(url.pathExtension.lowercased()) {
                    found.append((dir.path, entry))
                }
            }
        }
        guard !found.isEmpty else { throw .emptyClass(path: classDir.path) }
        found.sort { $0.dir != $1.dir ? codePointLess($0.dir, $1.dir) : codePointLess($0.name, $1.name) }
        return found.map { URL(fileURLWithPath: $0.dir).appendingPathComponent($0.name) }
    }

    /// Names in `dir`, without hidden ones.
    static func entries(of dir: URL) throws(DatasetError) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix(".") }
        } catch {
            throw .invalid("\(dir.path): cannot list folder (\((error as NSError).localizedDescription))")
        }
    }
}

/// Whether `url` is a folder (following symbolic links).
func isDirectory(_ url: URL) -> Bool {
    var dir: ObjCBool = false
    return FileManager.default.fileExists(atPath: url.path, isDirectory: &dir) && dir.boolValue
}

/// Python's string order: by Unicode code point (UTF-8 byte order is the same).
func codePointLess(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}
