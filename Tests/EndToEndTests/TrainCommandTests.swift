import Foundation
import HDF5
import OFATestSupport
import Supernets
import Testing

/// `ofa-search train` end to end: a tiny two-class folder dataset from the image fixtures, the w0.2 ProxylessNAS
/// fixture supernet, one epoch at 128 px (the space's smallest resolution).
@Suite(.serialized)
struct TrainCommandTests {
    static let images = TestPaths.fixture("images")

    /// train/ and test/ with classes chelsea and coffee, 3 images each per split.
    static func makeDataset(in dir: URL) throws -> String {
        let files: [String: [String: [String]]] = [
            "train": ["chelsea": ["chelsea.jpg", "chelsea-444.jpg", "chelsea-progressive.jpg"],
                      "coffee": ["coffee-rgb.png", "coffee-gamma1.png", "coffee-palette.png"]],
            "test": ["chelsea": ["chelsea-300x200.png", "chelsea-gray.jpg", "chelsea-cmyk.jpg"],
                     "coffee": ["coffee-gray.png", "coffee-rgba.png", "coffee-rgb16.png"]],
        ]
        let root = dir.appendingPathComponent("data")
        for (split, classes) in files {
            for (name, images) in classes {
                let folder = root.appendingPathComponent(split).appendingPathComponent(name)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for image in images {
                    try FileManager.default.copyItem(at: Self.images.appendingPathComponent(image), to: folder.appendingPathComponent(image))
                }
            }
        }
        return root.path
    }

    /// A scratch folder with the imported supernet and the dataset.
    static func withSetup<T>(_ body: (_ dir: URL, _ supernet: String, _ data: String) throws -> T) throws -> T {
        try SupernetCommandTests.withScratch { dir in
            let supernet = try SupernetCommandTests.importSupernet(SupernetCommandTests.proxyless, into: dir)
            return try body(dir, supernet, try makeDataset(in: dir))
        }
    }

    struct Result: Decodable {
        let output: String, method: String, epochs: Int, evalSplit: String, evalImages: Int
        let top1: Double, top5: Double, trainLoss: Double, trainTop1: Double, peakBytes: Int, imagesPerSecond: Double
    }

