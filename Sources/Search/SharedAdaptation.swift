import Datasets
import Foundation
import Supernets
import Tensors
import Transfer

/// Weight-shared TinyTL adaptation of the supernet to the dataset (DESIGN §6): biases, lite residual branches and
/// the classifier are trained once for all subnets, so any candidate can be evaluated without training it.
///
/// Concretely, each epoch walks search-train in shuffled batches; every `stepsPerSubnet` batches a new subnet
/// is chosen: the methods take turns, and each method's turns follow the sandwich rule (the largest, the smallest,
/// then two random ones, repeating; each at a seeded random resolution of the searched ones; lite residuals in
/// every block of the largest and smallest, a random placement in the random ones). Its batch norms are
/// re-calibrated on the first `calibrationImages` calibration images at its resolution, its
/// graph loaded from the shared store, trained with Adam (its method's learning rate, cosine over the whole adaptation), and
/// its trained values and Adam moments written back. Deterministic for a seed and thread count.
public struct SharedAdaptation {
    public struct Settings: Sendable, Equatable, Codable {
        public var epochs: Int
        public var batch: Int
        public var stepsPerSubnet: Int = 32
        /// Images re-calibrating each adapted subnet's batch norms (the first of the search's calibration set).
        public var calibrationImages: Int = 50
        public var learningRate: Double = 3e-4
        public var labelSmoothing: Float = 0.1
        /// Adaptation stops after an epoch that raised the validation score (`SearchRun.adaptationScore()`) by less
        /// than this (a fraction; 0: always run `epochs`).
        public var plateauGain: Double = 0.005
        public init(epochs: Int, batch: Int) { self.epochs = epochs; self.batch = batch }
    }

    public let factory: SubnetFactory
    public let data: SearchData
    public let settings: Settings
    public let resolutions: [Int]
    /// The searched methods (each has its own shared trainables: `SharedTrainables`).
    public let methods: [TransferMethod]
    /// Each method's initial learning rate (`settings.learningRate` for one missing).
    public let learningRates: [TransferMethod: Double]
    public let seed: UInt64

    public init(factory: SubnetFactory, data: SearchData, settings: Settings, resolutions: [Int],
                methods: [TransferMethod], learningRates: [TransferMethod: Double] = [:], seed: UInt64) {
        precondition(!methods.isEmpty)
        self.factory = factory; self.data = data; self.settings = settings; self.resolutions = resolutions
        self.methods = methods; self.learningRates = learningRates; self.seed = seed
    }

    /// Optimiser steps per epoch.
    public var stepsPerEpoch: Int { data.searchTrain.count / settings.batch }

    /// The subnet trained from global step `step` on: turn t = step / stepsPerSubnet trains method
    /// `methods[t % methods.count]` at position `(t / methods.count) % 4` of the sandwich.
    public func config(atStep step: Int) -> ArchConfig {
        let space = factory.space, turn = step / settings.stepsPerSubnet
        var sampler = ArchitectureSampler(space: space, resolutions: resolutions, seed: seed &+ 0xADA7 &+ UInt64(turn))
        var config: ArchConfig
        switch (turn / methods.count) % 4 {
        case 0: config = ArchConfig.max(space, resolution: resolutions[sampler.index(below: resolutions.count)])
        case 1: config = ArchConfig.min(space, resolution: resolutions[sampler.index(below: resolutions.count)])
        default:
            config = sampler.random()
            config.liteResidual = sampler.randomPlacement()
        }
        config.method = methods[turn % methods.count]
        return config.canonical(in: space)
    }

    /// Runs epoch `epoch` on `shared` from step `start` (0, or where a checkpoint left it), reporting (step in epoch,
    /// steps per epoch, mean loss so far) after each step and calling `turnDone(steps done)` after each subnet's
    /// turn, when `shared` is consistent and can be saved. Returns the mean training loss of the steps run.
    /// - Throws: a data error, `SearchError.nonFiniteLoss`, or `SearchError.interrupted` when `interrupted()`
    ///   turns true (checked between steps; the unfinished turn is dropped, so `shared` is as at the last
    ///   `turnDone` and resuming from there replays exactly what an uninterrupted run does).
    public func runEpoch(_ epoch: Int, from start: Int = 0, shared: inout SharedTrainables, interrupted: () -> Bool,
                         progress: (Int, Int, Double) -> Void, turnDone: (Int, SharedTrainables) throws -> Void = { _, _ in }) throws -> Double {
        let steps = stepsPerEpoch, total = steps * settings.epochs
        guard steps > 0 else { throw SearchError.tooFewImages(split: "search-train", count: data.searchTrain.count, batch: settings.batch) }
        var lossSum = 0.0, step = start
        while step < steps {
            if interrupted() { throw SearchError.interrupted }
            let global = epoch * steps + step
            let config = config(atStep: global)
            let schedule = CosineSchedule(initialLR: learningRates[config.method!] ?? settings.learningRate, totalSteps: total)
            let run = min(settings.stepsPerSubnet - global % settings.stepsPerSubnet, steps - step)
            let calibration = try data.calibrationBatches(resolution: config.r, images: settings.calibrationImages)
            let subnet = try factory.subnet(config, calibration: calibration)
            let (graph, states) = factory.graph(subnet, config: config, shared: shared)
            var adam = Adam(parameterCounts: graph.trainableParameterCounts)
            try adam.restore(states)
            let trainer = try Trainer(graph: graph, batch: settings.batch, height: config.r, width: config.r, optimizer: adam,
                                      labelSmoothing: settings.labelSmoothing)
            // Each subnet turn reads its own slice of the epoch's shuffled order, at its resolution.
            let loader = data.trainingLoader(data.searchTrain, resolution: config.r, batch: settings.batch,
                                             seed: seed, epoch: epoch, batches: step..<(step + run))
            for k in 0..<run {
                if interrupted() { throw SearchError.interrupted }
                guard let b = try loader.next() else { break }
                let loss = trainer.trainStep([(b.images, b.labels)], learningRate: schedule.learningRate(at: global + k))
                guard loss.isFinite else { throw SearchError.nonFiniteLoss(phase: "adaptation", step: global + k + 1) }
                lossSum += Double(loss)
                step += 1
                progress(step, steps, lossSum / Double(step - start))
            }
            shared.store(trainer.parameters(), states: (trainer.optimizer as! Adam).states, graph: graph, subnet: subnet,
                         config: config, space: factory.space)
            try turnDone(step, shared)
        }
        return lossSum / Double(max(step - start, 1))
    }
}
