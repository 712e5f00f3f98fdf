import Datasets
import Foundation
import History
import Memory
import Supernets
import Tensors
import Transfer

extension SearchRun {
    /// Writes the result into the history, `summary.json` and the report; marks the run finished.
    func finish(_ final: FinalOutcome, search: SearchOutcome) throws -> SearchSummary {
        let m = final.winner, training = final.training, finalists = final.finalists, baselines = final.baselines
        let structure = factory.space.subnetStructure(m.config)
        var summary = SearchSummary(
            runDirectory: directory.url.path, dataset: data.name, budgetBytes: settings.budgetBytes,
            memScope: settings.memScope.rawValue,
            method: settings.methodNames, candidatesEvaluated: search.evaluated, candidatesOverBudget: search.rejected,
            generations: search.generations, stoppedEarly: search.stoppedEarly,
            winner: .init(candidate: m.record.id, arch: Architecture(m.config), resolution: m.config.r,
                          validationTop1: training.validationTop1,
                          testTop1: training.testTop1, testTop5: training.testTop5,
                          testImages: training.testImages,
                          plannedBytes: final.memory.plannedBytes, measuredBytes: training.measuredBytes,
                          processPeakBytes: training.processPeakBytes, ledger: final.memory.ledger,
                          formulaBytes: final.memory.formulaBytes, mflops: structure.mflops(resolution: m.config.r),
                          parameters: structure.parameterCount, finalEpochs: settings.finalEpochs,
                          trainImagesPerSecond: training.imagesPerSecond),
            finalists: finalists, baselines: baselines, selection: final.selection,
            // Rows a killed session left open are not counted (their end is unknown), as `history` does.
            seconds: try store.phases().reduce(0) { total, p in total + (p.endedAt.map { $0 - p.startedAt } ?? 0) },
            bestFile: directory.best.path)
        summary.seeds = final.seeds.isEmpty ? nil : final.seeds
        try summary.write(to: directory.summary)
        let result = jsonObject([
            "winner": m.record.id, "arch": RawJSON(m.config.json), "val_top1": training.validationTop1,
            "test_top1": training.testTop1,
            "test_top5": training.testTop5, "test_images": training.testImages, "planned_bytes": final.memory.plannedBytes,
            "measured_bytes": training.measuredBytes, "process_peak_bytes": training.processPeakBytes,
            "ledger": final.memory.ledger, "budget_bytes": settings.budgetBytes, "final_epochs": settings.finalEpochs,
            "finalists": RawJSON("[" + finalists.map { f in
                jsonObject(["candidate": f.candidate, "method": f.method, "shared_val_top1": f.sharedValidationTop1,
                            "trained_val_top1": f.trainedValidationTop1, "test_top1": f.testTop1 ?? -1])
            }.joined(separator: ", ") + "]"),
            "selection": final.selection.map { s in
                RawJSON(jsonObject(["leader": s.leader, "reference": s.reference, "wins": s.wins, "losses": s.losses,
                                    "p_value": s.pValue, "significance": s.significance]))
            } ?? RawJSON("null"),
            "baselines": RawJSON("[" + baselines.map { b in
                jsonObject(["name": b.name, "arch": RawJSON(b.arch.jsonText), "resolution": b.resolution,
                            "planned_bytes": b.plannedBytes, "measured_bytes": b.measuredBytes,
                            "test_top1": b.testTop1])
            }.joined(separator: ", ") + "]"),
            "seeds": RawJSON("[" + final.seeds.map { r in
                jsonObject(["candidate": r.candidate, "seeds": RawJSON("\(r.seeds)"), "test_top1": RawJSON("\(r.testTop1)"),
                            "mean_test_top1": r.meanTestTop1, "std_test_top1": r.spreadTestTop1])
            }.joined(separator: ", ") + "]"),
        ])
        try store.finish(status: "finished", resultJSON: result)
        let report = try HistoryReport.write(runDirectory: directory.url)
        self.report("wrote \(report.path)")
        self.report(String(format: "finished: winner #%d, test top-1 %.2f%%", m.record.id, 100 * training.testTop1),
                    kind: .finished,
                    fields: ["winner": .int(m.record.id), "val_top1": .double(training.validationTop1),
                             "test_top1": .double(training.testTop1), "test_images": .int(training.testImages),
                             "planned_bytes": .int(final.memory.plannedBytes),
                             "measured_bytes": .int(training.measuredBytes)])
        return summary
    }
}

/// JSON text spliced into `jsonObject` as is.
struct RawJSON { let text: String; init(_ text: String) { self.text = text } }

/// `s` as a JSON string literal (quoted and escaped; slashes kept).
func jsonString(_ s: String) -> String {
    let e = JSONEncoder()
    e.outputFormatting = .withoutEscapingSlashes
    return String(decoding: try! e.encode(s), as: UTF8.self)   // a String always encodes
}

/// A JSON object with sorted keys from strings, numbers, dictionaries of numbers and `RawJSON`.
func jsonObject(_ fields: [String: Any]) -> String {
    func value(_ v: Any) -> String {
        switch v {
        case let raw as RawJSON: return raw.text
        case let s as String: return jsonString(s)
        case let i as Int: return String(i)
        case let d as Double: return d.isFinite ? "\(d)" : "null"
        case let dict as [String: Int]: return jsonObject(dict)
        default: preconditionFailure("unsupported JSON value \(v)")
        }
    }
    return "{" + fields.keys.sorted().map { "\(value($0)): \(value(fields[$0]!))" }.joined(separator: ", ") + "}"
}
