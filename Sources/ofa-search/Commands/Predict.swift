import ArgumentParser
import Foundation
import Images
import Networks
import Tensors

/// `ofa-search predict`: classify photos with a pretrained EfficientNet-Lite0.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify images with a pretrained EfficientNet-Lite0 and print the top classes.",
        discussion: """
            Weights: a PyTorch checkpoint (.pth, zip or legacy format, read without Python) or an \
            ofa-search/weights .h5 file. Default: the ImageNet checkpoint fetched by Scripts/fetch-weights.sh.
            """)

    enum Preprocess: String, ExpressibleByArgument, CaseIterable {
        /// Resize the shorter side to ⌈r / 0.875⌉, then centre-crop r×r (the usual evaluation transform).
        case crop
        /// Resize straight to r×r.
        case resize
    }

    @Option(name: .long, help: "Weights file (.pth or .h5).", completion: .file(extensions: ["pth", "h5"]))
    var weights: String?

    @Argument(help: "JPEG or PNG images.", completion: .file())
    var images: [String]

    @Option(help: "Input resolution in pixels.")
    var resolution: Int = EfficientNetLite0.resolution

    @Option(help: "crop: shorter side to ⌈r/0.875⌉ then centre crop; resize: straight to r×r.")
    var preprocess: Preprocess = .crop

    @Option(help: "Classes to print per image.")
    var top: Int = 5

    @Option(help: "Compute threads.")
    var threads: Int = 2

    @Flag(help: "Print JSON on stdout.")
    var json = false

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one image") }
        guard (32...1024).contains(resolution) else { throw ValidationError("--resolution \(resolution) is outside 32...1024") }
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be between 1 and 256") }
    }

    struct Prediction: Encodable {
        struct Entry: Encodable { let index: Int; let name: String; let probability: Float; let logit: Float }
        let image: String
        let top: [Entry]
    }

    func run() throws {
        try reportingErrors {
            Parallelism.setThreads(threads)
            var pixels: [Float] = []
            pixels.reserveCapacity(images.count * resolution * resolution * 3)
            for path in images {
                let image = try RGBImage(contentsOf: URL(fileURLWithPath: path))
                let prepared: RGBImage
                switch preprocess {
                case .crop:
                    let shorter = Int((Double(resolution) / 0.875).rounded(.up))
                    prepared = image.resize(shorterSide: shorter).centerCrop(size: resolution)
                case .resize:
                    prepared = image.resize(width: resolution, height: resolution)
                }
                pixels += prepared.normalizedNHWC(mean: EfficientNetLite0.mean, std: EfficientNetLite0.std)
            }
            // Images are read first: a bad photo is reported before the weights take time to load.
            let url = try weights.map { URL(fileURLWithPath: $0) } ?? WeightsLocation.defaultEfficientNetLite0()
            let network = try EfficientNetLite0.build(from: NamedTensors.load(from: url))
            let logits = network.forward(Tensor(shape: [images.count, resolution, resolution, 3], values: pixels))
            let classes = logits.shape[3]
            var probabilities = [Float](repeating: 0, count: logits.count)
            softmaxForward(x: logits.values, rows: images.count, columns: classes, y: &probabilities)
            let predictions = images.enumerated().map { i, path in
                let base = i * classes
                let order = (0..<classes).sorted { logits.values[base + $0] > logits.values[base + $1] }.prefix(top)
                return Prediction(image: path, top: order.map {
                    .init(index: $0, name: ImageNetClasses.name($0, classes: classes),
                          probability: probabilities[base + $0], logit: logits.values[base + $0])
                })
            }
            if json {
                try FileHandleOutput.json(predictions)
            } else {
                for p in predictions {
                    print(p.image)
                    for e in p.top {
                        print(String(format: "  %4d  %6.2f%%  %7.3f  ", e.index, e.probability * 100, e.logit) + e.name)
                    }
                }
            }
        }
    }
}
