import Foundation

/// Oxford Flowers-102 in its official layout: 8,189 photographs of 102 flower species, with the
/// official train / valid / test split.
///
/// Concretely, `root` holds what the official files give once the archive is extracted:
/// ```
/// root/jpg/image_00001.jpg … image_08189.jpg   (from 102flowers.tgz)
/// root/imagelabels.mat                          (`labels`, 1×8189, values 1…102)
/// root/setid.mat                                (`trnid` 1,020, `valid` 1,020, `tstid` 6,149 image ids)
/// ```
/// Image `id` (1-based) is `jpg/image_%05d.jpg` with label `labels[id − 1]`. Labels 1…102 become 0…101;
/// `classes[k]` is the name of label k + 1 (``classNames``). Samples keep the order of the ids in setid.mat,
/// as torchvision's and TFDS's `Flowers102` do.
///
/// `trainOnTrainPlusValid` follows TinyTL (Cai et al., 2020), which trains on the 2,040 images of the
/// official train and validation splits together and reports test accuracy: then `train` is trnid + valid
/// (in that order) and `valid` is empty. By default `train` and `valid` are the official 1,020 each.
///
/// Checked on load (each failure is one ``DatasetError`` line): every label in 1…102, every id within the
/// label count, the three splits disjoint, and an image file for every id (one directory listing; 8,189
/// names take a few milliseconds). Pixels are not decoded here.
///
/// ### References
/// - M.-E. Nilsback and A. Zisserman, "Automated flower classification over a large number of classes",
///   ICVGIP 2008. https://www.robots.ox.ac.uk/~vgg/data/flowers/102/
/// - H. Cai, C. Gan, L. Zhu, S. Han, "TinyTL: Reduce Memory, Not Parameters for Efficient On-Device
///   Learning", NeurIPS 2020. https://arxiv.org/abs/2007.11622
public enum Flowers102 {
    /// Number of classes.
    public static let classCount = 102

    /// Loads the dataset at `root` (see the type's documentation for the layout and the checks).
    /// - Parameters:
    ///   - root: the folder holding `jpg/`, `imagelabels.mat` and `setid.mat`.
    ///   - trainOnTrainPlusValid: TinyTL's convention: `train` = official train + valid, `valid` empty.
    /// - Throws: ``DatasetError/notFound(name:searched:hint:)`` when a file or the `jpg` folder is missing;
    ///   ``DatasetError/matFile(file:reason:)`` for an unreadable .mat file;
    ///   ``DatasetError/labelOutOfRange(file:label:range:)``; ``DatasetError/mismatch(file:reason:)`` for
    ///   ids beyond the labels, overlapping splits or missing images.
    public static func load(root: URL, trainOnTrainPlusValid: Bool = false) throws -> LabeledImages {
        let labelsURL = root.appendingPathComponent("imagelabels.mat")
        let setidURL = root.appendingPathComponent("setid.mat")
        let jpg = root.appendingPathComponent("jpg")
        let fm = FileManager.default
        let missing = [labelsURL, setidURL, jpg].filter { !fm.fileExists(atPath: $0.path) }
        if !missing.isEmpty {
            throw DatasetError.notFound(
                name: "flowers102", searched: missing.map(\.path),
                hint: "run `ofa-search datasets download flowers102 --data-root <dir>` (it fills <dir>/flowers102), or download \(files.map(\.name).joined(separator: ", ")) from \(baseURL.absoluteString) into \(root.path) and extract the archive there")
        }

        let labels = try MATFile(contentsOf: labelsURL).integers("labels")
        let range = 1...classCount
        if let bad = labels.first(where: { !range.contains($0) }) {
            throw DatasetError.labelOutOfRange(file: labelsURL.path, label: bad, range: range)
        }

        let setid = try MATFile(contentsOf: setidURL)
        let ids = (train: try setid.integers("trnid"), valid: try setid.integers("valid"), test: try setid.integers("tstid"))
        var owner = [String?](repeating: nil, count: labels.count + 1)
        for (variable, list) in [("trnid", ids.train), ("valid", ids.valid), ("tstid", ids.test)] {
            for id in list {
                guard (1...labels.count).contains(id) else {
                    throw DatasetError.mismatch(
                        file: setidURL.path,
                        reason: "image id \(id) in '\(variable)' is outside 1…\(labels.count), the images labelled in imagelabels.mat — the two files do not belong together")
                }
                if let first = owner[id] {
                    throw DatasetError.mismatch(file: setidURL.path, reason: "image id \(id) is in both '\(first)' and '\(variable)' — the splits must be disjoint")
                }
                owner[id] = variable
            }
        }

        let present: Set<String>
        do {
            present = Set(try fm.contentsOfDirectory(atPath: jpg.path))
        } catch {
            throw DatasetError.mismatch(file: jpg.path, reason: "cannot list the image folder (\((error as NSError).localizedDescription))")
        }
        let needed = ids.train + ids.valid + ids.test
        let absent = needed.filter { !present.contains(fileName(id: $0)) }
        if let first = absent.first {
            throw DatasetError.mismatch(
                file: jpg.path,
                reason: "\(fileName(id: first)) is missing\(absent.count > 1 ? " (and \(absent.count - 1) more of the \(needed.count) images)" : "") — extract 102flowers.tgz again, or delete \(root.path) and download it again")
        }

        func samples(_ list: [Int]) -> [Sample] {
            list.map { Sample(source: .file(jpg.appendingPathComponent(fileName(id: $0))), label: labels[$0 - 1] - 1) }
        }
        let splits: [Split: [Sample]] = trainOnTrainPlusValid
            ? [.train: samples(ids.train + ids.valid), .valid: [], .test: samples(ids.test)]
            : [.train: samples(ids.train), .valid: samples(ids.valid), .test: samples(ids.test)]
        return LabeledImages(name: "flowers102", classes: classNames, splits: splits)
    }

    /// The image file name of a 1-based id: `image_00042.jpg`.
    public static func fileName(id: Int) -> String {
        let digits = String(id)
        return "image_" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + ".jpg"
    }
}
