import Foundation

/// The 1000 ImageNet-1k class names in index order (from torchvision; Scripts/make-imagenet-classes.py).
enum ImageNetClasses {
    static let names: [String] = {
        guard let url = Bundle.module.url(forResource: "imagenet-classes", withExtension: "txt"),
              let text = try? String(contentsOf: url, encoding: .utf8)
        else { return [] }
        return text.split(separator: "\n").map(String.init)
    }()

    /// The name of class `index`, or "class N" when the model has other classes.
    static func name(_ index: Int, classes: Int) -> String {
        classes == names.count && index < names.count ? names[index] : "class \(index)"
    }
}
