import ArgumentParser
import Foundation
import Memory
import Supernets
import Transfer

/// `ofa-search memory`: the training memory of one subnet, method, resolution and batch, from the planner (exact
/// for this engine) beside TinyTL's published formula.
struct MemoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory",
        abstract: "Predict the training memory of a subnet: the engine's exact plan beside TinyTL's formula.",
        discussion: """
            The planner's figure is the one arena `ofa-search train` allocates (every byte of training lives there), \
            with the peak of live tensors (its lower bound), a ledger by category at that step, the op where it \
            occurs and the tensors alive there. TinyTL's formula (memory_cost_profiler.py: \
            peak activation × batch + parameters, frozen weights at 8 bits) is printed beside it for comparison with \
            the paper; it leaves out optimizer state, gradients, activation gradients and kernel scratch. Sizes in MB \
            (10^6 bytes), as TinyTL reports them; --json gives bytes.
            """)

    @Option(help: "Supernet (.h5).", completion: .file(extensions: ["h5"]))
    var supernet: String

    @Option(help: "Subnet architecture JSON (OFA dict form), a file holding it, or max / min.")
    var arch: String

    @Option(help: "full, bn+last, last, bias, lite-residual or lite-residual+bias.")
    var method: String = "lite-residual+bias"

    @Option(help: "Input resolution (default: the architecture's).")
    var resolution: Int?

    @Option(help: "Images per training step.")
    var batch: Int = 8

    @Option(help: "Classes of the new classifier.")
    var classes: Int = 102

    @Option(help: "adam or sgd (momentum 0.9): optimizer state is 8 or 4 bytes per trainable value.")
    var optimizer: Train.OptimizerName = .adam

    @Option(name: .customLong("frozen-bits"), help: ArgumentHelp("Storage of frozen conv/linear weights.", valueName: "8|32"))
    var frozenBits: Int = 8

    @Option(help: "Normalisation: frozen-bn (re-calibrated BN, folded) or gn (TinyTL's GroupNorm(8) + weight standardisation).")
    var norm: NormMode = .frozenBN

    @Option(help: "A memory budget (32MB = 32·10^6 bytes, 32MiB, 500KB): says whether the plan fits.",
            transform: { try ByteCount(parsing: $0) })
    var budget: ByteCount?

    @Option(name: .customLong("top"), help: "Tensors alive at the peak to list.")
    var top: Int = 8

    @Flag(help: "Print JSON (bytes) on stdout.")
    var json = false

    enum NormMode: String, ExpressibleByArgument, CaseIterable {
        case frozenBN = "frozen-bn", gn
    }

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1, got \(batch)") }
        guard classes >= 1 else { throw ValidationError("--classes must be at least 1, got \(classes)") }
        guard Train.method(named: method) != nil else {
            throw ValidationError("unknown --method '\(method)' — choose one of \(Train.methodNames.map(\.name).joined(separator: ", "))")
        }
        guard frozenBits == 8 || frozenBits == 32 else { throw ValidationError("--frozen-bits must be 8 or 32, got \(frozenBits)") }
        guard top >= 0 else { throw ValidationError("--top must be 0 or more") }
    }

    func run() throws {
        try reportingErrors {
            let method = Train.method(named: method)!
            let net = try Supernet.read(from: URL(fileURLWithPath: supernet))
            var config = arch == "max" ? ArchConfig.max(net.space) : arch == "min" ? ArchConfig.min(net.space)
                : try ArchConfig.parse(json: try Train.archText(arch), space: net.space)
            let r = resolution ?? config.r
            let range = net.space.resolutionRange
            guard range.contains(r) else {
                throw TrainError("--resolution \(r) is outside the supernet's range \(range.lowerBound)...\(range.upperBound) — pick one in it")
            }
            config.r = r
            try config.validate(in: net.space)
            let subnet = try net.subnet(config)

            let graph = TrainingGraph(subnet: subnet, method: method, classes: classes, norm: norm == .gn ? .tinyTL : .frozenBatchNorm)
                .frozenStorageForPlanning(bits: frozenBits)
            let plan: MemoryPlan
            do {
                plan = try Planner.plan(graph, batch: batch, height: r, width: r,
                                        optimizerStateFloatsPerValue: optimizer == .adam ? 2 : 1, backward: true)
            } catch let error as PlanError {
                throw TrainError(error.localizedDescription)
            }
            let setup = TinyTLSetup(method: TransferMethod(rawValue: method.rawValue)!,
                                    normalization: norm == .gn ? .groupNorm(channelsPerGroup: 8) : .batchNorm, classes: classes)
            let network = ProfiledNetwork(TinyTLBackbone(subnet.structure), setup: setup, resolution: r)
            let formula = TinyTLMemoryProfiler.profile(network, requireBackward: setup.method.requiresBackward,
                                                       frozenParameterBits: frozenBits)
            let report = Report(plan: plan, graph: graph, formula: formula, method: method, resolution: r, batch: batch,
                                optimizer: optimizer.rawValue, frozenBits: frozenBits, norm: norm.rawValue, top: top,
                                budget: budget?.bytes, arch: config.json)
            if json { try FileHandleOutput.json(report); return }
            print(report.text(plan: plan, graph: graph))
        }
    }

    /// What `memory` prints (--json: this, in bytes).
    struct Report: Encodable {
        struct Tensor: Encodable { let name: String, category: String, bytes: Int }
        struct Planner: Encodable {
            let peakBytes: Int, arenaBytes: Int, peakStep: Int, peakOp: String
            /// The front run a few images at a time (`ChunkedPrefix`), e.g. "first 87 ops in chunks of 1 image"; nil: none.
            let chunkedPrefix: String?
            let ledgerAtPeak: [String: Int]
            let tensorsAtPeak: [Tensor]
            let tensorsAtPeakCount: Int
        }
        struct Formula: Encodable {
            let memoryBytes: Double, peakActivationBytesPerSample: Double, savedActivationBytesPerSample: Double
            let parameterBytes: Double, trainableParameterBytes: Double, frozenParameterBytes: Double
        }
        let method: String, resolution: Int, batch: Int, optimizer: String, frozenBits: Int, norm: String, arch: String
        let planner: Planner
        let formula: Formula
        let budgetBytes: Int?
        let fits: Bool?

        init(plan: MemoryPlan, graph: TrainingGraph, formula f: TinyTLMemoryCost, method: TinyTLMethod, resolution: Int, batch: Int,
             optimizer: String, frozenBits: Int, norm: String, top: Int, budget: Int?, arch: String) {
            self.method = method.rawValue; self.resolution = resolution; self.batch = batch; self.optimizer = optimizer
            self.frozenBits = frozenBits; self.norm = norm; self.arch = arch
            let alive = plan.tensorsAtPeak.sorted { plan.tensors[$0].bytes > plan.tensors[$1].bytes }.prefix(top)
            planner = Planner(
                peakBytes: plan.peakBytes, arenaBytes: plan.arenaBytes, peakStep: plan.peakStep,
                peakOp: plan.stepDescription(plan.peakStep, graph: graph), chunkedPrefix: plan.chunkedPrefix.map { "\($0)" },
                ledgerAtPeak: Dictionary(uniqueKeysWithValues: MemoryCategory.allCases.map { ($0.rawValue, plan.ledgerAtPeak[$0]) }),
                tensorsAtPeak: alive.map { Tensor(name: plan.tensors[$0].name, category: plan.tensors[$0].category.rawValue, bytes: plan.tensors[$0].bytes) },
                tensorsAtPeakCount: plan.tensorsAtPeak.count)
            formula = Formula(memoryBytes: f.memoryBytes(batchSize: batch), peakActivationBytesPerSample: f.peakActivationBytes,
                              savedActivationBytesPerSample: f.gradActivationBytes, parameterBytes: f.parameterBytes,
                              trainableParameterBytes: f.trainableParameterBytes, frozenParameterBytes: f.frozenParameterBytes)
            budgetBytes = budget
            fits = budget.map { plan.arenaBytes <= $0 }
        }

        /// The human-readable report (MB = 10^6 bytes).
        func text(plan: MemoryPlan, graph: TrainingGraph) -> String {
            func mb(_ b: Double) -> String { ByteCount.format(Int(b.rounded())) }
            var lines = ["\(method), \(resolution) px, batch \(batch), \(optimizer), frozen weights \(frozenBits)-bit, \(norm)"]
            let fragmentation = 100 * (Double(planner.arenaBytes) / Double(max(planner.peakBytes, 1)) - 1)
            lines.append("planner (exact for this engine): \(mb(Double(planner.arenaBytes))) — the one arena training allocates"
                         + (planner.chunkedPrefix.map { "; \($0) of \(graph.ops.count)" } ?? ""))
            lines.append("  live tensors peak at \(planner.peakOp): \(mb(Double(planner.peakBytes)))"
                         + String(format: " (the arena's placement adds %.1f%%); at that step:", fragmentation))
            for c in MemoryCategory.allCases {
                lines.append("  \(c.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)) \(mb(Double(plan.ledgerAtPeak[c])))")
            }
            lines.append("  alive at the peak (largest \(planner.tensorsAtPeak.count) of \(planner.tensorsAtPeakCount)):")
            for t in planner.tensorsAtPeak { lines.append("    \(mb(Double(t.bytes)).padding(toLength: 10, withPad: " ", startingAt: 0)) \(t.name)  [\(t.category)]") }
            lines.append("TinyTL formula: \(mb(formula.memoryBytes)) = peak activation \(mb(formula.peakActivationBytesPerSample)) × \(batch)"
                         + " + parameters \(mb(formula.parameterBytes)) (trainable \(mb(formula.trainableParameterBytes)) at 32 bits,"
                         + " frozen \(mb(formula.frozenParameterBytes)) at \(frozenBits) bits)")
            let difference = Double(planner.arenaBytes) - formula.memoryBytes
            lines.append("planner − formula: \(difference >= 0 ? "+" : "−")\(mb(abs(difference))) (the formula counts no optimizer state,"
                         + " gradients, activation gradients or scratch: README, \"Two memory predictors\")")
            if let budgetBytes, let fits {
                lines.append("budget \(mb(Double(budgetBytes))): " + (fits ? "fits, \(mb(Double(budgetBytes - planner.arenaBytes))) to spare"
                                                                        : "exceeded by \(mb(Double(planner.arenaBytes - budgetBytes)))"))
            }
            return lines.joined(separator: "\n")
        }
    }
}
