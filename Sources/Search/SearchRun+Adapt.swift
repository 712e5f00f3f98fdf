import Foundation
import Memory

extension SearchRun {
    /// Phase 1: weight-shared adaptation, continuing from `adapted.h5` when an earlier session wrote it.
    func adapt() throws {
        let adaptation = SharedAdaptation(factory: factory, data: data, settings: settings.adaptation,
                                          resolutions: settings.resolutions, methods: settings.methods, seed: settings.seed)
        var done = 0, doneSteps = 0
        if FileManager.default.fileExists(atPath: url(Self.adaptedFile).path) {
            (shared, done, doneSteps) = try SharedTrainables.read(from: url(Self.adaptedFile))
            if done > 0 || doneSteps > 0 {
                report("adaptation: resuming at epoch \(done + 1)/\(settings.adaptation.epochs), step \(doneSteps + 1)")
            }
        }
        guard done < settings.adaptation.epochs else { return }
        report("adaptation: \(settings.adaptation.epochs) epochs × \(adaptation.stepsPerEpoch) steps of \(settings.batch) images "
               + "(\(data.searchTrain.count) search-train, \(data.validation.count) validation images; methods \(settings.methodNames) "
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
                try state.write(to: self.url(Self.adaptedFile), epochsDone: epoch, stepsDone: step, settingsJSON: self.settings.json)
                lastSave = Date()
            }
            let loss: Double
            do {
                loss = try adaptation.runEpoch(epoch, from: first, shared: &shared, interrupted: interrupted, progress: { step, steps, loss in
                    guard Date().timeIntervalSince(lastReport) > 5 || step == steps else { return }
                    lastReport = Date()
                    let rate = Double((step - first) * self.settings.batch) / max(Date().timeIntervalSince(start), 1e-9)
                    let eta = Double(steps - step) * Double(self.settings.batch) / max(rate, 1e-9)
                        + Double(self.settings.adaptation.epochs - epoch - 1) * Double(steps * self.settings.batch) / max(rate, 1e-9)
                    self.report(String(format: "[adapt] epoch %d/%d · step %d/%d · loss %.4f · %.1f images/s · phase ETA %@",
                                       epoch + 1, self.settings.adaptation.epochs, step, steps, loss, rate, SearchRun.duration(eta)))
                }, turnDone: save)
            } catch SearchError.interrupted {
                try boundary.state.write(to: url(Self.adaptedFile), epochsDone: epoch, stepsDone: boundary.step, settingsJSON: settings.json)
                throw SearchError.interrupted
            }
            try shared.write(to: url(Self.adaptedFile), epochsDone: epoch + 1, settingsJSON: settings.json)
            if interrupted() { throw SearchError.interrupted }
            report(String(format: "adaptation epoch %d/%d done: mean loss %.4f in %@", epoch + 1, settings.adaptation.epochs, loss,
                          SearchRun.duration(Date().timeIntervalSince(start))))
        }
    }

    /// "1h02m", "4m10s", "12s".
    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }
}
