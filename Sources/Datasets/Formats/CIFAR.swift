import Foundation
import Images

/// CIFAR-10 and CIFAR-100 in their binary versions (https://www.cs.toronto.edu/~kriz/cifar.html).
///
/// Layout of a batch file: records back to back, no header. A record is the label byte(s) and then
/// 3,072 pixel bytes: the red plane, the green plane, the blue plane, each 32×32 row-major (CHW). Samples
/// come out as ``ImageSource/pixels(_:)`` holding a 32×32 ``RGBImage`` (HWC), i.e.
/// `numpy.frombuffer(record[labels:], uint8).reshape(3, 32, 32).transpose(1, 2, 0)`.
/// - **CIFAR-10** (`cifar-10-batches-bin/`): 3,073-byte records (label 0…9); train is `data_batch_1.bin`
///   … `data_batch_5.bin` (10,000 records each), test is `test_batch.bin`; class names, one a line, in
///   `batches.meta.txt`.
/// - **CIFAR-100** (`cifar-100-binary/`): 3,074-byte records (coarse label 0…19, then fine label 0…99; the
///   fine label is used); `train.bin` (50,000) and `test.bin` (10,000); names in `fine_label_names.txt`.
///
/// The root may be the folder holding the `.bin` files or its parent holding the extracted
/// `cifar-10-batches-bin/` or `cifar-100-binary/`. Without a names file the classes are named `0`, `1`, ….
/// Memory: every image is held decoded, 3,072 bytes each (about 185 MB for all 60,000).
public enum CIFAR: String, Sendable, CaseIterable {
    case cifar10, cifar100

    /// Classes.
    public var classCount: Int { self == .cifar10 ? 10 : 100 }
    /// Label bytes before the pixels of a record.
    public var labelBytes: Int { self == .cifar10 ? 1 : 2 }
    /// Bytes per record: label bytes + 3 × 32 × 32.
    public var recordSize: Int { labelBytes + CIFAR.pixelBytes }
    /// Folder name of the extracted official archive.
    public var extractedFolder: String { self == .cifar10 ? "cifar-10-batches-bin" : "cifar-100-binary" }
    /// Batch files per split.
    public var batches: [Split: [String]] {
        self == .cifar10
            ? [.train: (1...5).map { "data_batch_\($0).bin" }, .test: ["test_batch.bin"]]
            : [.train: ["train.bin"], .test: ["test.bin"]]
    }
    /// The class names file.
    public var namesFile: String { self == .cifar10 ? "batches.meta.txt" : "fine_label_names.txt" }

    /// Pixel bytes of a record: 3 planes of 32 × 32.
    public static let pixelBytes = 3 * 32 * 32

    /// The CIFAR variant and folder found at `root` (the batch folder or its parent), or nil.
    public static func detect(_ root: URL) -> (CIFAR, URL)? {
        for variant in allCases {
            for dir in [root, root.appendingPathComponent(variant.extractedFolder)] {
                let probe = variant.batches[.test]![0]
                if FileManager.default.fileExists(atPath: dir.appendingPathComponent(probe).path) { return (variant, dir) }
            }
        }
        return nil
    }

    /// Reads the CIFAR-10 or CIFAR-100 batches at `root` (see ``detect(_:)``).
    /// - Throws: ``DatasetError/invalid(_:)`` when no batches are there; ``DatasetError/mismatch(file:reason:)``
    ///   for a missing batch, a size that is not a multiple of the record size (truncated) or a names file
    ///   with the wrong number of names; ``DatasetError/labelOutOfRange(file:label:range:)``.
    public static func load(root: URL, name: String? = nil) throws(DatasetError) -> LabeledImages {
        guard let (variant, dir) = detect(root) else {
            throw .invalid("\(root.path): no CIFAR batches (test_batch.bin or test.bin) — extract cifar-10-binary.tar.gz or cifar-100-binary.tar.gz there")
        }
        var splits: [Split: [Sample]] = [:]
        for (split, files) in variant.batches {
            var samples: [Sample] = []
            for file in files { samples += try variant.read(dir.appendingPathComponent(file)) }
            splits[split] = samples
        }
        return LabeledImages(name: name ?? root.path, classes: try variant.classNames(in: dir), splits: splits)
    }

    /// The samples of one batch file.
    public func read(_ file: URL) throws(DatasetError) -> [Sample] {
        let data: Data
        do { data = try Data(contentsOf: file) } catch {
            throw .mismatch(file: file.path, reason: "batch file missing or unreadable — the \(rawValue) binary archive has \(batches.values.joined().sorted().joined(separator: ", "))")
        }
        guard data.count % recordSize == 0, !data.isEmpty else {
            throw .mismatch(file: file.path, reason: "\(data.count) bytes is not a whole number of \(recordSize)-byte records (\(labelBytes) label + \(CIFAR.pixelBytes) pixel bytes) — the file is truncated; download it again")
        }
        let count = data.count / recordSize, labelOffset = labelBytes - 1, classes = classCount
        var samples: [Sample] = []
        samples.reserveCapacity(count)
        let result: Result<[Sample], DatasetError> = data.withUnsafeBytes { raw in
            for r in 0..<count {
                let record = raw[(r * recordSize)..<((r + 1) * recordSize)]
                let label = Int(record[record.startIndex + labelOffset])
                guard label < classes else {
                    return .failure(.labelOutOfRange(file: "\(file.path) (record \(r))", label: label, range: 0...(classes - 1)))
                }
                samples.append(Sample(source: .pixels(CIFAR.image(planes: UnsafeRawBufferPointer(rebasing: record.dropFirst(labelBytes)))), label: label))
            }
            return .success(samples)
        }
        return try result.get()
    }

    /// A 32×32 HWC image from the three 32×32 colour planes (R, G, B) of a record.
    static func image(planes: UnsafeRawBufferPointer) -> RGBImage {
        precondition(planes.count == pixelBytes)
        let plane = 32 * 32
        var pixels = [UInt8](repeating: 0, count: pixelBytes)
        for i in 0..<plane {
            pixels[3 * i] = planes[i]
            pixels[3 * i + 1] = planes[plane + i]
            pixels[3 * i + 2] = planes[2 * plane + i]
        }
        return RGBImage(width: 32, height: 32, pixels: pixels)
    }

    /// Class names from the names file (one a line, blank lines dropped), or `0`…`K−1` without one.
    func classNames(in dir: URL) throws(DatasetError) -> [String] {
        let file = dir.appendingPathComponent(namesFile)
        guard FileManager.default.fileExists(atPath: file.path) else { return (0..<classCount).map(String.init) }
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch {
            throw .mismatch(file: file.path, reason: "cannot read class names (\((error as NSError).localizedDescription))")
        }
        let names = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard names.count == classCount else {
            throw .mismatch(file: file.path, reason: "\(names.count) class names, expected \(classCount) — use the file from the \(rawValue) archive")
        }
        return names
    }
}
