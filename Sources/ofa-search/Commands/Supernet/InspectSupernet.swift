import ArgumentParser
import Foundation
import Search
import History
import Supernets

/// `ofa-search supernet inspect`: what a supernet file holds.
struct InspectSupernet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a supernet's search space, its size, and parameters and MFLOPs of its min and max subnets.")

    @Argument(help: "Supernet (.h5).", completion: .file(extensions: ["h5"]))
    var supernet: String

    @Flag(help: "Print JSON on stdout.")
    var json = false

    struct Summary: Encodable {
        struct Subnet: Encodable { let arch: Architecture; let parameters: Int; let mflops: [String: Double] }
        let file: String, family: String, widthMult: Double, classes: Int, bnEps: Double
        let kernelChoices: [[Int]], expandChoices: [Int], depthChoices: [[Int]], resolutions: [Int]
        let subnets: Double
        let min: Subnet, max: Subnet
        let provenance: [String: String]
    }

    func run() throws {
        try reportingErrors {
            let net = try Supernet.read(from: URL(fileURLWithPath: supernet))
            let space = net.space
            let edges = [space.resolutionRange.lowerBound, space.defaultResolution]
            func describe(_ a: ArchConfig) -> Summary.Subnet {
                let s = space.subnetStructure(a)
                return .init(arch: Architecture(a), parameters: s.parameterCount,
                             mflops: Dictionary(uniqueKeysWithValues: edges.map { ("\($0)", (s.mflops(resolution: $0) * 1e4).rounded() / 1e4) }))
            }
            let summary = Summary(
                file: supernet, family: space.family.rawValue, widthMult: space.widthMult, classes: space.classes, bnEps: space.bnEps,
                kernelChoices: space.slots.map(\.kernelChoices), expandChoices: space.expandChoices,
                depthChoices: space.stages.map(\.depthChoices), resolutions: space.resolutions, subnets: space.subnetCount,
                min: describe(.min(space)), max: describe(.max(space)), provenance: net.provenance)
            if json { try FileHandleOutput.json(summary); return }
            print("\(supernet): \(space.name), \(space.classes) classes, BN eps \(space.bnEps)")
            print("  positions     \(space.slots.count) in \(space.stages.count) stages; kernels per position \(space.slots.map { $0.kernelChoices.map(String.init).joined(separator: "/") }.joined(separator: " "))")
            print("  expand        \(space.expandChoices.map(String.init).joined(separator: ", "))")
            print("  depth         \(space.stages.map { $0.depthChoices.map(String.init).joined(separator: "/") }.joined(separator: " "))")
            print("  resolution    \(space.resolutionRange.lowerBound)…\(space.resolutionRange.upperBound) step \(space.resolutionStep)")
            print(String(format: "  subnets       %.3g (architectures × resolutions)", space.subnetCount))
            for (label, s) in [("min", summary.min), ("max", summary.max)] {
                let flops = edges.map { String(format: "%.1f MFLOPs @%d", s.mflops["\($0)"]!, $0) }.joined(separator: ", ")
                print("  \(label) subnet    " + String(format: "%.3fM parameters, ", Double(s.parameters) / 1e6) + flops)
            }
            for (key, value) in net.provenance.sorted(by: { $0.key < $1.key }) { print("  \(key): \(value)") }
        }
    }
}
