import Foundation
import HDF5
import Networks
import Tensors

extension Supernet {
    /// The supernet file format (Supernets/FORMAT.md).
    public static let format = HDF5FileFormat(name: "ofa-search/supernet", version: 1)

    /// Writes the supernet as an `ofa-search/supernet` v1 file through a temporary file renamed into place.
    /// - Parameter float16: store weights as IEEE half (about half the size; values round to nearest even).
    public func write(to url: URL, float16: Bool = false) throws {
        try HDF5File.writeAtomically(to: url) { file in
            try file.writeFormat(Self.format)
            try file.setAttribute("family", .string(space.family.rawValue))
            try file.setAttribute("width_mult", .double(space.widthMult))
            try file.setAttribute("classes", .int64(Int64(space.classes)))
            try file.setAttribute("bn_eps", .double(space.bnEps))
            try file.setAttribute("space", .string(space.descriptionJSON))
            try file.setAttribute("mean", .floats(mean))
            try file.setAttribute("std", .floats(std))
            try file.setAttribute("default_resolution", .int64(Int64(space.defaultResolution)))
            try file.setAttribute("storage_dtype", .string(float16 ? "float16" : "float32"))
            for (key, value) in provenance.sorted(by: { $0.key < $1.key }) { try file.setAttribute(key, .string(value)) }
            for name in space.supernetKeys().map(\.name) {
                let t = tensor(name)
                try file.createDataset(name, values: t.values, shape: t.shape, storedAs: float16 ? .float16 : .float32, compression: .gzip())
            }
        }
    }

    /// Reads an `ofa-search/supernet` v1 file.
    /// - Throws: `HDF5Error` (missing, truncated, not HDF5, wrong format) or `SupernetError`.
    public static func read(from url: URL) throws -> Supernet {
        let file = try HDF5File.open(at: url)
        try file.requireFormat(format, hint: "import a PyTorch supernet with `ofa-search supernet import <file.pth> --family <name> -o <file.h5>`")
        let familyName = try file.stringAttribute("family")
        guard let family = SupernetFamily(rawValue: familyName) else { throw SupernetError.unknownFamily(familyName) }
        let space = SearchSpace.make(family: family, widthMult: try file.doubleAttribute("width_mult"),
                                     classes: Int(try file.int64Attribute("classes")))
        var weights = NamedTensors(source: url.path)
        for (name, _) in space.supernetKeys() where try file.contains(name) {
            let dataset = try file.openDataset(name)
            weights.set(name, Tensor(shape: dataset.shape, values: try dataset.read(Float.self)))
        }
        let reserved: Set<String> = ["format", "format_version", "family", "width_mult", "classes", "bn_eps", "space", "mean", "std",
                                     "default_resolution", "storage_dtype"]
        var provenance: [String: String] = [:]
        for name in try file.attributeNames() where !reserved.contains(name) {
            if case let .string(value) = try file.attribute(name) { provenance[name] = value }
        }
        return try Supernet(space: space, weights: weights, mean: try file.floatArrayAttribute("mean"),
                            std: try file.floatArrayAttribute("std"), provenance: provenance)
    }
}

extension SearchSpace {
    /// The space of `family` at a width multiplier and class count.
    public static func make(family: SupernetFamily, widthMult: Double, classes: Int) -> SearchSpace {
        switch family {
        case .ofaMobileNetV3: return .ofaMobileNetV3(widthMult: widthMult, classes: classes)
        case .ofaProxylessNAS: return .ofaProxylessNAS(widthMult: widthMult, classes: classes)
        case .effnetLite0Elastic: return .effnetLite0Elastic(classes: classes)
        }
    }

    /// The choices as JSON for people reading the file: per-position kernels, expands, per-stage depths, resolutions.
    public var descriptionJSON: String {
        let object: [String: Any] = [
            "ks": slots.map(\.kernelChoices), "e": expandChoices, "d": stages.map(\.depthChoices),
            "r": [resolutionRange.lowerBound, resolutionRange.upperBound, resolutionStep],
        ]
        return String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }
}

