import Foundation
import Supernets
import Transfer

/// Planning time per subnet: random subnets of the shipped supernet (`Supernets/effnet-lite0-elastic.h5`), each
/// planned for training (Adam) under `bias` and `lite-residual+bias` with 8-bit frozen weights at its sampled
/// resolution, batch 8. Prints one JSON line per method: tensors per plan, median / p90 / max milliseconds of one
/// `Planner.plan` call (best of 3 per subnet, so a descheduled run does not count).
func plannerTimings(repository: URL, subnets: Int) throws {
    let supernet = try Supernet.read(from: repository.appendingPathComponent("Supernets/effnet-lite0-elastic.h5"))
    for method in [TransferMethod.bias, .liteResidualBias] {
        var times: [Double] = [], tensors: [Int] = []
        for seed in 0..<UInt64(subnets) {
            let config = ArchConfig.random(supernet.space, seed: seed)
            let graph = TrainingGraph(subnet: try supernet.subnet(config), method: method, classes: 102, seed: seed).quantizingFrozenWeights()
            var best = Double.infinity
            for _ in 0..<3 {
                let start = DispatchTime.now().uptimeNanoseconds
                let plan = try Planner.plan(graph, batch: 8, height: config.r, width: config.r, optimizerState: .floats(perValue: 2), backward: true)
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                if tensors.count == times.count { tensors.append(plan.tensors.count) }
            }
            times.append(best)
        }
        times.sort()
        func ms(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }
        print(#"{"benchmark": "planner", "supernet": "effnet-lite0-elastic", "method": "\#(method.rawValue)", "subnets": \#(subnets), "batch": 8, "tensors_median": \#(tensors.sorted()[tensors.count / 2]), "plan_ms_median": \#(ms(times[times.count / 2])), "plan_ms_p90": \#(ms(times[times.count * 9 / 10])), "plan_ms_max": \#(ms(times.last!))}"#)
    }
}
