import Foundation
import Memory
import Supernets
import Transfer

extension SearchRun {
    /// Phase 3a (`--finalists N`): the winner chosen by real training rather than by shared weights.
    ///
    /// Shared-weight validation ranks candidates of one method against each other, but ranks methods unevenly:
    /// each method's shared trainables see only its turns of the adaptation, and a method whose trainables start
    /// from zero (lite residuals) gains more from its own training than the others. So the best candidate of each
    /// method — up to N, best first — is trained like the winner (`trainFinalist(_:epochs:)`) on
    /// search-train for `finalistEpochs` and scored on validation; the best of them wins. The test split is not
    /// touched. Ties keep the better shared-weight rank.
    func chooseFinalist(_ search: SearchOutcome) throws -> (Member, [SearchSummary.Finalist]) {
        var bestOfMethod: [TransferMethod: Member] = [:]
        for m in search.members {
            let method = factory.method(m.config)
            if m.fitness > bestOfMethod[method]?.fitness ?? -1 { bestOfMethod[method] = m }
        }
        let picked = bestOfMethod.values.sorted { ($0.fitness, -$0.record.id) > ($1.fitness, -$1.record.id) }
            .prefix(settings.finalists)
        var finalists: [SearchSummary.Finalist] = []
        var best: (member: Member, top1: Double)?
        for m in picked {
            let method = factory.method(m.config)
            report(String(format: "finalist #%d (%@, %dpx, shared-weight validation %.1f%%): %d epochs on search-train",
                          m.record.id, adaptationLabel(m.config), m.config.r, 100 * m.fitness, settings.finalistEpochs))
            let t = try trainFinalist(m.config, epochs: settings.finalistEpochs)
            report(String(format: "finalist #%d: validation %.2f%% after training", m.record.id,
                          100 * t.validation.top1))
            finalists.append(.init(candidate: m.record.id, method: method.name, arch: m.config.json,
                                   sharedValidationTop1: m.fitness, trainedValidationTop1: t.validation.top1,
                                   epochs: settings.finalistEpochs))
            if t.validation.top1 > best?.top1 ?? -1 { best = (m, t.validation.top1) }
        }
        return (best!.member, finalists)
    }
}
