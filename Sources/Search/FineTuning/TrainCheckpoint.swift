import Foundation
import HDF5
import Transfer

/// A resumable state of a fine-tuning (`ofa-search train`; `ofa-search/train-checkpoint` v1, HDF5): where training stands, the
/// trainable parameters and the optimiser state. Everything else (the subnet, re-calibrated batch norms, 8-bit
/// frozen weights, data order and augmentation) is a pure function of the command's flags and is rebuilt.
///
/// Layout: root attributes `format`, `format_version`, `settings` (JSON of the flags that must match on resume)
/// and `progress` (JSON: next epoch and step, the epoch's running loss and counts); datasets
/// `parameters/<name>` (float32, engine layout, trainable parameters only), `optimizer/steps` (int64, one per
/// trainable tensor), and per tensor k `optimizer/<k>/m`, `optimizer/<k>/v` (Adam), `optimizer/<k>/absmax1`,
/// `absmax2` (float32) and `codes1`, `codes2` (uint8) (Adam8) or `optimizer/<k>/momentum` (SGD); a tensor never
/// stepped has none.
public struct TrainCheckpoint {
    static let format = HDF5FileFormat(name: "ofa-search/train-checkpoint", version: 1)

    /// Where training continues and what the interrupted epoch had accumulated.
    public struct Progress: Codable, Equatable, Sendable {
        /// The next step to run: epoch (0-based) and step within it (= the epoch's step count: only its
        /// evaluation is left).
        var epoch = 0, step = 0
        var lossSum = 0.0, seen = 0, correct = 0
        var trainSeconds = 0.0, trainImages = 0, epochSeconds = 0.0
    }

    enum OptimizerState {
        case adam([Adam.State])
        case adam8([Adam8.State])
        case sgd([SGD.State])

        /// The state of `trainer`'s optimiser.
        init(_ optimizer: any Optimizer) {
            switch optimizer {
            case let adam as Adam: self = .adam(adam.states)
            case let adam8 as Adam8: self = .adam8(adam8.states)
            case let sgd as SGD: self = .sgd(sgd.states)
            default: preconditionFailure("no checkpoint form for \(type(of: optimizer))")
            }
        }

        /// Each tensor's step count.
        var steps: [Int64] {
            switch self {
            case .adam(let states): return states.map { Int64($0.step) }
            case .adam8(let states): return states.map { Int64($0.step) }
            case .sgd(let states): return states.map { Int64($0.step) }
            }
        }

        /// Writes tensor `k`'s buffers (none before its first step).
        func write(tensor k: Int, to file: HDF5File) throws {
            switch self {
            case .adam(let states) where !states[k].m.isEmpty:
                try file.createDataset("optimizer/\(k)/m", values: states[k].m, shape: [states[k].m.count])
                try file.createDataset("optimizer/\(k)/v", values: states[k].v, shape: [states[k].v.count])
            case .adam8(let states) where !states[k].codes1.isEmpty:
                let s = states[k]
                try file.createDataset("optimizer/\(k)/absmax1", values: s.absmax1, shape: [s.absmax1.count])
                try file.createDataset("optimizer/\(k)/absmax2", values: s.absmax2, shape: [s.absmax2.count])
                try file.createDataset("optimizer/\(k)/codes1", values: s.codes1, shape: [s.codes1.count])
                try file.createDataset("optimizer/\(k)/codes2", values: s.codes2, shape: [s.codes2.count])
            case .sgd(let states) where !states[k].momentumBuffer.isEmpty:
                let b = states[k].momentumBuffer
                try file.createDataset("optimizer/\(k)/momentum", values: b, shape: [b.count])
            default: break
            }
        }

        /// `optimizer` with this state restored.
        func restoring(into optimizer: any Optimizer) throws(TransferError) -> any Optimizer {
            switch (self, optimizer) {
            case (.adam(let states), var a as Adam): try a.restore(states); return a
            case (.adam8(let states), var a as Adam8): try a.restore(states); return a
            case (.sgd(let states), var s as SGD): try s.restore(states); return s
            default: preconditionFailure("checkpoint and optimiser differ (settings are compared before)")
            }
        }
    }

