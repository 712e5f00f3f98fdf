import Foundation
import HDF5
import Networks
import Tensors

extension Subnet {
    /// The static subnet file format (Supernets/FORMAT.md): weights under static names plus `net_config`.
    public static let format = HDF5FileFormat(name: "ofa-search/subnet", version: 1)

    /// Writes the subnet as an `ofa-search/subnet` v1 file (float32) through a temporary file renamed into place.
    /// - Parameters:
    ///   - arch: the architecture JSON it was sampled with; `provenance`: extra string attributes.
    public func write(to url: URL, arch: ArchConfig?, provenance: [String: String] = [:]) throws {
        try HDF5File.writeAtomically(to: url) { file in
            try file.writeFormat(Self.format)
            try file.setAttribute("family", .string(structure.family.rawValue))
            try file.setAttribute("net_config", .string(structure.netConfigJSON))
            if let arch { try file.setAttribute("arch", .string(arch.json)) }
            try file.setAttribute("resolution", .int64(Int64(resolution)))
            try file.setAttribute("mean", .floats(mean))
            try file.setAttribute("std", .floats(std))
            for (key, value) in provenance.sorted(by: { $0.key < $1.key }) { try file.setAttribute(key, .string(value)) }
            for name in weights.names {
                let t = weights[name]!
                try file.createDataset(name, values: t.values, shape: t.shape, compression: .gzip())
            }
        }
    }

    /// Reads an `ofa-search/subnet` v1 file.
    /// - Throws: `HDF5Error` or `SupernetError.invalidSupernetFile` for an unusable `net_config`.
    public static func read(from url: URL) throws -> Subnet {
        let file = try HDF5File.open(at: url)
        try file.requireFormat(format, hint: "sample one with `ofa-search supernet sample <supernet.h5> --arch <json> -o <subnet.h5>`")
        let structure = try SubnetStructure(netConfigJSON: try file.stringAttribute("net_config"), source: url.path)
        var weights = NamedTensors(source: url.path)
        for path in try file.datasetPaths() {
            let name = path.hasPrefix("/") ? String(path.dropFirst()) : path
            weights.set(name, Tensor(shape: try file.openDataset(name).shape, values: try file.openDataset(name).read(Float.self)))
        }
        let expected = structure.staticKeys
        let names = Set(expected.map(\.name))
        let missing = expected.filter { weights[$0.name] == nil }.map(\.name)
        let unexpected = weights.names.filter { !names.contains($0) && !$0.hasSuffix("num_batches_tracked") }
        let shapes = expected.compactMap { k -> String? in
            guard let t = weights[k.name], t.shape != k.shape else { return nil }
            return "\(k.name) is \(t.shape), expected \(k.shape)"
        }
        guard missing.isEmpty && unexpected.isEmpty && shapes.isEmpty else {
            throw SupernetError.checkpointMismatch(file: url.path, space: "its net_config", missing: missing, unexpected: unexpected,
                                                   shapeMismatches: shapes, hint: "re-sample it with `ofa-search supernet sample`")
        }
        return Subnet(structure: structure, weights: weights, resolution: Int(try file.int64Attribute("resolution")),
                      mean: try file.floatArrayAttribute("mean"), std: try file.floatArrayAttribute("std"))
    }

    /// True when `url` is an HDF5 file declaring `format` (false for anything else, including unreadable files).
    public static func isFile(_ url: URL, of format: HDF5FileFormat) -> Bool {
        guard let file = try? HDF5File.open(at: url), let found = try? file.readFormat() else { return false }
        return found == format
    }
}
