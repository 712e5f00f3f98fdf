import Foundation
import History
import OFATestSupport
import Search
import Supernets
import Testing

/// `ofa-search supernet import | inspect | sample` as a user runs them, each test in its own temporary folder.
struct SupernetCommandTests {
    static let fixtures = TestPaths.fixture("supernets")
    static let elastic = TestPaths.repositoryRoot.appendingPathComponent("Supernets/effnet-lite0-elastic.h5")
    static let coffee = TestPaths.fixture("images/coffee-rgb.png").path

    /// A committed OFA checkpoint and how to import it.
    struct Fixture: CustomTestStringConvertible, Sendable {
        let file: String
        let family: String
        let space: SearchSpace
        var testDescription: String { family }
        var checkpoint: String { SupernetCommandTests.fixtures.appendingPathComponent(file).path }
        var importArguments: [String] { ["supernet", "import", checkpoint, "--family", family, "--width-mult", "0.2"] }
    }

    static let mbv3 = Fixture(file: "ofa_mbv3_w0.2_c10.pth", family: "ofa-mbv3", space: .ofaMobileNetV3(widthMult: 0.2, classes: 10))
    static let proxyless = Fixture(file: "ofa_proxyless_w0.2_c10.pth", family: "ofa-proxyless",
                                   space: .ofaProxylessNAS(widthMult: 0.2, classes: 10))

    /// Runs `body` with a fresh temporary folder and removes it afterwards.
    static func withScratch<T>(_ body: (URL) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ofa-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        return try body(dir)
    }

    /// Runs the command and requires success.
    @discardableResult
    static func succeed(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> CommandResult {
        let r = try OFASearchCommand.run(arguments)
        try #require(r.status == 0, "ofa-search \(arguments.joined(separator: " ")) failed: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.isEmpty, "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        return r
    }

    static func importSupernet(_ f: Fixture, into dir: URL) throws -> String {
        let path = dir.appendingPathComponent("\(f.family).h5").path
        let r = try succeed(f.importArguments + ["-o", path])
        #expect(r.stdout.contains("wrote \(path): \(f.space.name), 10 classes"), "\(r.stdout)")
        return path
    }

    // MARK: - inspect --json, decoded

    struct Summary: Decodable {
        struct Subnet: Decodable { let arch: Architecture; let parameters: Int; let mflops: [String: Double] }
        let file: String, family: String, widthMult: Double, classes: Int, bnEps: Double
        let kernelChoices: [[Int]], expandChoices: [Int], depthChoices: [[Int]], resolutions: [Int]
        let subnets: Double
        let min: Subnet, max: Subnet
        let provenance: [String: String]
    }

    struct SampleResult: Decodable {
        let output: String, arch: Architecture, parameters: Int, mflops: Double, calibrationImages: Int
    }

    struct Prediction: Decodable {
        struct Entry: Decodable { let index: Int; let name: String; let probability: Double }
        let image: String
        let top: [Entry]
    }

    /// Decodes a command's `--json` output (snake_case keys).
    static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try CommandResult(status: 0, stdout: json, stderr: "").json(type)
    }

    static func checkSummary(_ s: Summary, space: SearchSpace, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(s.family == space.family.rawValue && s.widthMult == space.widthMult && s.classes == space.classes, sourceLocation: sourceLocation)
        #expect(s.bnEps == space.bnEps && s.expandChoices == space.expandChoices, sourceLocation: sourceLocation)
        #expect(s.kernelChoices == space.slots.map(\.kernelChoices) && s.depthChoices == space.stages.map(\.depthChoices), sourceLocation: sourceLocation)
        #expect(s.resolutions == space.resolutions && s.subnets == space.subnetCount, sourceLocation: sourceLocation)
        #expect(s.min.parameters == space.subnetStructure(.min(space)).parameterCount, sourceLocation: sourceLocation)
        #expect(s.max.parameters == space.subnetStructure(.max(space)).parameterCount, sourceLocation: sourceLocation)
        #expect(s.min.arch == Architecture(.min(space)) && s.max.arch == Architecture(.max(space)), sourceLocation: sourceLocation)
    }

    // MARK: - Happy paths

