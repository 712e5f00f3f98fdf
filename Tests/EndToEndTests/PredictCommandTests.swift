import Foundation
import OFATestSupport
import Testing

/// `ofa-search predict` and `convert` as a user runs them: results on stdout, one line on stderr for bad input.
struct PredictCommandTests {
    struct BadInput: CustomTestStringConvertible, Sendable {
        let id: String
        let arguments: [String]
        /// Text the single stderr line must contain.
        let expected: String
        var testDescription: String { id }
    }

    static let image = TestPaths.fixture("images/coffee-rgb.png").path
    static let checkpoints = TestPaths.fixture("checkpoints")

    static let badInputs: [BadInput] = [
        BadInput(id: "missing image", arguments: ["predict", "--weights", checkpoints.appendingPathComponent("tensors_zip.pth").path, "/nonexistent/cat.jpg"],
                 expected: "/nonexistent/cat.jpg"),
        BadInput(id: "random bytes as checkpoint", arguments: ["predict", "--weights", checkpoints.appendingPathComponent("random.pth").path, image],
                 expected: "random.pth"),
        BadInput(id: "zip without data.pkl", arguments: ["predict", "--weights", checkpoints.appendingPathComponent("no_data_pkl_zip.pth").path, image],
                 expected: "data.pkl"),
        BadInput(id: "pickle naming os.system", arguments: ["predict", "--weights", checkpoints.appendingPathComponent("os_system_zip.pth").path, image],
                 expected: "system"),
        BadInput(id: "state_dict of another architecture", arguments: ["predict", "--weights", checkpoints.appendingPathComponent("tensors_zip.pth").path, image],
                 expected: "does not hold EfficientNet-Lite0 weights: missing keys: _conv_stem.weight"),
        BadInput(id: "missing weights file", arguments: ["predict", "--weights", "/nonexistent/w.pth", image],
                 expected: "/nonexistent/w.pth"),
        BadInput(id: "h5 of another format", arguments: ["predict", "--weights", TestPaths.fixture("hdf5/h5py_written.h5").path, image],
                 expected: "expected ofa-search/weights v1"),
        BadInput(id: "bad resolution", arguments: ["predict", "--resolution", "7", image], expected: "--resolution 7"),
    ]

    @Test(arguments: badInputs)
    func badInputGivesOneClearLineAndNonZeroExit(_ c: BadInput) throws {
        let r = try OFASearchCommand.run(c.arguments)
        #expect(r.status != 0)
        #expect(r.stdout.isEmpty)
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count >= 1 && lines[0].contains(c.expected), "stderr: \(r.stderr)")
        // Usage help may follow a flag error, but a runtime error is exactly one line.
        if !c.id.hasPrefix("bad ") { #expect(lines.count == 1, "stderr: \(r.stderr)") }
    }

    @Test(.enabled(if: TestPaths.weightsEnabled, "no weights; run Scripts/fetch-weights.sh (make test does)"), arguments: ["not-an-image.txt", "truncated.jpg"])
    func badImagesGiveOneLine(_ name: String) throws {
        let weights = try #require(TestPaths.efficientNetLite0Checkpoint)
        let path: String
        if name.hasSuffix(".txt") {
            path = FileManager.default.temporaryDirectory.appendingPathComponent(name).path
            try "hello".write(toFile: path, atomically: true, encoding: .utf8)
        } else {
            path = TestPaths.fixture("images/\(name)").path
        }
        let r = try OFASearchCommand.run(["predict", "--weights", weights.path, path])
        #expect(r.status != 0)
        #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains(name), "stderr: \(r.stderr)")
    }

    @Test(.enabled(if: TestPaths.weightsEnabled, "no weights; run Scripts/fetch-weights.sh (make test does)"), .enabled(if: TestPaths.sharedEnabled, "../shared is absent"))
    func predictsEspressoForCoffeeAndWritesJSON() throws {
        let weights = try #require(TestPaths.efficientNetLite0Checkpoint)
        let shared = try #require(TestPaths.shared)
        let coffee = shared.appendingPathComponent("images/coffee.png").path
        let text = try OFASearchCommand.run(["predict", "--weights", weights.path, coffee])
        #expect(text.status == 0, "stderr: \(text.stderr)")
        let lines = text.stdout.split(separator: "\n")
        #expect(lines.count == 2 + 5 && lines[1] == "    id     prob    logit  class", "\(text.stdout)")
        #expect(lines[2].hasPrefix("   967  ") && lines[2].hasSuffix("espresso"), "\(text.stdout)")
        let json = try OFASearchCommand.run(["predict", "--weights", weights.path, "--json", "--top", "3", coffee])
        struct Prediction: Decodable { struct Entry: Decodable { let index: Int; let name: String; let probability: Double }; let image: String; let top: [Entry] }
        let decoded = try json.json([Prediction].self)
        #expect(decoded.count == 1 && decoded[0].top.count == 3 && decoded[0].top[0].index == 967)
    }

    @Test(.enabled(if: TestPaths.weightsEnabled, "no weights; run Scripts/fetch-weights.sh (make test does)"))
    func convertWritesAnH5ThatPredictReads() throws {
        let weights = try #require(TestPaths.efficientNetLite0Checkpoint)
        let h5 = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-\(UUID().uuidString).h5")
        defer { try? FileManager.default.removeItem(at: h5) }
        let c = try OFASearchCommand.run(["convert", weights.path, "-o", h5.path])
        #expect(c.status == 0, "stderr: \(c.stderr)")
        let a = try OFASearchCommand.run(["predict", "--weights", weights.path, "--json", Self.image])
        let b = try OFASearchCommand.run(["predict", "--weights", h5.path, "--json", Self.image])
        #expect(a.status == 0 && a.stdout == b.stdout)
    }
}
