import Foundation
import HDF5
import OFATestSupport
import Testing

@Suite("Concurrency")
struct ConcurrencyTests {
    @Test("many threads writing and reading their own files and one shared file")
    func manyThreads() throws {
        let directory = try TemporaryDirectory()
        let shared = try HDF5File.open(at: TestPaths.fixture("hdf5/h5py_written.h5"))
        let weight = try shared.openDataset("model/features/0/weight")
        let expected = (0..<24).map { Float($0) * 0.25 - 3 }
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 16) { index in
            do {
                let path = directory.path("t\(index).h5")
                let values = (0..<500).map { Float($0 + index) }
                let file = try HDF5File.create(path)
                try file.createDataset("g\(index)/w", values: values, shape: [20, 25], compression: .gzip())
                try file.setAttribute("index", .int64(Int64(index)))
                try file.close()
                let reopened = try HDF5File.open(path)
                if try reopened.openDataset("g\(index)/w").read(Float.self) != values { failures.add("values \(index)") }
                if try reopened.int64Attribute("index") != Int64(index) { failures.add("attribute \(index)") }
                if try weight.read(Float.self) != expected { failures.add("shared \(index)") }
            } catch {
                failures.add("\(index): \(error)")
            }
        }
        #expect(failures.all == [])
    }
}

/// Failure messages collected from several threads.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []

    func add(_ message: String) { lock.withLock { messages.append(message) } }
    var all: [String] { lock.withLock { messages } }
}
