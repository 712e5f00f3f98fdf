import Foundation
import Images

/// A dataset split, named as the datasets themselves name them.
public enum Split: String, CaseIterable, Codable, Sendable {
    case train, valid, test
}

/// Where one image's pixels come from: a file (decoded on use) or pixels held in memory (CIFAR batches).
public enum ImageSource: Sendable, Equatable {
    case file(URL)
    case pixels(RGBImage)

    /// Decodes the image.
    /// - Throws: `ImageError` for a missing, unreadable or corrupt file.
    public func load() throws -> RGBImage {
        switch self {
        case .file(let url): return try RGBImage(contentsOf: url)
        case .pixels(let image): return image
        }
    }

    /// A short name for messages: the file path, or "<in memory>".
    public var name: String {
        switch self {
        case .file(let url): return url.path
        case .pixels: return "<in memory>"
        }
    }
}

/// One labelled image. Labels are 0-based class indices into `LabeledImages.classes`.
public struct Sample: Sendable, Equatable {
    public var source: ImageSource
    public var label: Int

    public init(source: ImageSource, label: Int) {
        self.source = source
        self.label = label
    }
}

/// A labelled image dataset: class names and the samples of each split it has.
public struct LabeledImages: Sendable {
    /// Registry name or the path it was opened from.
    public var name: String
    /// Class names in label order.
    public var classes: [String]
    /// Samples per split; a dataset need not have every split.
    public var splits: [Split: [Sample]]

    public init(name: String, classes: [String], splits: [Split: [Sample]]) {
        self.name = name
        self.classes = classes
        self.splits = splits
    }

    /// The samples of `split` (empty when the dataset has none).
    public subscript(split: Split) -> [Sample] { splits[split] ?? [] }

    /// Number of samples per class in `split`.
    public func classCounts(_ split: Split) -> [Int] {
        var counts = [Int](repeating: 0, count: classes.count)
        for s in self[split] where counts.indices.contains(s.label) { counts[s.label] += 1 }
        return counts
    }
}
