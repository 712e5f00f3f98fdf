import Datasets
import Foundation
import Memory
import Supernets
import Tensors
import Transfer

/// `search --dry-run`: the size of the space, how much of it fits the budget (planned over seeded random draws),
/// the smallest and largest planned memory, and a time estimate from a short timing probe. Trains nothing.
public struct DryRun: Encodable, Sendable {
    public static let draws = 200

    public let subnets: Double, resolutions: [Int], spaceSize: Double, spaceName: String
    public let sampled: Int, fitting: Int, fractionFitting: Double
    public let smallestPlannedBytes: Int, largestPlannedBytes: Int, budgetBytes: Int, memScope: String
    public let trainImages: Int, validationImages: Int, testImages: Int, classes: Int
    public let secondsPerTrainingStep: Double, secondsPerEvaluatedImage: Double
    /// Per phase (`lr`, `adapt`, `search`, `finalists`).
    public let estimatedSeconds: [String: Double]
    public let candidates: Int, finalists: Int

    public init(settings: SearchSettings, supernet: Supernet, dataset: LabeledImages) throws {
        let space = supernet.space
        let classes = dataset.classes.count
        let factory = SubnetFactory(supernet: supernet, defaultMethod: settings.methods[0], classes: classes,
                                    seed: settings.seed, frozenBits: settings.frozenBits,
                                    loader: SearchRun.loader(settings, dataset), optimizer: settings.optimizer)
        func estimate(_ c: ArchConfig) throws -> MemoryEstimate {
            try factory.memory(c.canonical(in: space), batch: settings.batch)
        }
        /// The budgeted bytes of `c` under each searched method, smallest first.
        func perMethod(_ c: ArchConfig) throws -> [Int] {
            try settings.methods.map { m in
                var config = c
                config.method = m
                return try estimate(config).bytes(in: settings.memScope)
            }.sorted()
        }
        var sampler = ArchitectureSampler(space: space, resolutions: settings.resolutions, methods: settings.methods,
                                          seed: settings.seed &+ 0xD7)
        var fitting = 0, planned: [Int] = []
        var firstFit: ArchConfig?
        for _ in 0..<Self.draws {
            let c = sampler.random()
            let bytes = try estimate(c).bytes(in: settings.memScope)
            planned.append(bytes)
            if bytes <= settings.budgetBytes { fitting += 1; firstFit = firstFit ?? c }
        }
        let smallest = try perMethod(ArchConfig.min(space, resolution: settings.resolutions.min()!)).first!
        let largest = try perMethod(ArchConfig.max(space, resolution: settings.resolutions.max()!)).last!

        // Timing probe: two training steps and one evaluation batch of a fitting (else the smallest) subnet.
        let probe = firstFit ?? ArchConfig.min(space, resolution: settings.resolutions.min()!)
        let graph = factory.freshGraph(try supernet.subnet(probe), config: probe)
        let trainer = try Trainer(graph: graph, batch: settings.batch, height: probe.r, width: probe.r,
                                  optimizer: Adam(parameterCounts: graph.trainableParameterCounts))
        let images = Tensor.random(shape: [settings.batch, probe.r, probe.r, 3], seed: 1)
        let labels = (0..<settings.batch).map { $0 % classes }
        trainer.trainStep([(images, labels)], learningRate: 1e-4)
        var start = Date()
        for _ in 0..<2 { trainer.trainStep([(images, labels)], learningRate: 1e-4) }
        let stepSeconds = Date().timeIntervalSince(start) / 2
        start = Date()
        _ = trainer.evaluate(images: images, labels: labels)
        let evalPerImage = Date().timeIntervalSince(start) / Double(settings.batch)

        // The search's own split (`SearchData`): stratified per class, so not simply the fraction of the total.
        let train = dataset[.train].count, validation = dataset[.train].holdingOut(
            fraction: settings.validationFraction, classes: classes, seed: settings.seed).held.count
        let test = dataset[.test].isEmpty ? dataset[.valid].count : dataset[.test].count
        let candidates = Double(settings.evolution.population * (settings.evolution.generations + 1))
        // Adaptation also re-calibrates each subnet turn (calibration images per `stepsPerSubnet` steps).
        let adaptSteps = Double(settings.adaptation.epochs * ((train - validation) / settings.batch))
        // The best of each of `finalists` methods plus the max subnet with each method, at most twice the methods.
        let finalists = min(settings.finalists, settings.methods.count) + settings.methods.count
        let estimated: [String: Double] = [
            "lr": settings.findsLearningRate
                ? Double(settings.methods.count * settings.rangeTestSteps) * stepSeconds : 0,
            "adapt": adaptSteps * stepSeconds
                + adaptSteps / Double(settings.adaptation.stepsPerSubnet) * Double(settings.calibrationImages)
                * evalPerImage,
            "search": candidates * Double(validation + settings.calibrationImages) * evalPerImage,
            "finalists": Double(finalists * settings.finalEpochs * ((train - validation) / settings.batch))
                * stepSeconds
                + Double(finalists * (validation + settings.finalEpochs * test)) * evalPerImage,
        ]
        subnets = space.subnetCount; resolutions = settings.resolutions
        spaceSize = space.subnetCount * Double(settings.resolutions.count); spaceName = space.name
        sampled = Self.draws; self.fitting = fitting; fractionFitting = Double(fitting) / Double(Self.draws)
        smallestPlannedBytes = min(smallest, planned.min()!); largestPlannedBytes = max(largest, planned.max()!)
        budgetBytes = settings.budgetBytes; memScope = settings.memScope.rawValue
        trainImages = train - validation; validationImages = validation; testImages = test; self.classes = classes
        secondsPerTrainingStep = stepSeconds; secondsPerEvaluatedImage = evalPerImage
        estimatedSeconds = estimated; self.candidates = Int(candidates); self.finalists = finalists
    }
}
