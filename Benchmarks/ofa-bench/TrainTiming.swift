import Foundation
import Memory
import Networks
import Supernets
import Tensors
import Transfer

/// Training speed and memory of TinyTL on OFA-ProxylessNAS w1.3 (random weights): one case (resolution, batch)
/// per call, one JSON line. Benchmarks/train_memory.sh runs each case in its own process beside PyTorch's.
///
/// What is measured (Linux /proc/self/status; "5" written to /proc/self/clear_refs resets VmHWM to VmRSS):
/// - `growth_from_before_trainer_mb`: VmHWM − VmRSS, reset just before the optimiser and `Trainer` are created,
///   up to the end of the timed steps: the arena pages actually touched (parameters, frozen weights at
///   `frozenBits`, gradients, optimiser state, activations, scratch), warm-up and timed steps with everything
///   outside the arena (kernel temporaries, OpenBLAS buffers, thread stacks). The graph's own parameter arrays are
///   resident before (reported apart).
///   This is the figure comparable to PyTorch's `train_peak_extra_MB` (growth from after model + inputs exist).
/// - `growth_during_steps_mb`: the same, reset after warm-up: what the steady state adds beyond a warmed trainer.
/// - `planned_arena_mb`: `MemoryPlan.arenaBytes`; `trainer_high_water_mb`: `Trainer.measuredHighWaterBytes`;
///   `planned_mb`: the arena plus `ProcessMemory.runtimeOverheadBytes` (OpenBLAS buffers, code pages, stacks,
///   the trainer's bookkeeping), as the search budgets a candidate; `measured_over_plan` divides by it.
/// - `parameters_in_arena_mb`: frozen (stored width) and trainable weights; `growth_without_parameters_mb`
///   subtracts them from `growth_from_before_trainer_mb` — PyTorch's accounting, whose window starts with the
///   model's weights already resident.
func trainTimings(resolution: Int, batch: Int, steps: Int, warmup: Int, classes: Int, threads: Int, frozenBits: Int = 8,
                  groupNorm: Bool = false) throws {
    ProcessMemory.releaseFreedMemory()   // fixed mmap threshold, no heap padding: freed buffers go back
    let space = SearchSpace.ofaProxylessNAS(widthMult: 1.3)
    let config = try ArchConfig.parse(json: #"{"ks": 5, "e": 4, "d": 3, "r": \#(resolution)}"#, space: space)
    var graph: TrainingGraph
    do {
        var weights = NamedTensors(source: "random \(space.name)")
        for (i, key) in space.supernetKeys().enumerated() {
            let range: ClosedRange<Float> = key.name.hasSuffix("running_var") ? 0.5...1.5 : -0.1...0.1
            weights.set(key.name, Tensor.random(shape: key.shape, in: range, seed: UInt64(i)))
        }
        let supernet = try Supernet(space: space, weights: weights, mean: Supernet.imageNetMean, std: Supernet.imageNetStd)
        graph = TrainingGraph(subnet: try supernet.subnet(config), method: .liteResidualBias, classes: classes, seed: 0,
                              norm: groupNorm ? .tinyTL : .frozenBatchNorm)
            .quantizingFrozenWeights(bits: frozenBits)
    }   // supernet and subnet weights are released here; only the graph's (folded) parameters stay
    ProcessMemory.releaseFreedMemory()
    let images = Tensor.random(shape: [batch, resolution, resolution, 3], seed: 1)
    let labels = (0..<batch).map { $0 % classes }
    let graphParameterBytes = graph.parameters.reduce(0) { $0 + $1.storedBytes }

    ProcessMemory.resetPeak()
    let rssBeforeTrainer = ProcessMemory.residentBytes / 1024
    // The optimiser is built inline: a copy kept here would share its state buffers with the trainer's, and the
    // first step would then copy them (copy-on-write), doubling the optimiser state.
    let trainer = try Trainer(graph: graph, batch: batch, height: resolution, width: resolution,
                              optimizer: Adam(parameterCounts: graph.trainableParameterCounts))
    let rssAfterInit = ProcessMemory.residentBytes / 1024
    for _ in 0..<warmup { trainer.trainStep([(images, labels)], learningRate: 1e-4) }
    let rssAfterWarmup = ProcessMemory.residentBytes / 1024, hwmWarmup = ProcessMemory.peakBytes / 1024
    ProcessMemory.resetPeak()
    let rssBeforeSteps = ProcessMemory.residentBytes / 1024
    let start = DispatchTime.now().uptimeNanoseconds
    var loss: Float = 0
    for _ in 0..<steps { loss = trainer.trainStep([(images, labels)], learningRate: 1e-4) }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let hwm = ProcessMemory.peakBytes / 1024
    // Growth (a) spans both windows (init + warm-up, then the timed steps): the larger of their peaks.
    let peakA = max(hwm, hwmWarmup)
    withExtendedLifetime(graph) {}

    let plan = trainer.plan
    func mb(_ bytes: Int) -> Double { (Double(bytes) / 1e4).rounded() / 100 }
    // /proc reports kB of 1024 bytes; MB here is 10^6 bytes, as for the plan.
    func mbKB(_ kb: Int) -> Double { (Double(kb) * 1024 / 1e4).rounded() / 100 }
    let growthA = mbKB(peakA - rssBeforeTrainer)
    let planned = mb(plan.arenaBytes + ProcessMemory.runtimeOverheadBytes)
    let parameterBytes = plan.allocated[.frozenWeights] + plan.allocated[.trainableWeights]
    var ledger: [String: Double] = [:]
    for c in MemoryCategory.allCases where plan.allocated[c] > 0 { ledger[c.rawValue] = mb(plan.allocated[c]) }
    var peakLedger: [String: Double] = [:]
    for c in MemoryCategory.allCases where plan.ledgerAtPeak[c] > 0 { peakLedger[c.rawValue] = mb(plan.ledgerAtPeak[c]) }
    let row: [String: Any] = [
        "engine": "ofa-search", "method": "lb", "arch": "ks5 e4 d3 (OFA-Proxyless w1.3, random)", "classes": classes,
        "norm": groupNorm ? "gn" : "frozen-bn", "plan_step_at_peak": plan.stepDescription(plan.peakStep, graph: graph),
        "res": resolution, "batch": batch, "frozen_bits": frozenBits, "threads": threads, "steps": steps, "warmup": warmup,
        "img_per_s": (Double(steps * batch) / seconds * 100).rounded() / 100, "last_loss": Double(loss),
        "trainable": graph.trainableCount,
        "planned_arena_mb": mb(plan.arenaBytes), "plan_peak_mb": mb(plan.peakBytes),
        "plan_ledger_at_peak_mb": peakLedger, "plan_allocated_by_category_mb": ledger,
        "trainer_high_water_mb": mb(trainer.measuredHighWaterBytes),
        "graph_parameters_outside_arena_mb": mb(graphParameterBytes),
        "rss_before_trainer_mb": mbKB(rssBeforeTrainer), "rss_after_trainer_init_mb": mbKB(rssAfterInit),
        "rss_after_warmup_mb": mbKB(rssAfterWarmup),
        "growth_from_before_trainer_mb": growthA,
        "growth_during_steps_mb": mbKB(hwm - rssBeforeSteps),
        "planned_mb": planned, "measured_over_plan": (growthA / planned * 1000).rounded() / 1000,
        "parameters_in_arena_mb": mb(parameterBytes), "growth_without_parameters_mb": ((growthA - mb(parameterBytes)) * 100).rounded() / 100,
        "chunked_prefix": plan.chunkedPrefix.map { "\($0)" } ?? "none",
    ]
    let data = try JSONSerialization.data(withJSONObject: row, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

