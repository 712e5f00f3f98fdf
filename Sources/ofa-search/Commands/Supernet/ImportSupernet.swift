import ArgumentParser
import Foundation
import Supernets

/// `ofa-search supernet import`: a PyTorch supernet checkpoint to the HDF5 supernet format.
struct ImportSupernet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert a PyTorch supernet checkpoint (.pth) into an ofa-search/supernet HDF5 file.",
        discussion: """
            Families: ofa-mbv3 (ofa_mbv3_d234_e346_k357_w1.0 / _w1.2), ofa-proxyless (ofa_proxyless_d234_e346_k357_w1.3), \
            effnet-lite0-elastic (EfficientNet-Lite0 weights with lukemelas names, made elastic). Keys are renamed as \
            the reference's load_state_dict does; the file records the source's name and sha256.
            """)

    @Argument(help: "PyTorch checkpoint (.pth).", completion: .file(extensions: ["pth", "pt"]))
    var checkpoint: String

    @Option(help: "Supernet family: \(SupernetFamily.allCases.map(\.rawValue).joined(separator: ", ")).")
    var family: String

    @Option(help: "Width multiplier (default: 1.0 for ofa-mbv3, 1.3 for ofa-proxyless).")
    var widthMult: Double?

    @Option(name: .shortAndLong, help: "Output .h5 file.")
    var output: String

    @Flag(help: "Store weights as float16 (about half the size).")
    var float16 = false

    @Option(help: "Licence of the weights, recorded in the file.")
    var licence: String?

    func run() throws {
        try reportingErrors {
            guard let family = SupernetFamily(rawValue: family) else { throw SupernetError.unknownFamily(family) }
            let source = URL(fileURLWithPath: checkpoint)
            var provenance = ["source_file": source.lastPathComponent,
                              // The command as run, with the checkpoint named by file name (its path is personal).
                              "command": (["ofa-search"] + CommandLine.arguments.dropFirst().map { $0 == checkpoint ? source.lastPathComponent : $0 })
                                  .joined(separator: " ")]
            if let licence { provenance["licence"] = licence }
            let width = widthMult ?? (family == .ofaProxylessNAS ? 1.3 : 1.0)
            // Load first: the checkpoint reader's errors name a missing or unreadable file clearly.
            var supernet = try Supernet.importCheckpoint(source, family: family, widthMult: width, provenance: provenance)
            supernet.provenance["source_sha256"] = try SHA256.hex(of: source)
            try supernet.write(to: URL(fileURLWithPath: output), float16: float16)
            print("wrote \(output): \(supernet.space.name), \(supernet.space.classes) classes, \(supernet.weights.names.count) tensors")
        }
    }
}