    /// Flag name → value, compared on resume.
    var settings: [String: String]
    var progress: Progress
    var parameters: [(name: String, values: [Float])]
    var optimizer: OptimizerState

    /// Writes `trainer`'s checkpoint through a temporary file renamed into place (the previous one stays intact until
    /// then), one tensor at a time: at most one trainable tensor's values or optimizer state is copied out of the
    /// arena at once, so writing a checkpoint holds little beside training (frozen weights are not written at all).
    static func write(to url: URL, settings: [String: String], progress: Progress, trainer: Trainer) throws {
        let trainable = trainer.graph.parameters.filter(\.trainable)
        try HDF5File.writeAtomically(to: url) { file in
            try file.writeFormat(Self.format)
            try file.setJSONAttribute("settings", settings)
            try file.setJSONAttribute("progress", progress)
            for p in trainable {
                let values = trainer.parameterValues(p.name)
                try file.createDataset("parameters/\(p.name)", values: values, shape: [values.count])
            }
            for k in trainable.indices {
                let state = OptimizerState(trainer.optimizer(tensor: k))
                if k == 0 { try file.createDataset("optimizer/steps", values: state.steps, shape: [state.steps.count]) }
                try state.write(tensor: k, to: file)
            }
        }
    }

    /// Reads a checkpoint for a run with `settings` over the trainable parameters `names`.
    /// - Throws: `HDF5Error` for an unreadable file; `FineTuningError` when it is another format, or was written by a
    ///   run with other settings (naming the first differing flag).
    static func read(from url: URL, settings expected: [String: String], trainable names: [String],
                     optimizer choice: OptimizerChoice) throws -> TrainCheckpoint {
        let file = try HDF5File.open(at: url)
        try file.requireFormat(format, hint: "pass a checkpoint written by `ofa-search train`")
        var settings: [String: String] = try file.jsonAttribute("settings")
        if let dataset = settings.removeValue(forKey: "--data") { settings["--dataset"] = dataset }  // before 0.3
        for key in expected.keys.sorted() where settings[key] != expected[key] {
            throw FineTuningError("\(url.path) was written by another run: \(key) \(settings[key] ?? "(none)") there, \(expected[key]!) here"
                             + " — resume with the flags of the interrupted run")
        }
        let progress: Progress = try file.jsonAttribute("progress")
        let parameters = try names.map { ($0, try file.openDataset("parameters/\($0)").read(Float.self)) }
        let steps = try file.openDataset("optimizer/steps").read(Int64.self).map { Int($0) }
        func buffer<T: HDF5Element>(_ k: Int, _ name: String, as type: T.Type = Float.self) throws -> [T] {
            try file.contains("optimizer/\(k)/\(name)") ? file.openDataset("optimizer/\(k)/\(name)").read(T.self) : []
        }
        let optimizer: OptimizerState
        switch choice {
        case .adam:
            optimizer = .adam(try steps.indices.map { Adam.State(step: steps[$0], m: try buffer($0, "m"), v: try buffer($0, "v")) })
        case .adam8:
            optimizer = .adam8(try steps.indices.map { k in
                Adam8.State(step: steps[k], absmax1: try buffer(k, "absmax1"), absmax2: try buffer(k, "absmax2"),
                            codes1: try buffer(k, "codes1", as: UInt8.self), codes2: try buffer(k, "codes2", as: UInt8.self))
            })
        case .sgd:
            optimizer = .sgd(try steps.indices.map { SGD.State(step: steps[$0], momentumBuffer: try buffer($0, "momentum")) })
        }
        return TrainCheckpoint(settings: settings, progress: progress, parameters: parameters, optimizer: optimizer)
    }
}
