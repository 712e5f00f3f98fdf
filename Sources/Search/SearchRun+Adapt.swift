import Foundation
import Memory

extension SearchRun {
    /// Phase 1: weight-shared adaptation, continuing from `adapted.h5` when an earlier session wrote it.
    func adapt() throws {
        let adaptation = SharedAdaptation(factory: factory, data: data, settings: settings.adaptation,
                                          resolutions: settings.resolutions, seed: settings.seed)
        var done = 0
        if FileManager.default.fileExists(atPath: url(Self.adaptedFile).path) {
            (shared, done) = try SharedTrainables.read(from: url(Self.adaptedFile))
            if done > 0 { report("adaptation: resuming after epoch \(done)/\(settings.adaptation.epochs)") }
        }
        guard done < settings.adaptation.epochs else { return }
        report("adaptation: \(settings.adaptation.epochs) epochs × \(adaptation.stepsPerEpoch) steps of \(settings.batch) images "
               + "(\(data.searchTrain.count) search-train, \(data.validation.count) validation images; sandwich rule, "
               + "\(settings.adaptation.stepsPerSubnet) steps per subnet)")
        for epoch in done..<settings.adaptation.epochs {
            let start = Date()
            var lastReport = Date.distantPast
            let loss = try adaptation.runEpoch(epoch, shared: &shared, interrupted: interrupted) { step, steps, loss in
                guard Date().timeIntervalSince(lastReport) > 5 || step == steps else { return }
                lastReport = Date()
                let rate = Double(step * self.settings.batch) / max(Date().timeIntervalSince(start), 1e-9)
                let eta = Double(steps - step) * Double(self.settings.batch) / max(rate, 1e-9)
                    + Double(self.settings.adaptation.epochs - epoch - 1) * Double(steps * self.settings.batch) / max(rate, 1e-9)
                self.report(String(format: "[adapt] epoch %d/%d · step %d/%d · loss %.4f · %.1f images/s · phase ETA %@",
                                   epoch + 1, self.settings.adaptation.epochs, step, steps, loss, rate, SearchRun.duration(eta)))
            }
            if interrupted() { throw SearchError.interrupted }
            try shared.write(to: url(Self.adaptedFile), epochsDone: epoch + 1, settingsJSON: settings.json)
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
