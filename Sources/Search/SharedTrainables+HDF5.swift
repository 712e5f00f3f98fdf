import Foundation
import HDF5

extension SharedTrainables {
    /// `ofa-search/shared-trainables` v1: the adapted shared tensors of a search, written after every adaptation
    /// epoch (`adapted.h5` in the run directory). Per supernet key, groups `values/`, `adam_m/`, `adam_v/` hold
    /// float32 vectors at the key's path, and the attribute `adam_steps` (JSON object key → steps) the Adam step
    /// counts; `epochs_done` says how many adaptation epochs the file holds completely and `steps_done` how many
    /// steps of the next one (0 at an epoch's end).
    public static let format = HDF5FileFormat(name: "ofa-search/shared-trainables", version: 1)

    /// Writes the store after `epochsDone` epochs and `stepsDone` steps of the next, through a temporary file
    /// renamed into place.
    public func write(to url: URL, epochsDone: Int, stepsDone: Int = 0, settingsJSON: String) throws {
        try HDF5File.writeAtomically(to: url) { file in
            try file.writeFormat(Self.format)
            try file.setAttribute("epochs_done", .int64(Int64(epochsDone)))
            try file.setAttribute("steps_done", .int64(Int64(stepsDone)))
            try file.setAttribute("search_settings", .string(settingsJSON))
            let steps = Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0.value.step) })
            try file.setJSONAttribute("adam_steps", steps)
            for (key, entry) in entries.sorted(by: { $0.key < $1.key }) {
                try file.createDataset("values/\(key)", values: entry.values, shape: [entry.values.count])
                try file.createDataset("adam_m/\(key)", values: entry.m, shape: [entry.m.count])
                try file.createDataset("adam_v/\(key)", values: entry.v, shape: [entry.v.count])
            }
        }
    }

    /// Reads a store written by `write`, with the epochs and steps it holds.
    public static func read(from url: URL) throws -> (shared: SharedTrainables, epochsDone: Int, stepsDone: Int) {
        let file = try HDF5File.open(at: url)
        try file.requireFormat(format)
        let steps = try file.jsonAttribute("adam_steps", as: [String: Int].self)
        var entries: [String: Entry] = [:]
        for (key, step) in steps {
            entries[key] = Entry(values: try file.read(Float.self, at: "values/\(key)").values,
                                 m: try file.read(Float.self, at: "adam_m/\(key)").values,
                                 v: try file.read(Float.self, at: "adam_v/\(key)").values, step: step)
        }
        let stepsDone = try file.hasAttribute("steps_done") ? Int(try file.int64Attribute("steps_done")) : 0
        return (SharedTrainables(entries: entries), Int(try file.int64Attribute("epochs_done")), stepsDone)
    }
}
