import Foundation
import Memory
import Supernets

/// What a finalist's training in its own process reported (`ofa-search train --json --holdout` under `--budget`).
struct CertifiedTraining: Codable, Sendable, Equatable {
    var testTop1: Double, testTop5: Double, testImages: Int
    /// Top-1 on the search's validation images, which the process held out of its training (`--holdout`), and
    /// each image's hit ("1") or miss ("0") in the split's order.
    var validationTop1: Double, validationImages: Int, validationHits: String
    /// What the budget counts of the training process's plan, bytes.
    var plannedBytes: Int
    /// The training process's peak resident growth from before its trainer existed, and its whole peak, bytes
    /// (0 under `--mem-scope activations`, which a process measurement cannot check).
    var measuredBytes: Int, processPeakBytes: Int
    var imagesPerSecond: Double

    /// A result stored by an earlier session (`finalist-<id>.json`, `seed-<seed>-<id>.json`); nil when absent.
    static func stored(at url: URL) -> CertifiedTraining? {
        (try? Data(contentsOf: url)).flatMap { try? JSONDecoder().decode(CertifiedTraining.self, from: $0) }
    }

    /// Stores the result atomically, keys sorted (the same run writes the same file).
    func store(at url: URL) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        try e.encode(self).write(to: url, options: .atomic)
    }
}

extension SearchRun {
    /// The `ofa-search train` arguments of a finalist's training of `config`: the search's data and validation
    /// hold-out, epochs, batch, learning rate, optimizer, label smoothing, frozen storage, seed and threads; under
    /// `--mem-scope total` the budget,
    /// which the process checks against its plan before training and its measured memory after.
    func trainArguments(_ config: ArchConfig, seed: UInt64, output: URL, provenance: String) -> [String] {
        var arguments = ["train", "--supernet", settings.supernet, "--arch", config.json, "--dataset", settings.dataset,
                         "--holdout", "\(settings.validationFraction)",
                         "--epochs", "\(settings.finalEpochs)", "--batch", "\(settings.batch)",
                         "--resolution", "\(config.r)",
                         "--lr", "\(learningRate(config))", "--optimizer", settings.optimizer.rawValue,
                         "--label-smoothing", "\(settings.adaptation.labelSmoothing)",
                         "--frozen-bits", "\(settings.frozenBits)",
                         "--seed", "\(seed)", "--holdout-seed", "\(settings.seed)", "--threads", "\(settings.threads)", "--provenance", provenance,
                         "--json", "--output", output.path]
        if let dataRoot = settings.dataRoot { arguments += ["--data-root", dataRoot] }
        if let split = settings.split { arguments += ["--split-ratios", split] }
        if settings.memScope == .total { arguments += ["--mem", "\(settings.budgetBytes)B"] }
        let checkpoint = output.deletingPathExtension().appendingPathExtension("checkpoint.h5")
        if FileManager.default.fileExists(atPath: checkpoint.path) { arguments += ["--resume", checkpoint.path] }
        return arguments
    }

    /// Trains `config` in a fresh `ofa-search train` process (`trainArguments`): the real loader without a
    /// decoded-image cache, its own plan, its own measurement. Its progress lines are reported with `label`; a
    /// checkpoint it left (an interrupted run) is resumed.
    /// - Throws: `SearchError.interrupted` when it was stopped by Ctrl-C; `SearchError.overBudget` when its
    ///   measured memory exceeded the budget; `SearchError.invalid` with its error line otherwise.
    func trainCertified(_ config: ArchConfig, seed: UInt64? = nil, label: String, output: URL,
                        provenance: String) throws -> CertifiedTraining {
        let process = Process()
        process.executableURL = toolExecutable
        process.arguments = trainArguments(config, seed: seed ?? settings.seed, output: output,
                                           provenance: provenance)
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout; process.standardError = stderr
        try process.run()
        var lastError = ""
        for line in Self.lines(of: stderr.fileHandleForReading) {
            if line.hasPrefix("error: ") { lastError = String(line.dropFirst(7)) } else { report("[\(label)] \(line)") }
        }
        let json = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 130 || interrupted() { throw SearchError.interrupted }
        guard process.terminationStatus == 0 else {
            if lastError.hasPrefix("measured training memory") { throw SearchError.overBudget(detail: lastError) }
            throw SearchError.invalid(
                "\(label): `ofa-search train` failed (exit \(process.terminationStatus)): \(lastError)")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase   // `--json` keys are snake_case
        let result = try decoder.decode(TrainProcessResult.self, from: json)
        guard let validationTop1 = result.validationTop1, let validationImages = result.validationImages,
              let hits = result.validationHits, hits.count == validationImages else {
            throw SearchError.invalid("\(label): `ofa-search train` reported no validation top-1 per image")
        }
        return CertifiedTraining(testTop1: result.top1, testTop5: result.top5, testImages: result.evalImages,
                                 validationTop1: validationTop1, validationImages: validationImages,
                                 validationHits: hits,
                                 plannedBytes: result.budgetedBytes,
                                 measuredBytes: result.certificate?.measured.peakGrowthBytes ?? 0,
                                 processPeakBytes: result.certificate?.measured.processPeakBytes ?? 0,
                                 imagesPerSecond: result.imagesPerSecond)
    }

    /// The lines written to `handle` until it closes.
    static func lines(of handle: FileHandle) -> AnySequence<String> {
        AnySequence { () -> AnyIterator<String> in
            var buffer = Data()
            var finished = false
            return AnyIterator {
                while true {
                    if let newline = buffer.firstIndex(of: 0x0A) {
                        let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                        buffer.removeSubrange(buffer.startIndex...newline)
                        return line
                    }
                    if finished {
                        guard !buffer.isEmpty else { return nil }
                        defer { buffer.removeAll() }
                        return String(decoding: buffer, as: UTF8.self)
                    }
                    let chunk = handle.availableData
                    if chunk.isEmpty { finished = true } else { buffer.append(chunk) }
                }
            }
        }
    }
}

/// The fields of `ofa-search train --json` a finalist's training reads.
struct TrainProcessResult: Decodable {
    let top1: Double, top5: Double, evalImages: Int, budgetedBytes: Int, imagesPerSecond: Double
    let validationTop1: Double?, validationImages: Int?, validationHits: String?
    let certificate: MemoryCertificate?
}
