import Datasets
import Transfer

extension Trainer {
    /// Top-1, top-5 and summed loss over every batch `next` yields, in order — the one evaluation loop of
    /// fine-tuning, the search's candidates and `eval`. Nil when `interrupted` says so between batches.
    public func evaluate(batches next: () throws -> Batch?,
                         interrupted: () -> Bool = { false }) rethrows -> Evaluation? {
        var total = Evaluation()
        while let b = try next() {
            if interrupted() { return nil }
            total = total + evaluate(images: b.images, labels: b.labels)
        }
        return total
    }
}
