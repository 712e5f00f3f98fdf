import Tensors

/// Top-1/top-5 counts and the mean plain cross-entropy over an evaluated set.
public struct Evaluation: Equatable, Sendable {
    public var count = 0, top1 = 0, top5 = 0
    public var lossSum = 0.0
    /// Whether each image was top-1 correct, in evaluation order (for paired comparisons of two models on the same
    /// images); empty when the counts were given rather than evaluated.
    public var hits: [Bool] = []

    /// Counts of `count` images: `top1`/`top5` correct, `lossSum` the summed (not mean) plain cross-entropy.
    public init(count: Int = 0, top1: Int = 0, top5: Int = 0, lossSum: Double = 0, hits: [Bool] = []) {
        self.count = count; self.top1 = top1; self.top5 = top5; self.lossSum = lossSum; self.hits = hits
    }

    /// Adds another set's counts (evaluations of disjoint batches, `b`'s images after `a`'s).
    public static func + (a: Evaluation, b: Evaluation) -> Evaluation {
        Evaluation(count: a.count + b.count, top1: a.top1 + b.top1, top5: a.top5 + b.top5,
                   lossSum: a.lossSum + b.lossSum, hits: a.hits + b.hits)
    }

    public var top1Accuracy: Double { count == 0 ? 0 : Double(top1) / Double(count) }
    public var top5Accuracy: Double { count == 0 ? 0 : Double(top5) / Double(count) }
    public var meanLoss: Double { count == 0 ? 0 : lossSum / Double(count) }
}

/// The rank of class `label` among `classes` logits: how many classes score higher (or equal with a smaller index);
/// 0 is a top-1 hit.
func classRank(_ label: Int, logits row: UnsafePointer<Float>, classes k: Int) -> Int {
    let target = row[label]
    return (0..<k).filter { row[$0] > target || (row[$0] == target && $0 < label) }.count
}

extension Trainer {
    /// The forward-only plan for `batch` images inside the training arena (same parameter, gradient and state
    /// offsets, so evaluating between steps loses nothing), with the training plan's chunked prefix (chunks of
    /// the largest image count up to the training chunk's that divides `batch`).
    func evaluationPlan(batch: Int) -> MemoryPlan {
        if let cached = evaluationPlans[batch] { return cached }
        var chunking = Chunking.none
        if let prefix = plan.chunkedPrefix, let images = (1...min(prefix.images, batch)).last(where: { batch % $0 == 0 }), images < batch {
            chunking = .prefix(ChunkedPrefix(ops: prefix.ops, images: images))
        }
        let p = try! Planner.plan(graph, batch: batch, height: plan.height, width: plan.width,
                                  optimizerState: plan.optimizerState, backward: false,
                                  gradients: plan.gradientMode, chunking: chunking)
        precondition(p.arenaBytes <= plan.arenaBytes, "evaluation plan (\(p.arenaBytes) B) exceeds the training arena (\(plan.arenaBytes) B)")
        evaluationPlans[batch] = p
        return p
    }

    /// Evaluates images (N,H,W,C) with labels in chunks of at most `plan.batch`, forward only.
    public func evaluate(images: Tensor, labels: [Int]) -> Evaluation {
        let n = images.shape[0], perImage = images.count / max(n, 1)
        precondition(labels.count == n, "\(labels.count) labels for \(n) images")
        var result = Evaluation()
        var start = 0
        while start < n {
            let m = min(plan.batch, n - start)
            let p = evaluationPlan(batch: m)
            let chunk = Tensor(shape: [m] + images.shape.dropFirst(), values: Array(images.values[(start * perImage)..<((start + m) * perImage)]))
            forward(chunk, p)
            let logits = value(p.opCount, p), k = graph.classes
            let chunkLabels = Array(labels[start..<(start + m)])
            let loss = chunkLabels.withUnsafeBufferPointer {
                softmaxCrossEntropy(logits: logits, labels: $0.baseAddress!, batch: m, classes: k, dlogits: nil)
            }
            result.lossSum += Double(loss) * Double(m)
            for r in 0..<m {
                let rank = classRank(chunkLabels[r], logits: logits + r * k, classes: k)
                if rank == 0 { result.top1 += 1 }
                if rank < 5 { result.top5 += 1 }
                result.hits.append(rank == 0)
            }
            result.count += m
            start += m
        }
        return result
    }

    /// Mean loss (with the trainer's label smoothing) of one batch of `plan.batch` images, forward only.
    public func loss(images: Tensor, labels: [Int]) -> Float {
        let p = evaluationPlan(batch: images.shape[0])
        forward(images, p)
        return labels.withUnsafeBufferPointer {
            softmaxCrossEntropy(logits: value(p.opCount, p), labels: $0.baseAddress!, batch: images.shape[0],
                                classes: graph.classes, labelSmoothing: labelSmoothing, dlogits: nil)
        }
    }
}

extension Trainer {
    /// Logits (N, 1, 1, classes) for images (N,H,W,C), forward only, in chunks of at most `plan.batch`.
    public func predict(images: Tensor) -> Tensor {
        let n = images.shape[0], perImage = images.count / max(n, 1), k = graph.classes
        var out = [Float]()
        out.reserveCapacity(n * k)
        var start = 0
        while start < n {
            let m = min(plan.batch, n - start)
            let p = evaluationPlan(batch: m)
            forward(Tensor(shape: [m] + images.shape.dropFirst(), values: Array(images.values[(start * perImage)..<((start + m) * perImage)])), p)
            out.append(contentsOf: UnsafeBufferPointer(start: value(p.opCount, p), count: m * k))
            start += m
        }
        return Tensor(shape: [n, 1, 1, k], values: out)
    }
}
