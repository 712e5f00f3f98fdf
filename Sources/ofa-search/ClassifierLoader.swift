import Foundation
import Networks
import Supernets
import Tensors
import Transfer

/// A network ready to classify, with the preprocessing its weights expect.
struct Classifier {
    /// Logits (N, 1, 1, classes) for normalised images (N, H, W, 3).
    let logits: (Tensor) throws -> Tensor
    let mean: [Float], std: [Float]
    let resolution: Int
    /// The names of the classes the network was trained on; nil for ImageNet classifiers (see `ImageNetClasses`).
    let classNames: [String]?
    let description: String

    init(network: Network, mean: [Float], std: [Float], resolution: Int, description: String) {
        self.logits = { network.forward($0) }
        self.mean = mean; self.std = std; self.resolution = resolution; self.classNames = nil; self.description = description
    }

    /// The network of a trained-subnet file (`ofa-search train`, a search's `best.h5`), run forward in a `Trainer`
    /// planned for up to `Self.trainedBatch` images at a time, with the file's preprocessing and class names.
    init(trained: TrainedSubnetFile) throws {
        let graph = try trained.graph()
        self.logits = { images in
            let (n, h, w) = (images.shape[0], images.shape[1], images.shape[2])
            let trainer = try Trainer(graph: graph, batch: min(n, Self.trainedBatch), height: h, width: w,
                                      optimizer: Adam(parameterCounts: graph.trainableParameterCounts))
            return trainer.predict(images: images)
        }
        mean = trained.mean; std = trained.std; resolution = trained.resolution; classNames = trained.classNames
        description = "trained \(trained.family) subnet (\(trained.classNames.count) classes)"
    }

    /// Images per forward pass of a trained network (its arena is planned for this batch).
    static let trainedBatch = 8

    /// Loads, by content: an `ofa-search/trained-subnet` file, an `ofa-search/supernet` file (the subnet `arch`,
    /// default the max subnet), an `ofa-search/subnet` file, or EfficientNet-Lite0 weights (.pth or
    /// `ofa-search/weights` .h5).
    static func load(_ url: URL, arch: String?) throws -> Classifier {
        if Subnet.isFile(url, of: TrainedSubnetFile.format) {
            guard arch == nil else { throw ArchNeedsSupernet(file: url.path) }
            return try Classifier(trained: TrainedSubnetFile.read(from: url))
        }
        if Subnet.isFile(url, of: Supernet.format) {
            let supernet = try Supernet.read(from: url)
            let config = try arch.map { try ArchConfig.parse(json: $0, space: supernet.space) } ?? .max(supernet.space)
            try config.validate(in: supernet.space, checkResolution: false)
            let subnet = try supernet.subnet(config)
            return Classifier(network: subnet.network(), mean: subnet.mean, std: subnet.std, resolution: config.r,
                              description: "\(supernet.space.name) subnet \(config.json)")
        }
        guard arch == nil else { throw ArchNeedsSupernet(file: url.path) }
        if Subnet.isFile(url, of: Subnet.format) {
            let subnet = try Subnet.read(from: url)
            return Classifier(network: subnet.network(), mean: subnet.mean, std: subnet.std, resolution: subnet.resolution,
                              description: "subnet \(url.lastPathComponent)")
        }
        return Classifier(network: try EfficientNetLite0.build(from: NamedTensors.load(from: url)), mean: EfficientNetLite0.mean,
                          std: EfficientNetLite0.std, resolution: EfficientNetLite0.resolution, description: "EfficientNet-Lite0")
    }

    struct ArchNeedsSupernet: Error, CustomStringConvertible {
        let file: String
        var description: String { "--arch needs a supernet file, and \(file) is not one — pass an ofa-search/supernet .h5" }
    }
}
