// ofa-bench: speed of the forward engine on EfficientNet-Lite0 (Benchmarks/run.sh runs it beside PyTorch).
//
//   ofa-bench [--weights <file.pth|.h5>] [--resolution 224] [--batches 1,8] [--threads 2] [--seconds 5] [--profile]
//   ofa-bench --kernels [--threads T]
//   ofa-bench --supernets
//   ofa-bench --planner [--subnets 100]
//   ofa-bench --memory-sweep [--subnets 50] [--resolutions 128,160,224] [--batches 1,8] [--steps 2]
//   ofa-bench --data <class-folder tree, e.g. ../shared/datasets/flowers5/train>
//   ofa-bench --train [--resolution 128] [--batches 8] [--steps 10] [--warmup 2] [--classes 5] [--threads 2] [--frozen-bits 8] [--norm frozen-bn|gn]
//
// Prints one JSON line per batch size. --profile adds a per-op table on stderr (median ms per node);
// --kernels times the depthwise kernel alone on Lite0's hottest shapes, then its forward and input gradient on
// the --train network's, and the k×k convs' three kernels on the --train network's stem and lite residuals
// (KernelTiming.swift); --supernets times loading and
// sampling + extracting subnets of the three supernet families; --planner times Planner.plan on random subnets of
// the shipped supernet (PlannerTiming.swift); --memory-sweep compares planned, measured and TinyTL-formula training
// memory over random subnets (MemorySweep.swift); --data times the data loader (one worker);
// --train trains TinyTL lite-residual+bias on OFA-Proxyless w1.3 ks5 e4 d3 (random weights) and reports
// images/s, the memory plan and the process's measured memory growth (TrainTiming.swift), one line per batch.
import Foundation
import Networks
import Tensors

if _isDebugAssertConfiguration() {
    FileHandle.standardError.write(Data("ofa-bench: refusing to measure a debug build; use `swift build -c release`\n".utf8))
    exit(2)
}

var options: [String: String] = ["resolution": "224", "batches": "1,8", "threads": "2", "seconds": "5"]
var profile = false, kernels = false, supernets = false, train = false, planner = false, sweep = false, dataFolder: String?
var given: Set<String> = []
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    if flag == "--profile" { profile = true; continue }
    if flag == "--kernels" { kernels = true; continue }
    if flag == "--supernets" { supernets = true; continue }
    if flag == "--train" { train = true; continue }
    if flag == "--planner" { planner = true; continue }
    if flag == "--memory-sweep" { sweep = true; continue }
    if flag == "--data", let folder = arguments.popFirst() { dataFolder = folder; continue }
    guard flag.hasPrefix("--"), let value = arguments.popFirst() else {
        FileHandle.standardError.write(Data("usage: ofa-bench [--weights F] [--resolution R] [--batches 1,8] [--threads T] [--seconds S] [--profile]\n".utf8))
        exit(2)
    }
    options[String(flag.dropFirst(2))] = value
    given.insert(String(flag.dropFirst(2)))
}
let weights = options["weights"] ?? ((ProcessInfo.processInfo.environment["OFA_WEIGHTS_DIR"]
    ?? NSHomeDirectory() + "/.cache/ofa-search/weights") + "/efficientnet-lite0-57934424.pth")
let resolution = Int(options["resolution"]!)!, threads = Int(options["threads"]!)!, seconds = Double(options["seconds"]!)!
Parallelism.setThreads(threads)
if kernels { kernelTimings(); depthwiseTrainingTimings(); convTrainingTimings(); exit(0) }
if train {
    do {
        for batch in (given.contains("batches") ? options["batches"]! : "8").split(separator: ",").map({ Int($0)! }) {
            try trainTimings(resolution: given.contains("resolution") ? resolution : 128, batch: batch,
                             steps: Int(options["steps"] ?? "10")!, warmup: Int(options["warmup"] ?? "2")!,
                             classes: Int(options["classes"] ?? "5")!, threads: threads,
                             frozenBits: Int(options["frozen-bits"] ?? "8")!, groupNorm: options["norm"] == "gn")
        }
    } catch {
        FileHandle.standardError.write(Data("ofa-bench: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}
if let dataFolder {
    do { try dataTimings(folder: dataFolder) } catch {
        FileHandle.standardError.write(Data("ofa-bench: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}
let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
if sweep {
    do {
        try memorySweep(repository: repository, subnets: Int(options["subnets"] ?? "50")!,
                        resolutions: (options["resolutions"] ?? "128,160,224").split(separator: ",").map { Int($0)! },
                        batches: (given.contains("batches") ? options["batches"]! : "1,8").split(separator: ",").map { Int($0)! },
                        steps: Int(options["steps"] ?? "2")!)
    } catch {
        FileHandle.standardError.write(Data("ofa-bench: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}
if planner {
    do { try plannerTimings(repository: repository, subnets: Int(options["subnets"] ?? "100")!) } catch {
        FileHandle.standardError.write(Data("ofa-bench: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}
if supernets {
    do {
        try supernetTimings(repository: repository)
    } catch {
        FileHandle.standardError.write(Data("ofa-bench: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}

let network: Network
do {
    network = try EfficientNetLite0.build(from: NamedTensors.load(from: URL(fileURLWithPath: weights)))
} catch {
    FileHandle.standardError.write(Data("ofa-bench: \(error)\n".utf8))
    exit(1)
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

for batch in options["batches"]!.split(separator: ",").map({ Int($0)! }) {
    let plan = network.forwardPlan(batch: batch, height: resolution, width: resolution)
    let arena = UnsafeMutablePointer<Float>.allocate(capacity: plan.arenaCount)
    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(plan.scratchCount, 1))
    defer { arena.deallocate(); scratch.deallocate() }
    let input = Tensor.random(shape: [batch, resolution, resolution, 3], seed: 0)
    var nodeTimes = [[Double]](repeating: [], count: network.nodes.count)
    for _ in 0..<3 { network.forward(input, plan: plan, arena: arena, scratch: scratch) }
    var rates: [Double] = []
    let start = now()
    while now() - start < seconds || rates.count < 5 {
        var last = now()
        let t = last
        network.forward(input, plan: plan, arena: arena, scratch: scratch, afterNode: profile ? { i in
            let n = now(); nodeTimes[i].append(n - last); last = n
        } : nil)
        rates.append(Double(batch) / (now() - t))
    }
    rates.sort()
    let median = rates[rates.count / 2]
    print(#"{"engine": "ofa-search", "threads": \#(threads), "resolution": \#(resolution), "batch": \#(batch), "images_per_second": \#((median * 100).rounded() / 100), "runs": \#(rates.count), "arena_mb": \#((Double(plan.arenaCount * 4) / 1e4).rounded() / 100)}"#)
    if profile {
        var lines: [(Double, String)] = []
        for (i, node) in network.nodes.enumerated() {
            let sorted = nodeTimes[i].sorted()
            lines.append((sorted[sorted.count / 2] * 1000, "\(node.name) \(plan.shapes[i + 1])"))
        }
        let total = lines.reduce(0) { $0 + $1.0 }
        FileHandle.standardError.write(Data("per-op median ms, batch \(batch) (sum \(String(format: "%.2f", total)) ms):\n".utf8))
        for (ms, name) in lines.sorted(by: { $0.0 > $1.0 }).prefix(25) {
            FileHandle.standardError.write(Data(String(format: "%8.3f  ", ms).appending(name + "\n").utf8))
        }
    }
}