    @Test(arguments: ["last", "lite-residual+bias"])
    func trainsOneEpochAndWritesTheFile(method: String) throws {
        try Self.withSetup { dir, supernet, data in
            let out = dir.appendingPathComponent("trained.h5").path
            let r = try OFASearchCommand.run(["train", "--supernet", supernet, "--arch", "max", "--dataset", data, "--method", method,
                                              "--epochs", "1", "--batch", "3", "--resolution", "128", "--json", "-o", out])
            try #require(r.status == 0, "\(r.stderr)")
            let result = try r.json(Result.self)
            #expect(result.evalImages == 6 && result.evalSplit == "test" && result.epochs == 1)
            #expect((0...1).contains(result.top1) && result.top5 == 1 && result.trainLoss.isFinite && result.peakBytes > 0)
            #expect(r.stderr.contains("planned memory") && r.stderr.contains("epoch 1/1") && r.stderr.contains("optimizer state") && r.stderr.contains("frozen weights in 8 bits"))

            let file = try HDF5File.open(at: URL(fileURLWithPath: out))
            try file.requireFormat(HDF5FileFormat(name: "ofa-search/trained-subnet", version: 1))
            #expect(try file.stringAttribute("norm_mode") == "frozen-bn")
            #expect(try file.int64Attribute("classes") == 2 && file.int64Attribute("resolution") == 128)
            #expect(try file.stringAttribute("class_names") == #"["chelsea","coffee"]"#)
            #expect(try file.int64Attribute("peak_bytes") == Int64(result.peakBytes))
            #expect(try file.stringAttribute("metrics").contains("\"eval_top1\""))
            let names = Set(try file.datasetPaths().map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 })
            #expect(try file.openDataset("classifier.linear.weight").shape == [2, 256])
            #expect(names.contains("first_conv.conv.weight") && names.contains("first_conv.bn.running_var"))
            #expect(try file.openDataset("first_conv.conv.weight").shape == [8, 3, 3, 3])   // PyTorch layout (O, I, kh, kw)
            if method == "last" {
                #expect(try file.stringAttribute("lite_residual") == "{}")
                #expect(names.contains("blocks.1.conv.depth_conv.conv.weight"))
                #expect(try file.openDataset("blocks.1.conv.depth_conv.conv.weight").shape == [48, 1, 7, 7])
                // Frozen weights and β come back unfolded: equal to the sampled subnet's (statistics re-calibrated).
                let sampled = dir.appendingPathComponent("max.h5").path
                try SupernetCommandTests.succeed(["supernet", "sample", supernet, "--arch", ArchConfig.max(SupernetCommandTests.proxyless.space).json,
                                                  "-o", sampled])
                let subnet = try Subnet.read(from: URL(fileURLWithPath: sampled))
                for name in ["blocks.3.conv.point_linear.conv.weight", "blocks.1.conv.depth_conv.conv.weight", "blocks.2.conv.depth_conv.bn.weight"] {
                    #expect(try file.openDataset(name).read(Float.self) == subnet.weights[name]!.values, "\(name)")
                }
                let beta = try file.openDataset("blocks.2.conv.depth_conv.bn.bias").read(Float.self)
                let reference = subnet.weights["blocks.2.conv.depth_conv.bn.bias"]!.values
                #expect(zip(beta, reference).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) })
            } else {
                #expect(try file.stringAttribute("lite_residual").contains("\"branches\""))
                #expect(names.contains("blocks.1.conv.main_branch.depth_conv.conv.weight"))
                #expect(names.contains("blocks.1.conv.lite_residual.conv1.weight") && names.contains("blocks.1.conv.lite_residual.final_bn.bias"))
            }
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".partial") }
            #expect(leftovers.isEmpty)
        }
    }

    /// An architecture JSON carries the adaptation: its method (no --method needed) and lite residuals in the blocks
    /// its `lr` names only; the file records both, and `eval` rebuilds the same network from it.
    @Test func archCarriesMethodAndPlacement() throws {
        try Self.withSetup { dir, supernet, data in
            let space = SupernetCommandTests.proxyless.space
            var config = ArchConfig.max(space, resolution: 128)
            config.method = .liteResidual
            config.liteResidual = space.slots.indices.map { $0 == 1 }
            let out = dir.appendingPathComponent("placed.h5").path
            let r = try OFASearchCommand.run(["train", "--supernet", supernet, "--arch", config.json, "--dataset", data,
                                              "--epochs", "1", "--batch", "3", "--json", "-o", out])
            try #require(r.status == 0, "\(r.stderr)")
            #expect(try r.json(Result.self).method == "lite-residual")
            let file = try HDF5File.open(at: URL(fileURLWithPath: out))
            #expect(try file.stringAttribute("arch") == config.json)
            let lite = try #require(try JSONSerialization.jsonObject(with: Data(try file.stringAttribute("lite_residual").utf8)) as? [String: Any])
            let blocks = (lite["branches"] as? [[String: Any]])?.compactMap { $0["block"] as? Int }
            #expect(blocks == [2], "slot 1 is the subnet's block 2: \(String(describing: blocks))")
            let names = Set(try file.datasetPaths().map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 })
            #expect(names.contains("blocks.2.conv.lite_residual.conv1.weight") && !names.contains("blocks.1.conv.lite_residual.conv1.weight"))
            let e = try OFASearchCommand.run(["eval", out, "--dataset", data, "--json"])
            #expect(e.status == 0, "\(e.stderr)")
        }
    }

    /// `--holdout`: trains on the rest of the training split and reports top-1 on the held-out images beside test;
    /// the file records how many images it trained on.
    @Test func holdoutTrainsOnTheRestAndReportsValidation() throws {
        try Self.withSetup { dir, supernet, data in
            let out = dir.appendingPathComponent("held.h5").path
            let r = try OFASearchCommand.run(["train", "--supernet", supernet, "--arch", "max", "--dataset", data, "--method", "bias",
                                              "--epochs", "1", "--batch", "2", "--resolution", "128", "--holdout", "0.3",
                                              "--json", "-o", out])
            try #require(r.status == 0, "\(r.stderr)")
            let result = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            #expect(result["validation_images"] as? Int == 2 && result["eval_images"] as? Int == 6, "\(r.stdout)")
            #expect((result["validation_top1"] as? Double).map { (0...1).contains($0) } == true)
            #expect(r.stderr.contains("held-out validation top-1"), "\(r.stderr)")
            let training = try HDF5File.open(at: URL(fileURLWithPath: out)).stringAttribute("training")
            #expect(training.contains("\"train_images\":4,") && training.contains("\"holdout\":0.3,"), "\(training)")
        }
    }

    /// `--norm gn`: TinyTL's GroupNorm + weight standardisation, no re-calibration; the file records it, holds
    /// GroupNorm γ/β without running statistics, and rebuilds to a network `eval` can run (float32 frozen weights
    /// against the 8-bit ones trained with: the loss may differ slightly, the image count not).
    @Test func groupNormTrainsAndRebuilds() throws {
        try Self.withSetup { dir, supernet, data in
            let out = dir.appendingPathComponent("gn.h5").path
            let r = try OFASearchCommand.run(["train", "--supernet", supernet, "--arch", "min", "--dataset", data, "--method", "lite-residual+bias",
                                              "--norm", "gn", "--epochs", "1", "--batch", "3", "--resolution", "128", "--json", "-o", out])
            try #require(r.status == 0, "\(r.stderr)")
            #expect(!r.stderr.contains("re-calibrated") && r.stderr.contains("gn"))
            let file = try HDF5File.open(at: URL(fileURLWithPath: out))
            #expect(try file.stringAttribute("norm_mode") == "gn")
            let names = Set(try file.datasetPaths().map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 })
            #expect(names.contains("first_conv.bn.weight") && names.contains("first_conv.bn.bias") && !names.contains("first_conv.bn.running_var"))
            let e = try SupernetCommandTests.succeed(["eval", out, "--dataset", data, "--batch", "3", "--json"])
            let evaluation = try #require(try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as? [String: Any])
            #expect(evaluation["images"] as? Int == 6, "\(e.stdout)")
        }
    }

    struct BadFlags: CustomTestStringConvertible, Sendable {
        let id: String, arguments: [String], message: String
        var testDescription: String { id }
    }

    static let badFlags: [BadFlags] = [
        BadFlags(id: "batch 0", arguments: ["--batch", "0"], message: "--batch must be at least 1"),
        BadFlags(id: "epochs 0", arguments: ["--epochs", "0"], message: "--epochs must be at least 1"),
        BadFlags(id: "method", arguments: ["--method", "lora"], message: "unknown --method 'lora'"),
        BadFlags(id: "norm", arguments: ["--norm", "ln"], message: "--norm"),
        BadFlags(id: "optimizer", arguments: ["--optimizer", "nadam"],
                 message: "The value 'nadam' is invalid for '--optimizer <optimizer>'. Please provide one of 'adam', 'adam8' or 'sgd'."),
        BadFlags(id: "budget", arguments: ["--budget", "lots"], message: "--budget"),
        BadFlags(id: "holdout", arguments: ["--holdout", "1"], message: "--holdout must be in (0, 1), got 1.0"),
        BadFlags(id: "resolution", arguments: ["--resolution", "64"], message: "--resolution 64 is outside the supernet's range 128...224"),
        BadFlags(id: "batch > images", arguments: ["--batch", "7"], message: "fewer than --batch 7"),
        BadFlags(id: "missing data", arguments: ["--dataset", "/nonexistent/flowers"], message: "/nonexistent/flowers"),
    ]

    @Test(arguments: badFlags)
    func badFlagsGiveOneLine(_ c: BadFlags) throws {
        try Self.withSetup { dir, supernet, data in
            let out = dir.appendingPathComponent("never.h5").path
            var arguments = ["train", "--supernet", supernet, "--arch", "max", "--dataset", data, "--epochs", "1", "--batch", "3",
                             "--resolution", "128", "-o", out]
            // Later occurrences of an option win in ArgumentParser, so appended flags override the defaults above.
            arguments += c.arguments
            let r = try OFASearchCommand.run(arguments)
            #expect(r.status != 0)
            #expect(r.stderr.contains(c.message), "\(r.stderr)")
            let errorLines = r.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") || $0.hasPrefix("Error:") }
            #expect(errorLines.count == 1, "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }
}

/// Ctrl-C, checkpoints and `--resume`: an interrupted and resumed run writes exactly what an uninterrupted one does.
@Suite(.serialized)
struct TrainResumeCommandTests {
    static func trainArguments(_ supernet: String, _ data: String, _ out: String) -> [String] {
        ["train", "--supernet", supernet, "--arch", "min", "--dataset", data, "--method", "lite-residual+bias", "--epochs", "2",
         "--batch", "3", "--resolution", "128", "--cache-mb", "0", "--json", "-o", out]
    }

    static func tensors(_ path: String) throws -> [String: [Float]] {
        let file = try HDF5File.open(at: URL(fileURLWithPath: path))
        var out: [String: [Float]] = [:]
        for name in try file.datasetPaths() { out[name] = try file.openDataset(name).read(Float.self) }
        return out
    }

    @Test(arguments: [1, 2, 3])
    func resumeEqualsAnUninterruptedRun(interruptAfter steps: Int) throws {
        try TrainCommandTests.withSetup { dir, supernet, data in
            let whole = dir.appendingPathComponent("whole.h5").path, split = dir.appendingPathComponent("split.h5").path
            let a = try OFASearchCommand.run(Self.trainArguments(supernet, data, whole))
            try #require(a.status == 0, "\(a.stderr)")
            let b = try OFASearchCommand.run(Self.trainArguments(supernet, data, split), environment: ["OFA_INTERRUPT_AFTER_STEPS": "\(steps)"])
            #expect(b.status == 130, "\(b.stderr)")
            let checkpoint = dir.appendingPathComponent("split.checkpoint.h5").path
            #expect(b.stderr.contains("--resume \(checkpoint)") && !FileManager.default.fileExists(atPath: split))
            let c = try OFASearchCommand.run(Self.trainArguments(supernet, data, split) + ["--resume", checkpoint])
            try #require(c.status == 0, "\(c.stderr)")
            #expect(!FileManager.default.fileExists(atPath: checkpoint), "the checkpoint is removed once the trained file exists")
            let ra = try a.json(TrainCommandTests.Result.self)
            let rc = try c.json(TrainCommandTests.Result.self)
            #expect(ra.trainLoss.bitPattern == rc.trainLoss.bitPattern && ra.top1 == rc.top1 && ra.trainTop1 == rc.trainTop1)
            let ta = try Self.tensors(whole), tc = try Self.tensors(split)
            #expect(ta.keys.sorted() == tc.keys.sorted())
            for (name, values) in ta { #expect(values.map(\.bitPattern) == tc[name]?.map(\.bitPattern), "\(name)") }
        }
    }

    @Test func resumeWithOtherFlagsIsRefused() throws {
        try TrainCommandTests.withSetup { dir, supernet, data in
            let out = dir.appendingPathComponent("t.h5").path
            let b = try OFASearchCommand.run(Self.trainArguments(supernet, data, out), environment: ["OFA_INTERRUPT_AFTER_STEPS": "1"])
            #expect(b.status == 130)
            let c = try OFASearchCommand.run(Self.trainArguments(supernet, data, out) + ["--lr", "0.01", "--resume", dir.appendingPathComponent("t.checkpoint.h5").path])
            #expect(c.status == 1 && c.stderr.contains("--lr 0.0003 there, 0.01 here"), "\(c.stderr)")
        }
    }

    @Test func aDivergingLossStopsWithOneLine() throws {
        try TrainCommandTests.withSetup { dir, supernet, data in
            let out = dir.appendingPathComponent("t.h5").path
            let r = try OFASearchCommand.run(Self.trainArguments(supernet, data, out) + ["--lr", "1e30", "--optimizer", "sgd"])
            #expect(r.status == 1)
            #expect(r.stderr.contains("the loss became") && r.stderr.contains("lower --lr"), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }
}
