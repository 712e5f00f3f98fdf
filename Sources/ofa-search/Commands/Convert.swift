import ArgumentParser
import Foundation
import Networks

/// `ofa-search convert`: a PyTorch checkpoint to an h5py-readable weights file.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a PyTorch checkpoint (.pth) to an ofa-search/weights HDF5 file readable with h5py.",
        discussion: "Each floating-point tensor becomes a float32 dataset named by its state_dict key, e.g. f[\"_fc.weight\"].")

    @Argument(help: "PyTorch checkpoint (.pth).", completion: .file(extensions: ["pth"]))
    var checkpoint: String

    @Option(name: .shortAndLong, help: "Output .h5 file.")
    var output: String

    func run() throws {
        try reportingErrors {
            let source = URL(fileURLWithPath: checkpoint)
            let tensors = try NamedTensors.load(from: source)
            try tensors.writeHDF5(to: URL(fileURLWithPath: output), provenance: ["source_file": source.lastPathComponent])
            print("wrote \(output): \(tensors.names.count) tensors from \(source.lastPathComponent)")
        }
    }
}
