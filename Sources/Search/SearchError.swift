import Supernets

/// A search failure, one line for the user: what happened, where, what to do.
public enum SearchError: Error, Equatable, CustomStringConvertible {
    case interrupted
    case nonFiniteLoss(phase: String, step: Int)
    case tooFewImages(split: String, count: Int, batch: Int)
    case budgetTooSmall(budget: String, smallest: String, scope: String)
    case unsupportedMethod(String)
    case historyMismatch(run: String, candidate: Int)
    case overBudget(detail: String)
    case invalid(String)

    public var description: String {
        switch self {
        case .interrupted: return "interrupted — finished candidates are saved; continue with --resume <run dir>"
        case let .nonFiniteLoss(phase, step): return "the loss became NaN or infinite in \(phase) at step \(step) — lower --lr"
        case let .tooFewImages(split, count, batch):
            return "the \(split) split has \(count) images, fewer than one batch of \(batch) — use a smaller --batch or more data"
        case let .budgetTooSmall(budget, smallest, scope):
            return "no subnet fits --mem \(budget) (\(scope) training memory): the smallest planned is \(smallest) — raise --mem, lower --batch or add smaller --resolutions"
        case let .unsupportedMethod(m):
            return "--method \(m) cannot be searched (its trainables are not shared by subnets) — use "
                + TransferMethod.searchable.map(\.name).joined(separator: ", ")
        case let .historyMismatch(run, candidate):
            return "\(run): candidate \(candidate) in history.sqlite differs from what this search draws — resume with the settings the run was started with"
        case let .overBudget(detail):
            return "the final training's \(detail)"
        case let .invalid(message): return message
        }
    }
}
