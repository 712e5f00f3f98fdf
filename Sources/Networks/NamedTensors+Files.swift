import Foundation
import HDF5
import Tensors
import TorchCheckpoint

extension NamedTensors {
    /// The HDF5 weights format: one dataset per floating-point tensor at the file root, named by its
    /// PyTorch `state_dict` key and stored in PyTorch layout (h5py: `f["_fc.weight"]`).
    public static let hdf5Format = HDF5FileFormat(name: "ofa-search/weights", version: 1)

    /// Reads the floating-point tensors of a PyTorch checkpoint (`.pth`, zip or legacy format) or of an
    /// `ofa-search/weights` HDF5 file, chosen by content. Integer buffers (`num_batches_tracked`) are
    /// left out: inference and transfer never read them.
    /// - Throws: `CheckpointError` or `HDF5Error` with a one-line description naming the file.
    public static func load(from url: URL) throws -> NamedTensors {
        if try isHDF5(url) { return try loadHDF5(url) }
        let stateDict = try TorchCheckpoint.load(from: url)
        var tensors = NamedTensors(source: url.path)
        for entry in stateDict where entry.tensor.dtype.isFloatingPoint {
            tensors.set(entry.name, Tensor(shape: entry.tensor.shape, values: entry.tensor.floats()))
        }
        return tensors
    }

    /// Writes the tensors as an `ofa-search/weights` v1 file (float32, gzip + shuffle) through a
    /// temporary file renamed into place, with `provenance` as string attributes.
    public func writeHDF5(to url: URL, provenance: [String: String] = [:]) throws {
        try HDF5File.writeAtomically(to: url) { file in
            try file.writeFormat(Self.hdf5Format)
            for (key, value) in provenance.sorted(by: { $0.key < $1.key }) { try file.setAttribute(key, .string(value)) }
            for name in names {
                let t = self[name]!
                try file.createDataset(name, values: t.values, shape: t.shape, compression: .gzip())
            }
        }
    }

    private static func loadHDF5(_ url: URL) throws -> NamedTensors {
        let file = try HDF5File.open(at: url)
        try file.requireFormat(hdf5Format, hint: "convert a PyTorch checkpoint with `ofa-search convert <file.pth> -o <file.h5>`")
        var tensors = NamedTensors(source: url.path)
        for path in try file.datasetPaths() {
            let name = path.hasPrefix("/") ? String(path.dropFirst()) : path
            let dataset = try file.openDataset(name)
            guard dataset.dataType.isFloatingPoint else { continue }
            tensors.set(name, Tensor(shape: dataset.shape, values: try dataset.read(Float.self)))
        }
        return tensors
    }

    /// True when the file starts with the HDF5 signature (at offset 0, the common case).
    private static func isHDF5(_ url: URL) throws -> Bool {
        guard let handle = FileHandle(forReadingAtPath: url.path) else { return false }
        defer { try? handle.close() }
        let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        return Array(try handle.read(upToCount: 8) ?? Data()) == signature
    }
}