    @Test(arguments: [mbv3, proxyless])
    func importThenInspect(_ f: Fixture) throws {
        try Self.withScratch { dir in
            let h5 = try Self.importSupernet(f, into: dir)
            let text = try Self.succeed(["supernet", "inspect", h5]).stdout
            #expect(text.hasPrefix("\(h5): \(f.space.name), 10 classes, BN eps \(f.space.bnEps)"), "\(text)")
            for (label, arch) in [("min", ArchConfig.min(f.space)), ("max", ArchConfig.max(f.space))] {
                let parameters = Double(f.space.subnetStructure(arch).parameterCount) / 1e6
                #expect(text.contains("\(label) subnet    " + String(format: "%.3fM parameters", parameters)), "\(text)")
            }
            #expect(text.contains("source_file: \(f.file)"))
            let summary = try Self.succeed(["supernet", "inspect", "--json", h5]).json(Summary.self)
            Self.checkSummary(summary, space: f.space)
            #expect(summary.file == h5)
            #expect(summary.provenance["source_file"] == f.file)
            let sha = try SHA256.hex(of: URL(fileURLWithPath: f.checkpoint))
            #expect(summary.provenance["source_sha256"] == sha)
            #expect(summary.provenance["command"] == "ofa-search supernet import \(f.file) --family \(f.family) --width-mult 0.2 -o \(h5)")
        }
    }

    @Test func inspectTheShippedSupernet() throws {
        let space = SearchSpace.effnetLite0Elastic()
        let summary = try Self.succeed(["supernet", "inspect", "--json", Self.elastic.path]).json(Summary.self)
        Self.checkSummary(summary, space: space)
        #expect(summary.provenance["source_file"] == "efficientnet-lite0-57934424.pth")
        let text = try Self.succeed(["supernet", "inspect", Self.elastic.path]).stdout
        #expect(text.contains("kernels per position 3 3 3/5 3/5 3 3 3 3/5 3/5 3/5 3/5 3/5 3/5 3/5 3"), "\(text)")
        #expect(text.contains("depth         1/2 1/2 1/2/3 1/2/3 2/3/4 1"), "\(text)")
    }

    /// Re-importing the cached ImageNet checkpoint as the shipped file was made gives the same supernet.
    @Test(.enabled(if: TestPaths.weightsEnabled, "no weights; run Scripts/fetch-weights.sh (make test does)"))
    func importingTheImageNetCheckpointReproducesTheShippedSupernet() throws {
        let weights = try #require(TestPaths.efficientNetLite0Checkpoint)
        try Self.withScratch { dir in
            let h5 = dir.appendingPathComponent("lite.h5").path
            try Self.succeed(["supernet", "import", weights.path, "--family", "effnet-lite0-elastic", "--float16", "-o", h5])
            let ours = try Self.succeed(["supernet", "inspect", "--json", h5]).json(Summary.self)
            let shipped = try Self.succeed(["supernet", "inspect", "--json", Self.elastic.path]).json(Summary.self)
            #expect(ours.provenance["source_sha256"] == shipped.provenance["source_sha256"])
            #expect(ours.min.parameters == shipped.min.parameters && ours.max.mflops == shipped.max.mflops)
            // Same weights: the max subnet of each, sampled, holds the same bytes apart from provenance attributes.
            let a = dir.appendingPathComponent("a.h5").path, b = dir.appendingPathComponent("b.h5").path
            let arch = ArchConfig.max(.effnetLite0Elastic()).json
            try Self.succeed(["supernet", "sample", h5, "--arch", arch, "-o", a])
            try Self.succeed(["supernet", "sample", Self.elastic.path, "--arch", arch, "-o", b])
            let pa = try Self.succeed(["predict", "--json", "--weights", a, Self.coffee]).stdout
            let pb = try Self.succeed(["predict", "--json", "--weights", b, Self.coffee]).stdout
            #expect(pa == pb)
        }
    }

