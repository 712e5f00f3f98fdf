import Dispatch
import Synchronization
import Testing
@testable import Tensors

/// `Parallelism.forEachChunk` and its `WorkerPool`: every chunk runs exactly once, back to back, nested and
/// from concurrent callers.
struct ParallelismTests {
    /// Runs `jobs` jobs of `chunks` chunks on `pool` and returns how often each (job, chunk) ran.
    static func runCounts(_ pool: WorkerPool, jobs: Int, chunks: Int) -> [Int] {
        let counts = Mutex([Int](repeating: 0, count: jobs * chunks))
        for j in 0..<jobs {
            pool.run(chunks) { i in counts.withLock { $0[j * chunks + i] += 1 } }
        }
        return counts.withLock { $0 }
    }

    @Test(arguments: [1, 3])
    func everyChunkRunsOnceBackToBack(workers: Int) {
        let pool = WorkerPool(workers: workers)
        defer { pool.shutdown() }
        #expect(Self.runCounts(pool, jobs: 5_000, chunks: 7).allSatisfy { $0 == 1 })
    }

    /// Between jobs longer than the spin time the workers sleep; the next job wakes them (or runs inline).
    @Test func jobsAfterWorkersSleep() async throws {
        let pool = WorkerPool(workers: 2)
        defer { pool.shutdown() }
        for _ in 0..<3 {
            #expect(Self.runCounts(pool, jobs: 10, chunks: 3).allSatisfy { $0 == 1 })
            try await Task.sleep(nanoseconds: 3 * WorkerPool.spinNanoseconds)
        }
    }

    @Test func nestedAndConcurrentCallsRunInline() {
        let pool = WorkerPool(workers: 1)
        defer { pool.shutdown() }
        let counts = Mutex([Int](repeating: 0, count: 4 * 100 * 2 * 5))
        DispatchQueue.concurrentPerform(iterations: 4) { caller in
            for j in 0..<100 {
                pool.run(2) { outer in
                    pool.run(5) { inner in counts.withLock { $0[((caller * 100 + j) * 2 + outer) * 5 + inner] += 1 } }
                }
            }
        }
        #expect(counts.withLock { $0 }.allSatisfy { $0 == 1 })
    }

    /// The chunks are contiguous, cover 0..<count once, and number min(threads, count / minChunk) (at least 1).
    @Test(arguments: [(10, 1), (10, 4), (3, 1), (100_000, 16_384), (5, 10)])
    func chunksCoverTheRange(_ shape: (count: Int, minChunk: Int)) {
        let ranges = Mutex<[Range<Int>]>([])
        Parallelism.forEachChunk(shape.count, minChunk: shape.minChunk) { r in ranges.withLock { $0.append(r) } }
        let sorted = ranges.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
        #expect(sorted.count == max(1, min(Parallelism.threads, shape.count / shape.minChunk)))
        #expect(sorted.first?.lowerBound == 0 && sorted.last?.upperBound == shape.count)
        #expect(zip(sorted, sorted.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound && !$0.isEmpty })
    }
}
