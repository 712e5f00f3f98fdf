import Foundation
import Networks
import Supernets
import Tensors

/// Load time and sample + extract time of the three supernet families (one JSON line each).
///
/// The shipped elastic EfficientNet-Lite0 is read from `Supernets/`; the full-width OFA supernets, whose
/// published weights are not available here, are written once with random weights (float32, as published)
/// to a temporary folder and read back.
func supernetTimings(repository: URL) throws {
    let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("ofa-bench-\(getpid())")
    try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: temporary) }
    var files: [(String, URL)] = [("effnet-lite0-elastic (float16)", repository.appendingPathComponent("Supernets/effnet-lite0-elastic.h5"))]
    for space in [SearchSpace.ofaMobileNetV3(widthMult: 1.0), .ofaMobileNetV3(widthMult: 1.2), .ofaProxylessNAS(widthMult: 1.3)] {
        var weights = NamedTensors(source: "random \(space.name)")
        for (i, key) in space.supernetKeys().enumerated() {
            let range: ClosedRange<Float> = key.name.hasSuffix("running_var") ? 0.5...1.5 : -0.1...0.1
            weights.set(key.name, Tensor.random(shape: key.shape, in: range, seed: UInt64(i)))
        }
        let url = temporary.appendingPathComponent("\(space.family.rawValue)-w\(space.widthMult).h5")
        try Supernet(space: space, weights: weights, mean: Supernet.imageNetMean, std: Supernet.imageNetStd).write(to: url)
        files.append(("\(space.name) (float32, random)", url))
    }
    for (label, url) in files {
        let bytes = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        var supernet: Supernet?
        let load = medianSeconds(2) { supernet = try? Supernet.read(from: url) }
        guard let supernet else { throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: url.path]) }
        var seed: UInt64 = 0
        let extract = medianSeconds(2) {
            seed += 1
            _ = try? supernet.subnet(.random(supernet.space, seed: seed))
        }
        var subnet = try supernet.subnet(.max(supernet.space))
        let build = medianSeconds(1) { _ = subnet.network() }
        subnet = try supernet.subnet(.random(supernet.space, seed: 1))
        print(#"{"supernet": "\#(label)", "file_mb": \#((Double(bytes) / 1e4).rounded() / 100), "load_ms": \#((load * 1e5).rounded() / 100), "sample_extract_ms": \#((extract * 1e5).rounded() / 100), "fold_build_max_ms": \#((build * 1e5).rounded() / 100)}"#)
    }
}
