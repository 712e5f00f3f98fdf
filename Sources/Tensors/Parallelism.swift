import CBLAS
import Synchronization

/// The number of threads the kernels may use: split loops over `threads` workers and OpenBLAS's own pool.
public enum Parallelism {
    /// Current worker count (default 2, OpenBLAS's default on this machine kind).
    public private(set) static var threads: Int = {
        openblas_set_num_threads(1)
        return 2
    }()

    /// The fewest values a memory-bound pass (elementwise maps, copies, reductions, pooling, weight expansion) hands
    /// one thread: with less, the pass runs on the caller alone while the worker waits. (Optimisers, with more
    /// work per value, keep their own threshold.)
    public static let minimumValuesPerThread = 4096

    /// The fewest rows of `rowLength` values such a pass hands one thread (at least one).
    public static func minimumRows(ofLength rowLength: Int) -> Int {
        Swift.max(1, minimumValuesPerThread / Swift.max(rowLength, 1))
    }

    /// Sets the worker count. OpenBLAS itself stays single-threaded: `gemm` splits rows across our workers.
    public static func setThreads(_ n: Int) {
        precondition(n >= 1, "thread count must be at least 1")
        threads = n
        openblas_set_num_threads(1)
    }

    /// Runs `body` over `0..<count` split into at most `threads` contiguous chunks of at least `minChunk`
    /// items each; runs inline when one chunk suffices. The chunks run on the caller and the persistent
    /// ``WorkerPool`` threads; their ranges depend only on `count`, `minChunk` and `threads`.
    public static func forEachChunk(_ count: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = Swift.max(1, Swift.min(threads, count / Swift.max(minChunk, 1)))
        if chunks == 1 { body(0..<count); return }
        workerPool().run(chunks) { i in body((count * i / chunks)..<(count * (i + 1) / chunks)) }
    }

    private static let pool = Mutex<WorkerPool?>(nil)

    /// The pool for the current `threads` (replacing one made for another count).
    private static func workerPool() -> WorkerPool {
        let workers = threads - 1
        return pool.withLock { current in
            if let current, current.workerCount == workers { return current }
            current?.shutdown()
            let fresh = WorkerPool(workers: workers)
            current = fresh
            return fresh
        }
    }
}
