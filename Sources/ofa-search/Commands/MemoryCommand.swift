import ArgumentParser
import Datasets
import Foundation
import History
import Memory
import Search
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
            the paper; it leaves out optimizer state, gradients, activation gradients and kernel scratch. The budgeted \
            total is what `search --mem` constrains: the arena plus the input batch, the data loader's working set \
            (for --dataset's largest image; without it, images of the training resolution) and the runtime. Sizes in MB \
            (10^6 bytes), as TinyTL reports them; --json gives bytes.
            """)

    @Option(help: "Supernet (.h5) (default: the shipped one, as search uses).", completion: .file(extensions: ["h5"]))
    var supernet: String?

    @Option(help: "Subnet architecture JSON (OFA dict form), a file holding it, or max / min.")
    var arch: String = "max"

    @Option(help: "full, bn+last, last, bias, lite-residual or lite-residual+bias (default: --arch's \"method\", else lite-residual+bias).")
    var method: String?

    @Option(help: "Input resolution (default: the architecture's).")
    var resolution: Int?

    @Option(help: "Images per training step.")
    var batch: Int = 8

    @Option(help: "Classes of the new classifier (default: --dataset's, else 102).")
    var classes: Int?

    /// Its classes and largest training image set the classifier and the loader's share.
    @OptionGroup var data: DatasetOptions

    @Option(help: "adam, adam8 or sgd (momentum 0.9): optimizer state is 8, about 2, or 4 bytes per trainable value.")
    var optimizer: OptimizerChoice = .adam

    @Option(name: .customLong("frozen-bits"), help: ArgumentHelp("Storage of frozen conv/linear weights.", valueName: "8|32"))
    var frozenBits: Int = 8

    @Option(help: "Normalisation: frozen-bn (re-calibrated BN, folded) or gn (TinyTL's GroupNorm(8) + weight standardisation).")
    var norm: NormMode = .frozenBN

    @Option(help: "A memory budget (32MB = 32·10^6 bytes, 32MiB, 500KB): says whether the budgeted total fits, as the search decides.",
            transform: { try ByteCount(parsing: $0) })
    var mem: ByteCount?

    @Option(help: .hidden, transform: { try ByteCount(parsing: $0) })
    var budget: ByteCount?

    @Option(name: .customLong("mem-scope"), help: "What the budget limits: total (all training memory) or activations.")
    var memScope: MemoryScope = .total

    @Option(name: .customLong("top"), help: "Tensors alive at the peak to list.")
    var top: Int = 8

    @Flag(help: "Print JSON (bytes) on stdout.")
    var json = false

    enum NormMode: String, ExpressibleByArgument, CaseIterable {
        case frozenBN = "frozen-bn", gn
    }

    mutating func validate() throws {
        mem = try RenamedFlag.merge(mem, budget, new: "--mem", old: "--budget")
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1, got \(batch)") }
        if let classes, classes < 1 { throw ValidationError("--classes must be at least 1, got \(classes)") }
        if let method, TransferMethod(named: method) == nil {
            throw ValidationError("unknown --method '\(method)' — choose one of \(TransferMethod.allCases.map(\.name).joined(separator: ", "))")
        }
        guard frozenBits == 8 || frozenBits == 32 else { throw ValidationError("--frozen-bits must be 8 or 32, got \(frozenBits)") }
        guard top >= 0 else { throw ValidationError("--top must be 0 or more") }
    }

    func run() throws {
        try reportingErrors {
            let net = try Supernet.read(from: try supernet.map { URL(fileURLWithPath: $0) } ?? DefaultSupernet.url())
            var config = arch == "max" ? ArchConfig.max(net.space) : arch == "min" ? ArchConfig.min(net.space)
                : try ArchConfig.parse(json: try Train.archText(arch), space: net.space)
            let r = resolution ?? config.r
            let range = net.space.resolutionRange
            guard range.contains(r) else {
                throw TrainError("--resolution \(r) is outside the supernet's range \(range.lowerBound)...\(range.upperBound) — pick one in it")
            }
            config.r = r
            try config.validate(in: net.space)
            let method = try Train.method(flag: self.method, arch: config)
            let subnet = try net.subnet(config)
            let data = try self.data.open(seed: 0)
            let classes = classes ?? data?.classes.count ?? 102
            let loader = data.map { LoaderWorkingSet(samples: $0[.train]) } ?? LoaderWorkingSet(largestPixels: r * r, longestSide: r)

            let graph = TrainingGraph(subnet: subnet, method: method, classes: classes, norm: norm == .gn ? .tinyTL : .frozenBatchNorm,
                                      liteResidualBlocks: config.liteResidualBlocks(in: net.space, method: method))
                .frozenStorageForPlanning(bits: frozenBits)
            let plan: MemoryPlan
            do {
                plan = try Planner.plan(graph, batch: batch, height: r, width: r,
                                        optimizerState: optimizer.stateSize, backward: true)
            } catch let error as PlanError {
                throw TrainError(error.localizedDescription)
            }
            let setup = TinyTLSetup(method: method,
                                    normalization: norm == .gn ? .groupNorm(channelsPerGroup: 8) : .batchNorm, classes: classes)
            let network = ProfiledNetwork(TinyTLBackbone(subnet.structure), setup: setup, resolution: r)
            let formula = TinyTLMemoryProfiler.profile(network, requireBackward: setup.method.requiresBackward,
                                                       frozenParameterBits: frozenBits)
            let estimate = MemoryEstimate(plan: plan, graph: graph, structure: subnet.structure, batch: batch, resolution: r, loader: loader)
            let report = Report(plan: plan, graph: graph, formula: formula, method: method, resolution: r, batch: batch,
                                optimizer: optimizer.rawValue, frozenBits: frozenBits, norm: norm.rawValue, top: top,
                                estimate: estimate, loaderFrom: data?.name, budget: mem?.bytes, scope: memScope,
                                arch: Architecture(config))
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
        let method: String, resolution: Int, batch: Int, optimizer: String, frozenBits: Int, norm: String, arch: Architecture
        let planner: Planner
        let formula: Formula
        /// What the budget counts (`MemoryEstimate`, as the search): the arena, the input batch, the loader's working
        /// set and the runtime; and the part that is not parameter memory.
        let budgetedBytes: Int, budgetedActivationBytes: Int
        let inputBatchBytes: Int, imageTransformBytes: Int, runtimeBytes: Int
        /// The dataset whose largest training image sized the loader's share (nil: images of the resolution assumed).
        let loaderFrom: String?
        let budgetBytes: Int?
        let memScope: String
        let fits: Bool?

        init(plan: MemoryPlan, graph: TrainingGraph, formula f: TinyTLMemoryCost, method: TransferMethod, resolution: Int, batch: Int,
             optimizer: String, frozenBits: Int, norm: String, top: Int, estimate: MemoryEstimate, loaderFrom: String?, budget: Int?,
             scope: MemoryScope, arch: Architecture) {
            self.method = method.name; self.resolution = resolution; self.batch = batch; self.optimizer = optimizer
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
            budgetedBytes = estimate.plannedBytes; budgetedActivationBytes = estimate.activationBytes
            inputBatchBytes = estimate.ledger[MemoryEstimate.inputBatch] ?? 0
            imageTransformBytes = estimate.ledger[MemoryEstimate.imageTransform] ?? 0
            runtimeBytes = estimate.ledger[MemoryEstimate.runtime] ?? 0
            self.loaderFrom = loaderFrom
            budgetBytes = budget
            memScope = scope.rawValue
            fits = budget.map { estimate.bytes(in: scope) <= $0 }
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
            lines.append("budgeted total (what search --mem counts): \(mb(Double(budgetedBytes))) = arena \(mb(Double(planner.arenaBytes)))"
                         + " + input batch \(mb(Double(inputBatchBytes))) + image transform \(mb(Double(imageTransformBytes)))"
                         + " (\(loaderFrom.map { "largest image of \($0)" } ?? "images of \(resolution) px assumed; --dataset for real sizes"))"
                         + " + runtime \(mb(Double(runtimeBytes))); without parameter memory \(mb(Double(budgetedActivationBytes)))")
            if let budgetBytes, let fits {
                let counted = memScope == MemoryScope.total.rawValue ? budgetedBytes : budgetedActivationBytes
                lines.append("budget \(mb(Double(budgetBytes))) (\(memScope)): " + (fits ? "fits, \(mb(Double(budgetBytes - counted))) to spare"
                                                                        : "exceeded by \(mb(Double(counted - budgetBytes)))"))
            }
            return lines.joined(separator: "\n")
        }
    }
}
