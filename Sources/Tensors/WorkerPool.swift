import Dispatch
import Foundation
import CBLAS
import Synchronization

/// Persistent threads that run the chunks of one `Parallelism.forEachChunk` call at a time.
///
/// A training step makes several hundred parallel calls of 10 µs to 1 ms each; `DispatchQueue.concurrentPerform`
/// wakes a worker through the kernel for each (about 15 µs per call, measured on 2 cores). Here the workers spin
/// on an atomic job word for a while after each job (``spinNanoseconds``, with the CPU's spin-wait hint so a
/// sibling hardware thread keeps its share) and only then sleep on a semaphore, so a back-to-back call costs well
/// under a microsecond.
///
/// The caller runs chunk 0 (so with two threads each runs the same half of every split, and the halves of one
/// op's output are where the next op reads them); the others are claimed with a compare-and-swap on one word
/// (generation, chunk count, next chunk), by the workers and, once done with chunk 0, the caller: if no worker is
/// awake, the caller runs every chunk itself. Which thread runs a chunk never changes its range, so results depend
/// only on the chunk count. Only one call owns the pool at a time; a concurrent or nested call (a kernel inside
/// another's chunk, tests running in parallel) runs its chunks inline on its own thread.
final class WorkerPool: @unchecked Sendable {
    /// Worker threads besides the calling one.
    let workerCount: Int
    /// How long an idle worker spins before it sleeps.
    static let spinNanoseconds: UInt64 = 200_000

    /// Generation (bits 32-63, wrapping), chunk count (16-31) and next unclaimed chunk (0-15) of the current job.
    private let job = Atomic<UInt64>(0)
    /// Chunks of the current job not yet finished.
    private let remaining = Atomic<Int>(0)
    private let owned = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    /// The current job's chunk body: written by the owner before it publishes the job, read by a worker only
    /// after it has claimed a chunk of that job (so the job cannot finish, and `body` cannot change, meanwhile).
    private var body: ((Int) -> Void)?
    private let sleepers: [Sleeper]

    private final class Sleeper: @unchecked Sendable {
        let asleep = Atomic<Bool>(false)
        let wake = DispatchSemaphore(value: 0)
    }

    init(workers: Int) {
        workerCount = workers
        sleepers = (0..<workers).map { _ in Sleeper() }
        for s in sleepers {
            let thread = Thread { [self] in work(s) }
            thread.name = "ofa-kernels"
            thread.start()
        }
    }

    /// Lets the workers exit (they hold the pool until then).
    func shutdown() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        wakeSleepers()
    }

    /// Runs `body(i)` for every i in 0..<chunks across the caller and the workers; returns when all are done.
    func run(_ chunks: Int, _ body: (Int) -> Void) {
        guard chunks > 1, chunks <= 0xFFFF, owned.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else { for i in 0..<chunks { body(i) }; return }
        defer { owned.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { body in
            self.body = body
            remaining.store(chunks, ordering: .relaxed)
            let generation = ((job.load(ordering: .relaxed) >> 32) &+ 1) & 0xFFFF_FFFF
            // Published with chunk 0 already claimed: the caller always runs it, so a split that the next call
            // repeats (the same rows of the next op) finds its data in the same core's cache.
            job.store(generation << 32 | UInt64(chunks) << 16 | 1, ordering: .sequentiallyConsistent)
            wakeSleepers()
            body(0)
            remaining.subtract(1, ordering: .releasing)
            while let i = claim(generation) {
                body(i)
                remaining.subtract(1, ordering: .releasing)
            }
            var spins = 0
            while remaining.load(ordering: .acquiring) > 0 {
                spins += 1
                ofa_spin_pause()
                if spins > 256 { sched_yield() }   // a worker is inside a long chunk, or was descheduled there
            }
            self.body = nil
        }
    }

    /// Claims the next chunk of job `generation`: nil when all are claimed or a newer job has started.
    private func claim(_ generation: UInt64) -> Int? {
        var word = job.load(ordering: .acquiring)
        while word >> 32 == generation {
            let chunks = (word >> 16) & 0xFFFF, next = word & 0xFFFF
            guard next < chunks else { return nil }
            let (exchanged, original) = job.compareExchange(expected: word, desired: word + 1, ordering: .acquiringAndReleasing)
            if exchanged { return Int(next) }
            word = original
        }
        return nil
    }

    private func wakeSleepers() {
        for s in sleepers where s.asleep.exchange(false, ordering: .sequentiallyConsistent) { s.wake.signal() }
    }

    /// A worker's loop: wait for a job newer than the last one seen, claim and run its chunks, repeat.
    private func work(_ sleeper: Sleeper) {
        var seen = job.load(ordering: .acquiring) >> 32
        while !stopping.load(ordering: .relaxed) {
            var spins = 0, spinStart = DispatchTime.now().uptimeNanoseconds
            while job.load(ordering: .acquiring) >> 32 == seen {
                spins += 1
                ofa_spin_pause()
                guard spins & 255 == 0 else { continue }
                sched_yield()   // under contention other processes run meanwhile; on an idle core it returns at once
                if stopping.load(ordering: .relaxed) { return }
                guard DispatchTime.now().uptimeNanoseconds - spinStart > Self.spinNanoseconds else { continue }
                // Sleep unless a job or a shutdown arrived meanwhile; whoever clears `asleep` signals `wake`.
                sleeper.asleep.store(true, ordering: .sequentiallyConsistent)
                if job.load(ordering: .sequentiallyConsistent) >> 32 == seen && !stopping.load(ordering: .sequentiallyConsistent) {
                    sleeper.wake.wait()
                } else if !sleeper.asleep.exchange(false, ordering: .sequentiallyConsistent) {
                    sleeper.wake.wait()   // a caller cleared it first and signals: take that signal
                }
                spinStart = DispatchTime.now().uptimeNanoseconds
            }
            seen = job.load(ordering: .acquiring) >> 32
            while let i = claim(seen) {
                body!(i)
                remaining.subtract(1, ordering: .releasing)
            }
        }
    }
}
