import ArgumentParser
import Foundation
import Images
import Supernets
import Tensors

/// `ofa-search predict`: classify photos with a pretrained EfficientNet-Lite0, a subnet, or a trained subnet.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify images with an ImageNet classifier or a trained subnet and print the top classes.",
        discussion: """
            Weights: a trained network (ofa-search/trained-subnet .h5: a search's best.h5 or the output of \
            `ofa-search train`; its resolution, mean, std and class names are used), an ofa-search/supernet .h5 \
            (with --arch, default its max subnet), an ofa-search/subnet .h5, or EfficientNet-Lite0 weights as a \
            PyTorch checkpoint (.pth, zip or legacy format, read without Python) or an ofa-search/weights .h5. \
            Default: the ImageNet checkpoint fetched by Scripts/fetch-weights.sh.
            """)

    enum Preprocess: String, ExpressibleByArgument, CaseIterable {
        /// Resize the shorter side to ⌈r / 0.875⌉, then centre-crop r×r (the usual evaluation transform).
        case crop
        /// Resize straight to r×r.
        case resize
    }

    @Option(name: .long, help: "Weights file (.pth or .h5).", completion: .file(extensions: ["pth", "h5"]))
    var weights: String?

    @Option(help: "Subnet architecture JSON when --weights is a supernet (default: its max subnet).")
    var arch: String?

    @Argument(help: "JPEG or PNG images, optionally after a weights file (.h5/.pth) given without --weights.", completion: .file())
    var arguments: [String]

    /// A leading `.h5` or `.pth` argument is the weights (`ofa-search predict best.h5 photo.jpg`).
    var leadingWeights: String? {
        guard weights == nil, arguments.count >= 2, let first = arguments.first,
              ["h5", "pth"].contains(URL(fileURLWithPath: first).pathExtension.lowercased()) else { return nil }
        return first
    }

    var images: [String] { leadingWeights == nil ? arguments : Array(arguments.dropFirst()) }

    @Option(help: "Input resolution in pixels (default: the subnet's or trained network's, 224 for EfficientNet-Lite0).")
    var resolution: Int?

    @Option(help: "crop: shorter side to ⌈r/0.875⌉ then centre crop; resize: straight to r×r.")
    var preprocess: Preprocess = .crop

    @Option(help: "Classes to print per image.")
    var top: Int = 5

    @OptionGroup var compute: ThreadOptions

    @Flag(help: "Print JSON on stdout.")
    var json = false

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one image") }
        if let resolution, !(32...1024).contains(resolution) { throw ValidationError("--resolution \(resolution) is outside 32...1024") }
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
    }

    struct Prediction: Encodable {
        struct Entry: Encodable { let index: Int; let name: String; let probability: Float; let logit: Float }
        let image: String
        let top: [Entry]
    }

    func run() throws {
        try reportingErrors {
            Parallelism.setThreads(compute.threads)
            // Images are decoded first: a bad photo is reported before the weights take time to load.
            let photos = try images.map { try RGBImage(contentsOf: URL(fileURLWithPath: $0)) }
            let url = try (weights ?? leadingWeights).map { URL(fileURLWithPath: $0) } ?? WeightsLocation.defaultEfficientNetLite0()
            let model = try Classifier.load(url, arch: arch)
            let r = resolution ?? model.resolution
            var pixels: [Float] = []
            pixels.reserveCapacity(images.count * r * r * 3)
            for image in photos {
                let prepared: RGBImage
                switch preprocess {
                case .crop: prepared = image.resize(shorterSide: Int((Double(r) / 0.875).rounded(.up))).centerCrop(size: r)
                case .resize: prepared = image.resize(width: r, height: r)
                }
                pixels += prepared.normalizedNHWC(mean: model.mean, std: model.std)
            }
            let logits = try model.logits(Tensor(shape: [images.count, r, r, 3], values: pixels))
            let classes = logits.shape[3]
            var probabilities = [Float](repeating: 0, count: logits.count)
            softmaxForward(x: logits.values, rows: images.count, columns: classes, y: &probabilities)
            let predictions = images.enumerated().map { i, path in
                let base = i * classes
                let order = (0..<classes).sorted { logits.values[base + $0] > logits.values[base + $1] }.prefix(top)
                return Prediction(image: path, top: order.map {
                    .init(index: $0, name: model.classNames?[$0] ?? ImageNetClasses.name($0, classes: classes),
                          probability: probabilities[base + $0], logit: logits.values[base + $0])
                })
            }
            if json {
                try FileHandleOutput.json(predictions)
            } else {
                for p in predictions {
                    print(p.image)
                    // Class index, softmax probability, the network's raw score for the class, class name.
                    print("    id     prob    logit  class")
                    for e in p.top {
                        print(String(format: "  %4d  %6.2f%%  %7.3f  ", e.index, e.probability * 100, e.logit) + e.name)
                    }
                }
            }
        }
    }
}
