import Foundation
import HDF5
import Transfer

/// A resumable state of `ofa-search train` (`ofa-search/train-checkpoint` v1, HDF5): where training stands, the
/// trainable parameters and the optimiser state. Everything else (the subnet, re-calibrated batch norms, 8-bit
/// frozen weights, data order and augmentation) is a pure function of the command's flags and is rebuilt.
///
/// Layout: root attributes `format`, `format_version`, `settings` (JSON of the flags that must match on resume)
/// and `progress` (JSON: next epoch and step, the epoch's running loss and counts); datasets
/// `parameters/<name>` (float32, engine layout, trainable parameters only), `optimizer/steps` (int64, one per
/// trainable tensor), and per tensor k `optimizer/<k>/m`, `optimizer/<k>/v` (Adam) or `optimizer/<k>/momentum`
/// (SGD); a tensor never stepped has none.
struct TrainCheckpoint {
    static let format = HDF5FileFormat(name: "ofa-search/train-checkpoint", version: 1)

    /// Where training continues and what the interrupted epoch had accumulated.
    struct Progress: Codable, Equatable {
        /// The next step to run: epoch (0-based) and step within it (= the epoch's step count: only its
        /// evaluation is left).
        var epoch = 0, step = 0
        var lossSum = 0.0, seen = 0, correct = 0
        var trainSeconds = 0.0, trainImages = 0, epochSeconds = 0.0
    }

    enum OptimizerState {
        case adam([Adam.State])
        case sgd([SGD.State])
    }

    /// Flag name → value, compared on resume.
    var settings: [String: String]
    var progress: Progress
    var parameters: [(name: String, values: [Float])]
    var optimizer: OptimizerState

    /// Writes the checkpoint through a temporary file renamed into place (the previous one stays intact until then).
    func write(to url: URL) throws {
        try HDF5File.writeAtomically(to: url) { file in
            try file.writeFormat(Self.format)
            try file.setJSONAttribute("settings", settings)
            try file.setJSONAttribute("progress", progress)
            for p in parameters { try file.createDataset("parameters/\(p.name)", values: p.values, shape: [p.values.count]) }
            switch optimizer {
            case .adam(let states):
                try file.createDataset("optimizer/steps", values: states.map { Int64($0.step) }, shape: [states.count])
                for (k, s) in states.enumerated() where !s.m.isEmpty {
                    try file.createDataset("optimizer/\(k)/m", values: s.m, shape: [s.m.count])
                    try file.createDataset("optimizer/\(k)/v", values: s.v, shape: [s.v.count])
                }
            case .sgd(let states):
                try file.createDataset("optimizer/steps", values: states.map { Int64($0.step) }, shape: [states.count])
                for (k, s) in states.enumerated() where !s.momentumBuffer.isEmpty {
                    try file.createDataset("optimizer/\(k)/momentum", values: s.momentumBuffer, shape: [s.momentumBuffer.count])
                }
            }
        }
    }

    /// Reads a checkpoint for a run with `settings` over the trainable parameters `names`.
    /// - Throws: `HDF5Error` for an unreadable file; `TrainError` when it is another format, or was written by a
    ///   run with other settings (naming the first differing flag).
    static func read(from url: URL, settings expected: [String: String], trainable names: [String], adam: Bool) throws -> TrainCheckpoint {
        let file = try HDF5File.open(at: url)
        try file.requireFormat(format, hint: "pass a checkpoint written by `ofa-search train`")
        let settings: [String: String] = try file.jsonAttribute("settings")
        for key in expected.keys.sorted() where settings[key] != expected[key] {
            throw TrainError("\(url.path) was written by another run: \(key) \(settings[key] ?? "(none)") there, \(expected[key]!) here"
                             + " — resume with the flags of the interrupted run")
        }
        let progress: Progress = try file.jsonAttribute("progress")
        let parameters = try names.map { ($0, try file.openDataset("parameters/\($0)").read(Float.self)) }
        let steps = try file.openDataset("optimizer/steps").read(Int64.self).map { Int($0) }
        func buffer(_ k: Int, _ name: String) throws -> [Float] {
            try file.contains("optimizer/\(k)/\(name)") ? file.openDataset("optimizer/\(k)/\(name)").read(Float.self) : []
        }
        let optimizer: OptimizerState = adam
            ? .adam(try steps.indices.map { Adam.State(step: steps[$0], m: try buffer($0, "m"), v: try buffer($0, "v")) })
            : .sgd(try steps.indices.map { SGD.State(step: steps[$0], momentumBuffer: try buffer($0, "momentum")) })
        return TrainCheckpoint(settings: settings, progress: progress, parameters: parameters, optimizer: optimizer)
    }
}
