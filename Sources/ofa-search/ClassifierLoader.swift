import Foundation
import Networks
import Supernets

/// A network ready to classify, with the preprocessing its weights expect.
struct Classifier {
    let network: Network
    let mean: [Float], std: [Float]
    let resolution: Int
    let description: String

    /// Loads, by content: an `ofa-search/supernet` file (the subnet `arch`, default the max subnet), an
    /// `ofa-search/subnet` file, or EfficientNet-Lite0 weights (.pth or `ofa-search/weights` .h5).
    static func load(_ url: URL, arch: String?) throws -> Classifier {
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