    @Test(arguments: [mbv3, proxyless])
    func sampleAnArchitectureThenPredict(_ f: Fixture) throws {
        try Self.withScratch { dir in
            let h5 = try Self.importSupernet(f, into: dir)
            var arch = ArchConfig.random(f.space, seed: 11)
            arch.r = 160
            // Inline JSON.
            let inline = dir.appendingPathComponent("inline.h5").path
            let text = try Self.succeed(["supernet", "sample", h5, "--arch", arch.json, "-o", inline]).stdout
            #expect(text.hasPrefix("wrote \(inline): \(arch.json)\n"), "\(text)")
            #expect(FileManager.default.fileExists(atPath: inline))
            // The same architecture from a file, in another dialect, with --json.
            let archFile = dir.appendingPathComponent("arch.json")
            try #"{"ks": \#(arch.ks), "e": \#(arch.e), "d": \#(arch.d), "image_size": 160, "wid": null}"#.write(to: archFile, atomically: true, encoding: .utf8)
            let fromFile = dir.appendingPathComponent("from-file.h5").path
            let json = try Self.succeed(["supernet", "sample", h5, "--arch", archFile.path, "--json", "-o", fromFile]).stdout
            let result = try Self.decode(SampleResult.self, json)
            #expect(result.output == fromFile && result.arch == Architecture(arch) && result.calibrationImages == 0)
            #expect(result.parameters == f.space.subnetStructure(arch).parameterCount)
            #expect(abs(result.mflops - f.space.subnetStructure(arch).mflops(resolution: 160)) < 1e-3)
            #expect(try Data(contentsOf: URL(fileURLWithPath: inline)) == Data(contentsOf: URL(fileURLWithPath: fromFile)))
            // --resolution overrides the architecture's.
            let overridden = try Self.succeed(["supernet", "sample", h5, "--arch", arch.json, "--resolution", "128", "--json",
                                               "-o", dir.appendingPathComponent("r128.h5").path]).stdout
            #expect(try Self.decode(SampleResult.self, overridden).arch.r == [128])
            // The subnet classifies: 10 classes named "class N".
            let predicted = try Self.succeed(["predict", "--json", "--weights", inline, Self.coffee]).stdout
            let predictions = try Self.decode([Prediction].self, predicted)
            try #require(predictions.count == 1)
            #expect(predictions[0].top.count == 5)
            for entry in predictions[0].top {
                #expect((0..<10).contains(entry.index) && entry.name == "class \(entry.index)", "\(entry)")
            }
            #expect(predictions[0].top.map(\.probability) == predictions[0].top.map(\.probability).sorted(by: >))
            let plain = try Self.succeed(["predict", "--weights", inline, Self.coffee]).stdout
            #expect(plain.hasPrefix("\(Self.coffee)\n") && plain.contains("class "), "\(plain)")
        }
    }

    @Test(arguments: [mbv3, proxyless])
    func randomSamplingIsReproducibleFromItsSeed(_ f: Fixture) throws {
        try Self.withScratch { dir in
            let h5 = try Self.importSupernet(f, into: dir)
            func sample(_ seed: Int, _ name: String) throws -> (SampleResult, Data) {
                let out = dir.appendingPathComponent(name)
                let json = try Self.succeed(["supernet", "sample", h5, "--random", "--seed", "\(seed)", "--json", "-o", out.path]).stdout
                return (try Self.decode(SampleResult.self, json), try Data(contentsOf: out))
            }
            let (a, bytesA) = try sample(3, "a.h5"), (b, bytesB) = try sample(3, "b.h5"), (c, _) = try sample(4, "c.h5")
            #expect(bytesA == bytesB, "same seed, different files")
            #expect(a.arch == b.arch && a.arch == Architecture(ArchConfig.random(f.space, seed: 3)))
            #expect(c.arch != a.arch && c.arch == Architecture(ArchConfig.random(f.space, seed: 4)))
            #expect(a.parameters == f.space.subnetStructure(ArchConfig.random(f.space, seed: 3)).parameterCount)
        }
    }

