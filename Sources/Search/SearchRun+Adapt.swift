import Foundation
import Memory
import Supernets

extension SearchRun {
    /// Phase 1: weight-shared adaptation, continuing from `adapted.h5` when an earlier session wrote it, for up to
    /// `settings.adaptation.epochs` epochs: it stops on a plateau, after an epoch that raised the validation score
    /// (`adaptationScore()`) by less than `plateauGain` over the best before it.
    func adapt() throws {
        let adaptation = SharedAdaptation(factory: factory, data: data, settings: settings.adaptation,
                                          resolutions: settings.resolutions, methods: settings.methods,
                                          learningRates: learningRates, seed: settings.seed)
        var done = 0, doneSteps = 0
        if FileManager.default.fileExists(atPath: directory.adapted.path) {
            (shared, done, doneSteps) = try SharedTrainables.read(from: directory.adapted)
            if done > 0 || doneSteps > 0 {
                report("adaptation: resuming at epoch \(done + 1)/\(settings.adaptation.epochs), step \(doneSteps + 1)")
            }
        }
        var scores = (try? JSONDecoder().decode([Double].self,
                                                from: Data(contentsOf: directory.adaptationScores))) ?? []
        guard done < settings.adaptation.epochs, !onPlateau(scores) else { return }
        report("adaptation: \(settings.adaptation.epochs) epochs × \(adaptation.stepsPerEpoch) steps "
               + "of \(settings.batch) images "
               + "(\(data.searchTrain.count) search-train, \(data.validation.count) validation images; "
               + "methods \(settings.methodNames) "
               + "in turn, sandwich rule, \(settings.adaptation.stepsPerSubnet) steps per subnet)")
        for epoch in done..<settings.adaptation.epochs {
            let start = Date(), first = epoch == done ? doneSteps : 0
            var lastReport = Date.distantPast, lastSave = Date()
            var boundary = (step: first, state: shared)
            // At the end of a subnet's turn, at most once a minute, the shared state is saved (a kill loses at most
            // that); on Ctrl-C or SIGTERM the last turn's end is saved.
            let save: (Int, SharedTrainables) throws -> Void = { step, state in
                boundary = (step, state)
                guard Date().timeIntervalSince(lastSave) > 60, step < adaptation.stepsPerEpoch else { return }
                try state.write(to: self.directory.adapted, epochsDone: epoch, stepsDone: step,
                                settingsJSON: self.settings.json)
                lastSave = Date()
            }
            let loss: Double
            do {
                loss = try adaptation.runEpoch(epoch, from: first, shared: &shared, interrupted: interrupted,
                                               progress: { step, steps, loss in
                    guard Date().timeIntervalSince(lastReport) > 5 || step == steps else { return }
                    lastReport = Date()
                    let rate = Double((step - first) * self.settings.batch)
                        / max(Date().timeIntervalSince(start), 1e-9)
                    let eta = Double(steps - step) * Double(self.settings.batch) / max(rate, 1e-9)
                        + Double(self.settings.adaptation.epochs - epoch - 1) * Double(steps * self.settings.batch)
                        / max(rate, 1e-9)
                    // The first steps' rate includes warm-up (the first epoch's decoding, allocation): no ETA yet.
                    let warm = step - first >= 10
                    let etaText = warm ? " · phase ETA " + SearchRun.duration(eta) : ""
                    self.report(String(format: "[adapt] epoch %d/%d · step %d/%d · loss %.4f · %.1f images/s%@",
                                       epoch + 1, self.settings.adaptation.epochs, step, steps, loss, rate, etaText),
                                kind: .adaptStep,
                                fields: ["epoch": .int(epoch + 1), "epochs": .int(self.settings.adaptation.epochs),
                                         "step": .int(step), "steps": .int(steps), "loss": .double(loss),
                                         "images_per_second": .double(rate), "eta_seconds": warm ? .double(eta) : .null])
                }, turnDone: save)
            } catch SearchError.interrupted {
                try boundary.state.write(to: directory.adapted, epochsDone: epoch, stepsDone: boundary.step,
                                         settingsJSON: settings.json)
                throw SearchError.interrupted
            }
            try shared.write(to: directory.adapted, epochsDone: epoch + 1, settingsJSON: settings.json)
            if interrupted() { throw SearchError.interrupted }
            let score = try adaptationScore()
            scores.append(score)
            try JSONEncoder().encode(scores).write(to: directory.adaptationScores, options: .atomic)
            report(String(format: "adaptation epoch %d/%d done: mean loss %.4f, validation score %.2f%% in %@",
                          epoch + 1, settings.adaptation.epochs, loss, 100 * score,
                          SearchRun.duration(Date().timeIntervalSince(start))))
            if onPlateau(scores) {
                if epoch + 1 < settings.adaptation.epochs {
                    report(String(format: "adaptation stops on a plateau: epoch %d gained less than %.1f points",
                                  epoch + 1, 100 * settings.adaptation.plateauGain))
                }
                return
            }
        }
    }

    /// Whether the last epoch raised the best earlier score by less than `plateauGain`.
    func onPlateau(_ scores: [Double]) -> Bool {
        guard settings.adaptation.plateauGain > 0, scores.count >= 2 else { return false }
        return scores.last! - scores.dropLast().max()! < settings.adaptation.plateauGain
    }

    /// The mean validation top-1 of each method's max subnet (lite residuals in every block) at the largest searched
    /// resolution, with the shared trainables: how far the adaptation has come for the candidates it serves.
    func adaptationScore() throws -> Double {
        let evaluator = CandidateEvaluator(factory: factory, data: data, batch: settings.batch)
        var total = 0.0
        for method in settings.methods {
            if interrupted() { throw SearchError.interrupted }
            var config = ArchConfig.max(factory.space, resolution: settings.resolutions.max()!)
            config.method = method
            total += try evaluator.evaluate(config.canonical(in: factory.space), shared: shared).top1
        }
        return total / Double(settings.methods.count)
    }

    /// "1h02m", "4m10s", "12s".
    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }
}
