import ArgumentParser
import Foundation
import Search
import History
import Supernets

/// `ofa-search supernet sample`: extract one static subnet.
struct SampleSubnet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Extract a static subnet (weights and OFA net.config) from a supernet.",
        discussion: """
            --arch takes OFA's dict form, inline or as a file: {"ks": [...], "e": [...], "d": [...], "r": [res]}. \
            With --calibrate, batch-norm running statistics are re-computed on the images of a folder (as OFA's \
            set_running_statistics does, on centre crops at the subnet's resolution).
            """)

    @Argument(help: "Supernet (.h5).", completion: .file(extensions: ["h5"]))
    var supernet: String

    @Option(help: "Architecture JSON, or a file holding it.")
    var arch: String?

    @Flag(help: "A random architecture (see --seed).")
    var random = false

    @Option(help: "Seed for --random.")
    var seed: UInt64 = 0

    @Option(help: "Resolution, overriding the architecture's.")
    var resolution: Int?

    @Option(help: "Folder of JPEG/PNG images to re-calibrate batch norm on.", completion: .directory)
    var calibrate: String?

    @Option(help: "At most this many calibration images.")
    var calibrationImages = 500

    @Option(help: "Calibration batch size.")
    var calibrationBatch = 50

    @Option(name: .shortAndLong, help: "Output subnet .h5 file.")
    var output: String

    @Flag(help: "Print JSON on stdout.")
    var json = false

    func validate() throws {
        guard (arch != nil) != random else { throw ValidationError("give exactly one of --arch <json> and --random") }
        guard calibrationImages >= 1, calibrationBatch >= 1 else { throw ValidationError("calibration counts must be at least 1") }
    }

    struct Result: Encodable {
        let output: String, arch: Architecture, parameters: Int, mflops: Double, calibrationImages: Int
    }

    func run() throws {
        try reportingErrors {
            let url = URL(fileURLWithPath: supernet)
            let net = try Supernet.read(from: url)
            var config = try arch.map { try ArchConfig.parse(json: try archText($0), space: net.space) } ?? ArchConfig.random(net.space, seed: seed)
            if let resolution { config.r = resolution }
            try config.validate(in: net.space)
            var subnet = try net.subnet(config)
            var calibrated = 0
            if let calibrate {
                let batches = try CalibrationImages.batches(folder: calibrate, limit: calibrationImages, batch: calibrationBatch,
                                                            resolution: config.r, mean: net.mean, std: net.std)
                calibrated = batches.reduce(0) { $0 + $1.shape[0] }
                subnet = subnet.recalibrated(on: batches)
            }
            try subnet.write(to: URL(fileURLWithPath: output), arch: config,
                             provenance: ["supernet_file": url.lastPathComponent, "supernet_sha256": try SHA256.hex(of: url)])
            let result = Result(output: output, arch: Architecture(config), parameters: subnet.structure.parameterCount,
                                mflops: (subnet.structure.mflops(resolution: config.r) * 1e4).rounded() / 1e4, calibrationImages: calibrated)
            if json { try FileHandleOutput.json(result); return }
            print("wrote \(output): \(config.json)")
            print(String(format: "  %.3fM parameters, %.1f MFLOPs at %d px", Double(result.parameters) / 1e6, result.mflops, config.r)
                  + (calibrated > 0 ? ", BN re-calibrated on \(calibrated) images" : ""))
        }
    }

    /// The JSON itself, or the contents of the file it names.
    private func archText(_ value: String) throws -> String {
        if value.trimmingCharacters(in: .whitespaces).hasPrefix("{") { return value }
        guard let text = try? String(contentsOfFile: value, encoding: .utf8) else {
            throw SupernetError.invalidArchJSON(reason: "'\(value)' is neither JSON nor a readable file")
        }
        return text
    }
}