    @Test func calibrationOnAFolderOfImages() throws {
        try Self.withScratch { dir in
            let h5 = try Self.importSupernet(Self.mbv3, into: dir)
            let images = dir.appendingPathComponent("calibration/nested")
            try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
            let names = ["coffee-rgb.png", "coffee-rgba16.png", "coffee-gray.png", "chelsea.jpg", "chelsea-cmyk.jpg"]
            for name in names {
                try FileManager.default.copyItem(at: TestPaths.fixture("images/\(name)"), to: images.appendingPathComponent(name))
            }
            // Neither a folder named like an image nor a non-image file is taken as a calibration image.
            try FileManager.default.createDirectory(at: images.appendingPathComponent("folder.jpg"), withIntermediateDirectories: true)
            try "not an image".write(to: images.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
            let folder = dir.appendingPathComponent("calibration").path
            func sample(_ name: String, _ extra: [String]) throws -> (SampleResult, Data) {
                let out = dir.appendingPathComponent(name)
                let json = try Self.succeed(["supernet", "sample", h5, "--random", "--seed", "3", "--resolution", "128", "--json", "-o", out.path] + extra).stdout
                return (try Self.decode(SampleResult.self, json), try Data(contentsOf: out))
            }
            let (plain, plainBytes) = try sample("plain.h5", [])
            let (a, bytesA) = try sample("a.h5", ["--calibrate", folder, "--calibration-batch", "2"])
            let (_, bytesB) = try sample("b.h5", ["--calibrate", folder, "--calibration-batch", "2"])
            let (limited, _) = try sample("c.h5", ["--calibrate", folder, "--calibration-images", "3"])
            #expect(a.calibrationImages == names.count && limited.calibrationImages == 3)
            #expect(a.arch == plain.arch && a.parameters == plain.parameters)
            #expect(bytesA == bytesB, "calibration is not deterministic")
            #expect(bytesA != plainBytes, "calibration changed nothing")
            let text = try Self.succeed(["supernet", "sample", h5, "--random", "--seed", "3", "--resolution", "128", "--calibrate", folder,
                                         "-o", dir.appendingPathComponent("d.h5").path]).stdout
            #expect(text.contains("BN re-calibrated on \(names.count) images"), "\(text)")
            try Self.succeed(["predict", "--weights", dir.appendingPathComponent("a.h5").path, Self.coffee])
        }
    }

    // MARK: - Bad input

    struct BadInput: CustomTestStringConvertible, Sendable {
        let id: String
        /// Arguments; `$TMP` stands for the test's temporary folder, which holds `trunc.h5` (the shipped
        /// supernet's first 100 KB), `text.h5` (not HDF5) and `mbv3.h5` (the imported mbv3 fixture) when asked.
        let arguments: [String]
        /// Texts the first stderr line must contain.
        let expected: [String]
        /// An argument-parser usage error: exit code 64 and the usage after the message line.
        var usage = false
        /// Make `$TMP/out.h5` a folder first, so the write fails at the rename of `.out.h5.partial`.
        var outputIsFolder = false
        var testDescription: String { id }
    }

    static let lite = SearchSpace.effnetLite0Elastic()
    static func liteArch(ks: [Int]? = nil, e: [Int]? = nil, d: [Int]? = nil, r: Int = 224) -> String {
        let max = ArchConfig.max(lite)
        return ArchConfig(ks: ks ?? max.ks, e: e ?? max.e, d: d ?? max.d, r: r).json
    }
    static func sampleLite(_ extra: [String]) -> [String] { ["supernet", "sample", elastic.path] + extra + ["-o", "$TMP/out.h5"] }

    static let badInputs: [BadInput] = [
        BadInput(id: "checkpoint of the wrong family",
                 arguments: ["supernet", "import", mbv3.checkpoint, "--family", "ofa-proxyless", "--width-mult", "0.2", "-o", "$TMP/out.h5"],
                 expected: ["ofa_mbv3_w0.2_c10.pth does not match the ofa-proxyless w0.2 supernet", "missing keys: blocks.21.",
                            "unexpected keys: blocks.5.conv.depth_conv.se.", "check --family and the width multiplier"]),
        BadInput(id: "width mismatch",
                 arguments: ["supernet", "import", mbv3.checkpoint, "--family", "ofa-mbv3", "--width-mult", "1.0", "-o", "$TMP/out.h5"],
                 expected: ["does not match the ofa-mbv3 w1.0 supernet", "first_conv.conv.weight is [8, 3, 3, 3], expected [16, 3, 3, 3]"]),
        BadInput(id: "unknown family",
                 arguments: ["supernet", "import", mbv3.checkpoint, "--family", "resnet50", "-o", "$TMP/out.h5"],
                 expected: ["unknown supernet family 'resnet50'", "known: ofa-mbv3, ofa-proxyless, effnet-lite0-elastic"]),
        BadInput(id: "missing checkpoint",
                 arguments: ["supernet", "import", "$TMP/absent.pth", "--family", "ofa-mbv3", "-o", "$TMP/out.h5"],
                 expected: ["absent.pth: no such file — check the path"]),
        BadInput(id: "output folder missing",
                 arguments: mbv3.importArguments + ["-o", "$TMP/no/such/folder/out.h5"], expected: ["no/such/folder"]),
        BadInput(id: "output is a folder", arguments: mbv3.importArguments + ["-o", "$TMP/out.h5"],
                 expected: ["out.h5: cannot rename .out.h5.partial into place: Is a directory"], outputIsFolder: true),
        BadInput(id: "truncated h5 to inspect", arguments: ["supernet", "inspect", "$TMP/trunc.h5"],
                 expected: ["HDF5 file is truncated", "trunc.h5"]),
        BadInput(id: "truncated h5 to sample", arguments: ["supernet", "sample", "$TMP/trunc.h5", "--random", "-o", "$TMP/out.h5"],
                 expected: ["HDF5 file is truncated", "trunc.h5"]),
        BadInput(id: "non-HDF5 file to inspect", arguments: ["supernet", "inspect", "$TMP/text.h5"], expected: ["not an HDF5 file", "text.h5"]),
        BadInput(id: "non-HDF5 file to sample", arguments: ["supernet", "sample", "$TMP/text.h5", "--random", "-o", "$TMP/out.h5"],
                 expected: ["not an HDF5 file", "text.h5"]),
        BadInput(id: "missing supernet", arguments: ["supernet", "inspect", "$TMP/absent.h5"], expected: ["absent.h5"]),
        BadInput(id: "h5 of another format to inspect", arguments: ["supernet", "inspect", TestPaths.fixture("hdf5/h5py_written.h5").path],
                 expected: ["h5py_written.h5 has format ofa-search/hdf5-test v1, expected ofa-search/supernet v1", "ofa-search supernet import"]),
        BadInput(id: "h5 of another format to sample",
                 arguments: ["supernet", "sample", TestPaths.fixture("hdf5/h5py_written.h5").path, "--random", "-o", "$TMP/out.h5"],
                 expected: ["expected ofa-search/supernet v1"]),
        BadInput(id: "subnet file as supernet", arguments: ["supernet", "sample", "$TMP/subnet.h5", "--random", "-o", "$TMP/out.h5"],
                 expected: ["has format ofa-search/subnet v1, expected ofa-search/supernet v1"]),
        BadInput(id: "ks 7 at a 3/5 position", arguments: sampleLite(["--arch", liteArch(ks: [3, 3, 7] + Array(repeating: 3, count: 12))]),
                 expected: ["arch entry ks[2] = 7 is outside the effnet-lite0-elastic space — allowed: 3, 5"]),
        BadInput(id: "ks 5 at a 3-only position", arguments: sampleLite(["--arch", #"{"ks": 5, "e": 6, "d": 2}"#]),
                 expected: ["arch entry ks[0] = 5 is outside the effnet-lite0-elastic space — allowed: 3"]),
        BadInput(id: "14 kernel entries", arguments: sampleLite(["--arch", liteArch(ks: Array(repeating: 3, count: 14))]),
                 expected: ["arch has 14 ks entries; effnet-lite0-elastic needs 15 (one per block position)"]),
        BadInput(id: "5 depth entries", arguments: sampleLite(["--arch", liteArch(d: [2, 2, 3, 3, 4])]),
                 expected: ["arch has 5 d entries; effnet-lite0-elastic needs 6 (one per stage)"]),
        BadInput(id: "depth not allowed", arguments: sampleLite(["--arch", liteArch(d: [2, 2, 3, 3, 1, 1])]),
                 expected: ["arch entry d[4] = 1 is outside the effnet-lite0-elastic space — allowed: 2, 3, 4"]),
        BadInput(id: "expand not allowed", arguments: sampleLite(["--arch", liteArch(e: Array(repeating: 5, count: 15))]),
                 expected: ["arch entry e[0] = 5 is outside the effnet-lite0-elastic space — allowed: 3, 4, 6"]),
        BadInput(id: "malformed JSON", arguments: sampleLite(["--arch", #"{"ks": [3, 3"#]),
                 expected: [#"invalid architecture JSON: not a JSON object: {"ks": [3, 3"#]),
        BadInput(id: "JSON without d", arguments: sampleLite(["--arch", #"{"ks": 3, "e": 3}"#]),
                 expected: [#"invalid architecture JSON: missing "d""#]),
        BadInput(id: "arch file missing", arguments: sampleLite(["--arch", "$TMP/absent.json"]),
                 expected: ["absent.json' is neither JSON nor a readable file"]),
        BadInput(id: "resolution 130", arguments: sampleLite(["--random", "--resolution", "130"]),
                 expected: ["resolution 130 is not offered by effnet-lite0-elastic — use 128…224 in steps of 4"]),
        BadInput(id: "resolution 300", arguments: sampleLite(["--random", "--resolution", "300"]),
                 expected: ["resolution 300 is not offered by effnet-lite0-elastic"]),
        BadInput(id: "resolution 300 in the arch", arguments: sampleLite(["--arch", liteArch(r: 300)]),
                 expected: ["resolution 300 is not offered by effnet-lite0-elastic"]),
        BadInput(id: "corrupt calibration image",
                 arguments: ["supernet", "sample", "$TMP/mbv3.h5", "--random", "--resolution", "128",
                             "--calibrate", TestPaths.fixture("images").path, "-o", "$TMP/out.h5"],
                 expected: ["random.jpg: not a JPEG or PNG image"]),
        BadInput(id: "calibration folder missing", arguments: sampleLite(["--random", "--calibrate", "$TMP/absent"]),
                 expected: ["--calibrate", "absent is not a folder"]),
        BadInput(id: "calibration folder without images", arguments: sampleLite(["--random", "--calibrate", "$TMP/empty"]),
                 expected: ["no JPEG or PNG images under", "empty"]),
        BadInput(id: "--arch and --random together", arguments: sampleLite(["--random", "--arch", #"{"ks": 3, "e": 3, "d": 2}"#]),
                 expected: ["give exactly one of --arch <json> and --random"], usage: true),
        BadInput(id: "neither --arch nor --random", arguments: sampleLite([]),
                 expected: ["give exactly one of --arch <json> and --random"], usage: true),
    ]

    @Test(arguments: badInputs)
    func badInputGivesOneLineAndLeavesNoFile(_ c: BadInput) throws {
        try Self.withScratch { dir in
            let fm = FileManager.default
            let needs = { (name: String) in c.arguments.contains { $0.contains("$TMP/\(name)") } }
            if needs("trunc.h5") {
                let head = try FileHandle(forReadingFrom: Self.elastic).read(upToCount: 100_000) ?? Data()
                try head.write(to: dir.appendingPathComponent("trunc.h5"))
            }
            if needs("text.h5") { try "hello, not HDF5\n".write(to: dir.appendingPathComponent("text.h5"), atomically: true, encoding: .utf8) }
            if needs("mbv3.h5") || needs("subnet.h5") {
                let h5 = try Self.importSupernet(Self.mbv3, into: dir)
                try fm.moveItem(atPath: h5, toPath: dir.appendingPathComponent("mbv3.h5").path)
                if needs("subnet.h5") {
                    try Self.succeed(["supernet", "sample", dir.appendingPathComponent("mbv3.h5").path, "--random", "-o", dir.appendingPathComponent("subnet.h5").path])
                }
            }
            if c.outputIsFolder { try fm.createDirectory(at: dir.appendingPathComponent("out.h5"), withIntermediateDirectories: true) }
            if needs("empty") { try fm.createDirectory(at: dir.appendingPathComponent("empty"), withIntermediateDirectories: true) }
            let before = try fm.contentsOfDirectory(atPath: dir.path).sorted()

            let r = try OFASearchCommand.run(c.arguments.map { $0.replacingOccurrences(of: "$TMP", with: dir.path) })
            #expect(r.status == (c.usage ? 64 : 1), "exit \(r.status); stderr: \(r.stderr)")
            #expect(r.stdout.isEmpty, "stdout: \(r.stdout)")
            let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: true)
            try #require(!lines.isEmpty)
            for text in c.expected { #expect(lines[0].contains(text), "stderr: \(r.stderr)") }
            if c.usage {
                #expect(lines[0].hasPrefix("Error: ") && lines.dropFirst().contains { $0.hasPrefix("Usage: ofa-search supernet sample") }, "\(r.stderr)")
            } else {
                #expect(lines.count == 1 && lines[0].hasPrefix("error: "), "stderr: \(r.stderr)")
            }
            // No output and no `.out.h5.partial` left behind.
            #expect(try fm.contentsOfDirectory(atPath: dir.path).sorted() == before)
            if !c.outputIsFolder { #expect(!fm.fileExists(atPath: dir.appendingPathComponent("out.h5").path)) }
        }
    }
}
