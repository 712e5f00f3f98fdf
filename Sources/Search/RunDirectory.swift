import Foundation
import History

/// The files of one search's run directory (DESIGN §6), named in one place. Everything a search writes goes here,
/// each file atomically or as an append-only log, so that `--resume` can continue from whatever is on disk.
public struct RunDirectory: Sendable {
    public let url: URL

    public init(_ url: URL) { self.url = url }

    /// The run's name in errors and the history: the directory's last path component.
    public var name: String { url.lastPathComponent }

    /// Every candidate and phase (`History`).
    public var history: URL { file(SQLiteSearchStore.fileName) }
    /// The weight-shared trainables after the adaptation, with the epoch and step they reached.
    public var adapted: URL { file("adapted.h5") }
    /// Each adaptation epoch's validation score, for the plateau test on resume.
    public var adaptationScores: URL { file("adaptation-validation.json") }
    /// Each searched method's learning rate from its range test.
    public var learningRates: URL { file("learning-rates.json") }
    /// The dataset's fingerprint when the search started; a resume refuses other data.
    public var fingerprint: URL { file("dataset.sha256") }
    /// The winner's trained network.
    public var best: URL { file("best.h5") }
    public var summary: URL { file("summary.json") }
    /// The progress lines, appended across resumes.
    public var log: URL { file("search.log") }

    /// Finalist `candidate`'s trained network (`h5`) or what its training process reported (`json`).
    public func finalist(_ candidate: Int, _ ext: String) -> URL { file("finalist-\(candidate).\(ext)") }

    /// A finalist's training with another seed (`--seeds`): its result (`json`), or its weights while it trains.
    public func seedRun(_ candidate: Int, seed: UInt64, _ ext: String) -> URL {
        file("seed-\(seed)-\(candidate).\(ext)")
    }

    /// The stored dataset fingerprint; nil before the search wrote one.
    public func storedFingerprint() -> String? { try? String(contentsOf: fingerprint, encoding: .utf8) }

    /// Stores `fingerprint` unless one is stored already.
    func store(fingerprint text: String) throws {
        guard !FileManager.default.fileExists(atPath: fingerprint.path) else { return }
        try text.write(to: fingerprint, atomically: true, encoding: .utf8)
    }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }
}
