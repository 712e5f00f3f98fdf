import Foundation
import Supernets
import Transfer

extension SearchRun {
    /// Phase 0: each searched method's learning rate. With `--lr auto` (`settings.findsLearningRate`), a range test
    /// (`LearningRateFinder`) per method: the max subnet with the method (lite residuals in every block) at the
    /// smallest searched resolution, fresh trainables, `settings.optimizer`, batches of search-train; its suggestion
    /// is the method's rate for the adaptation, the finalists, the winner and the baselines. Otherwise every method
    /// gets `--lr`. Different methods train different parameters (a classifier alone, biases, branches starting at
    /// zero), so one fixed rate under-trains some of them and diverges others on data far from ImageNet.
    func chooseLearningRates() throws -> [TransferMethod: Double] {
        guard settings.findsLearningRate else {
            return Dictionary(uniqueKeysWithValues: settings.methods.map { ($0, settings.finalLearningRate) })
        }
        let file = directory.learningRates
        if let data = try? Data(contentsOf: file),
           let saved = try? JSONDecoder().decode([String: Double].self, from: data) {
            let rates = settings.methods.compactMap { m in saved[m.name].map { (m, $0) } }
            if rates.count == settings.methods.count { return Dictionary(uniqueKeysWithValues: rates) }
        }
        var rates: [TransferMethod: Double] = [:]
        let finder = LearningRateFinder(lowest: 1e-5, highest: 1, steps: settings.rangeTestSteps)
        for method in settings.methods {
            if interrupted() { throw SearchError.interrupted }
            var config = ArchConfig.max(factory.space, resolution: settings.resolutions.min()!)
            config.method = method
            config = config.canonical(in: factory.space)
            let subnet = try factory.subnet(config, calibration: data.calibrationBatches(resolution: config.r))
            let graph = factory.freshGraph(subnet, config: config)
            let trainer = try Trainer(graph: graph, batch: settings.batch, height: config.r, width: config.r,
                                      optimizer: settings.optimizer.make(
                                          parameterCounts: graph.trainableParameterCounts),
                                      labelSmoothing: settings.adaptation.labelSmoothing)
            var epoch = 0
            var loader = data.trainingLoader(data.searchTrain, resolution: config.r, batch: settings.batch,
                                             seed: settings.seed &+ 0x1F, epoch: epoch)
            let result = try finder.run { lr -> Float? in
                if interrupted() { throw SearchError.interrupted }
                var batch = try loader.next()
                if batch == nil {
                    epoch += 1
                    loader = data.trainingLoader(data.searchTrain, resolution: config.r, batch: settings.batch,
                                                 seed: settings.seed &+ 0x1F, epoch: epoch)
                    batch = try loader.next()
                }
                return batch.map { trainer.trainStep([($0.images, $0.labels)], learningRate: lr) }
            }
            rates[method] = result.suggestion
            report(String(format: "learning rate of %@: %.2g (range test over %d steps: smoothed loss lowest at %.2g)",
                          method.name, result.suggestion, result.rates.count, result.minimumRate))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys   // the same run writes the same file
        let json = try encoder.encode(Dictionary(uniqueKeysWithValues: rates.map { ($0.key.name, $0.value) }))
        try json.write(to: file, options: .atomic)
        return rates
    }

    /// The learning rate `config`'s method trains with.
    func learningRate(_ config: ArchConfig) -> Double {
        learningRates[factory.method(config)] ?? settings.finalLearningRate
    }
}
