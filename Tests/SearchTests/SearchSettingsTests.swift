import Foundation
import Search
import Supernets
import Testing

/// Settings JSON round-trips, and settings written before a key existed decode to what that run did.
struct SearchSettingsTests {
    static var settings: SearchSettings {
        var adaptation = SharedAdaptation.Settings(epochs: 6, batch: 8)
        adaptation.learningRate = 1e-3
        var s = SearchSettings(dataset: "flowers", dataRoot: nil, supernet: "s.h5", budgetBytes: 32_000_000, memScope: .total,
                               methods: [.bias, .liteResidualBias], batch: 8, resolutions: [128, 160],
                               evolution: EvolutionSettings(population: 16, generations: 5), adaptation: adaptation,
                               finalEpochs: 6, finalLearningRate: 1e-3, validationFraction: 0.1, calibrationImages: 100,
                               seed: 0, threads: 2, cacheBytes: 1, stageSlotCounts: [1, 2])
        s.optimizer = .adam8
        s.split = "0.8,0.1,0.1"
        s.enqueued = [#"{"d": [1], "method": "bias"}"#]
        return s
    }

    @Test func roundTrips() throws {
        #expect(try SearchSettings.decode(json: Self.settings.json) == Self.settings)
    }

    @Test func olderSettingsDecodeToWhatTheirRunDid() throws {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(Self.settings.json.utf8)) as? [String: Any])
        for key in ["finds_lr", "optimizer", "lr_test_steps", "split", "significance", "enqueued"] {
            object.removeValue(forKey: key)
        }
        var adaptation = try #require(object["adaptation"] as? [String: Any])
        adaptation.removeValue(forKey: "plateauGain")
        object["adaptation"] = adaptation
        let old = try SearchSettings.decode(json: String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
        #expect(!old.findsLearningRate && old.optimizer == .adam && old.adaptation.plateauGain == 0 && old.split == nil)
        #expect(old.significance == 1 && old.enqueued.isEmpty)
        #expect(old.finalLearningRate == 1e-3 && old.methods == [.bias, .liteResidualBias])
    }
}
