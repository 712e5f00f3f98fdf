import Foundation
import Testing
@testable import TorchCheckpoint

/// Every good fixture loads with the exact names, order, dtypes, shapes and values torch saved.
@Suite struct CheckpointFixtureTests {
    let fixtures: CheckpointFixtures

    init() throws {
        fixtures = try CheckpointFixtures.load()
    }

    @Test func fixtureListsMatchExpectedJSON() {
        #expect(Set(CheckpointFixtures.goodNames) == Set(fixtures.good.keys))
        #expect(Set(CheckpointFixtures.badNames) == Set(fixtures.bad.keys))
    }

    @Test(arguments: CheckpointFixtures.goodNames)
    func loadsExactValues(_ name: String) throws {
        let expected = try #require(fixtures.good[name])
        let state = try TorchCheckpoint.load(from: CheckpointFixtures.url(name))
        #expect(Set(state.names) == Set(expected.tensors.keys))
        #expect(state.skippedEntries == expected.skipped)
        for (key, want) in expected.tensors {
            let tensor = try #require(state[key], "\(name): no tensor \(key)")
            #expect(tensor.dtype.rawValue == want.dtype, "\(name) \(key)")
            #expect(tensor.shape == want.shape, "\(name) \(key)")
            #expect(tensor.bytes.count == want.values.count * tensor.dtype.elementSize, "\(name) \(key)")
            if tensor.dtype.isFloatingPoint {
                #expect(tensor.floats() == want.values.map { Float($0) }, "\(name) \(key)")
            } else {
                #expect(tensor.int64s() == want.values.map { Int64($0) }, "\(name) \(key)")
            }
        }
    }

    @Test(arguments: CheckpointFixtures.goodNames)
    func keepsSavedOrder(_ name: String) throws {
        // Both formats of one state_dict list the same names in the same (saved) order.
        let twin = name.contains("_legacy")
            ? name.replacingOccurrences(of: "_legacy", with: "_zip")
            : name.replacingOccurrences(of: "_protocol4", with: "").replacingOccurrences(of: "_buffer", with: "")
                .replacingOccurrences(of: "_zip", with: "_legacy")
        let a = try TorchCheckpoint.load(from: CheckpointFixtures.url(name))
        let b = try TorchCheckpoint.load(from: CheckpointFixtures.url(twin))
        #expect(a.names == b.names)
        #expect(a.entries == b.entries)
    }

    @Test func reportsFormatAndArchiveRoot() throws {
        let zip = try TorchCheckpoint.load(from: CheckpointFixtures.url("module_zip.pth"))
        #expect(zip.format == .zip(root: "module_zip", version: 3))
        let buffer = try TorchCheckpoint.load(from: CheckpointFixtures.url("module_buffer_zip.pth"))
        #expect(buffer.format == .zip(root: "archive", version: 3))
        let legacy = try TorchCheckpoint.load(from: CheckpointFixtures.url("module_legacy.pth"))
        #expect(legacy.format == .legacy)
    }

    @Test func keepsIntegerBuffersAndParameters() throws {
        let module = try TorchCheckpoint.load(from: CheckpointFixtures.url("module_zip.pth"))
        let tracked = try module.tensor(named: "1.num_batches_tracked")
        #expect(tracked.dtype == .int64 && tracked.shape == [] && tracked.int64s() == [5])
        let tensors = try TorchCheckpoint.load(from: CheckpointFixtures.url("tensors_legacy.pth"))
        #expect(try tensors.tensor(named: "param").shape == [2, 2])
        #expect(try tensors.tensor(named: "scalar").floats() == [2.5])
        #expect(try tensors.tensor(named: "empty").shape == [0, 3])
    }

    @Test func missingTensorNamesNearestKeys() throws {
        let module = try TorchCheckpoint.load(from: CheckpointFixtures.url("module_zip.pth"))
        #expect(module["0.weights"] == nil)
        let error = #expect(throws: CheckpointError.self) { try module.tensor(named: "0.weights") }
        guard case .missingTensor(_, "0.weights", let nearest)? = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(nearest.first == "0.weight")
        #expect(error?.description.contains("did you mean 0.weight") == true)
    }
}
