import Foundation
import Memory
import Supernets
import Tensors
import Transfer

/// Planned versus measured training memory over random subnets of the shipped supernet: for each subnet, method
/// (bias, lite-residual+bias), resolution and batch, one `Trainer` (Adam, 8-bit frozen weights) runs `steps`
/// real training steps on random images; the process's peak resident memory above its size just before the
/// trainer is created (VmHWM after "5" > /proc/self/clear_refs, minus VmRSS) is compared with the planner's arena
/// (what the trainer allocates; `plan_peak_bytes`, the live-tensor peak, is its lower bound) and with TinyTL's formula (frozen-BN network, 8-bit frozen weights, 102 classes). One JSON line per run.
///
/// One untimed run comes first (the max subnet, lite-residual+bias, 224 px, batch 8): it pages in the engine's
/// code and OpenBLAS's buffers, one-time process costs that are not training memory; its own growth above its
/// plan is printed as `first_run_overhead_mb`.
func memorySweep(repository: URL, subnets: Int, resolutions: [Int], batches: [Int], steps: Int, classes: Int = 102) throws {
    ProcessMemory.releaseFreedMemory()   // fixed mmap threshold, no heap padding: freed buffers go back
    let supernet = try Supernet.read(from: repository.appendingPathComponent("Supernets/effnet-lite0-elastic.h5"))
    func run(_ graph: TrainingGraph, _ r: Int, _ batch: Int) throws -> (measured: Int, plan: MemoryPlan, seconds: Double) {
        let images = Tensor.random(shape: [batch, r, r, 3], seed: 1)
        let labels = (0..<batch).map { $0 % classes }
        ProcessMemory.releaseFreedMemory()
        ProcessMemory.resetPeak()
        let before = ProcessMemory.residentBytes / 1024
        let start = DispatchTime.now().uptimeNanoseconds
        let trainer = try Trainer(graph: graph, batch: batch, height: r, width: r, optimizer: Adam(parameterCounts: graph.trainableParameterCounts))
        for _ in 0..<steps { trainer.trainStep([(images, labels)], learningRate: 1e-4) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let measured = (ProcessMemory.peakBytes / 1024 - before) * 1024
        precondition(trainer.measuredHighWaterBytes == trainer.plan.arenaBytes, "the trainer wrote outside its plan")
        return (measured, trainer.plan, seconds)
    }
    do {
        let maxConfig = ArchConfig.max(supernet.space)
        let graph = TrainingGraph(subnet: try supernet.subnet(maxConfig), method: .liteResidualBias, classes: classes).quantizingFrozenWeights()
        let first = try run(graph, 224, 8)
        print(#"{"first_run_overhead_mb": \#(Double(first.measured - first.plan.peakBytes) / 1e6), "first_run_measured_mb": \#(Double(first.measured) / 1e6), "first_run_plan_mb": \#(Double(first.plan.peakBytes) / 1e6)}"#)
    }
    for seed in 0..<UInt64(subnets) {
        let config = ArchConfig.random(supernet.space, seed: seed)
        let subnet = try supernet.subnet(config)
        for method in [TransferMethod.bias, .liteResidualBias] {
            let graph = TrainingGraph(subnet: subnet, method: method, classes: classes, seed: seed).quantizingFrozenWeights(seed: seed)
            for r in resolutions {
                let setup = TinyTLSetup(method: method, normalization: .batchNorm, classes: classes)
                let formula = TinyTLMemoryProfiler.profile(ProfiledNetwork(TinyTLBackbone(subnet.structure), setup: setup, resolution: r),
                                                           requireBackward: true)
                for batch in batches {
                    let (measured, plan, seconds) = try run(graph, r, batch)
                    let row: [String: Any] = [
                        "seed": seed, "arch": config.json, "method": method.rawValue, "res": r, "batch": batch, "steps": steps,
                        "measured_bytes": measured, "plan_peak_bytes": plan.peakBytes, "plan_arena_bytes": plan.arenaBytes,
                        "formula_bytes": formula.memoryBytes(batchSize: batch), "seconds": (seconds * 1000).rounded() / 1000,
                    ]
                    print(String(decoding: try JSONSerialization.data(withJSONObject: row, options: [.sortedKeys]), as: UTF8.self))
                }
            }
        }
    }
}
