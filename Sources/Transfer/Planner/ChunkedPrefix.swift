import Tensors

/// Sample-chunked execution of the front of a graph: its first `ops` ops run on `images` images at a time —
/// the forward chunk after chunk, and after the rest of the backward, their backward chunk after chunk — while
/// the remaining ops run on the whole batch.
///
/// Why: the high-resolution front of a mobile network holds the largest activations (an expanded 64×64 tensor
/// of 8 images is 12.6 MB at 128 px), yet every op is per-sample (frozen batch norms and GroupNorm have no batch
/// statistics), so running it on a few images at a time gives the same results — weight and bias gradients
/// accumulate over the chunks — with those tensors a fraction of the size. What the whole batch still needs
/// stays full-size and is addressed a chunk at a time: values crossing into the rest of the graph, what the
/// backward saves (inputs, 1-bit masks), the input images and the gradients flowing back into the front.
/// (Patch-based inference, MCUNetV2, splits the same layers spatially; samples need no halo.)
///
/// In the plan (`Planner`): a value produced and read only inside the front and not saved for the backward is a
/// *chunk tensor* of `images` images with its usual lifetime; so is a gradient written and read only inside the
/// front. Every other tensor the front touches is a *batch tensor* whose lifetime spans every pass over the
/// front (forward steps 0…ops−1, backward steps 2F−ops+1…2F) and which the trainer addresses with
/// `PlannedTensor.chunkStride`. Parameter gradients of the front (fused updates) live over its whole backward
/// and are applied after the last chunk.
public struct ChunkedPrefix: Equatable, Sendable, CustomStringConvertible {
    /// The number of leading ops run in chunks (1…F−1).
    public var ops: Int
    /// Images per chunk (divides the batch).
    public var images: Int

    public init(ops: Int, images: Int) {
        precondition(ops >= 1 && images >= 1, "a chunked prefix needs at least one op and one image")
        self.ops = ops; self.images = images
    }

    public var description: String { "first \(ops) ops in chunks of \(images) image\(images == 1 ? "" : "s")" }
}

/// How the planner chooses sample chunking (`ChunkedPrefix`).
public enum Chunking: Equatable, Sendable {
    /// The whole graph runs on the whole batch.
    case none
    case prefix(ChunkedPrefix)
    /// The candidate of `Planner.chunkingCandidates` with the smallest peak of live bytes (no chunking when there
    /// is none; see `Planner.plan`).
    case automatic
}

extension Planner {
    /// The chunked prefixes `.automatic` tries for `batch` > 1: cut after the last op of each run of equal
    /// resolution (a stage end) whose output is the only value crossing the cut and still has at least 16 times the
    /// pixels of the final feature map (below that, an image's GEMMs get too small to pay for the passes), with
    /// chunks of one image (a chunk tensor only shrinks with fewer images, so one image gives the smallest arena).
    static func chunkingCandidates(_ graph: TrainingGraph, _ shapes: ValueShapes, batch: Int) -> [ChunkedPrefix] {
        let f = graph.ops.count
        guard batch > 1, f > 1 else { return [] }
        var lastReader = Array(0...f)
        for (i, op) in graph.ops.enumerated() { for v in op.inputs { lastReader[v] = max(lastReader[v], i) } }
        func pixels(_ v: Int) -> Int { shapes.shapes[v][1] * shapes.shapes[v][2] }
        // The final feature map: the smallest map before pooling to 1×1.
        let final = (0...f).map(pixels).filter { $0 > 1 }.min() ?? 1
        var cuts: [Int] = []
        for s in 1..<f where pixels(s) >= 16 * final {
            // The prefix ops 0..<s hand exactly one value, op s−1's output, to the rest.
            guard (0..<s).allSatisfy({ lastReader[$0] < s }) else { continue }
            if let last = cuts.last, pixels(last) == pixels(s) { cuts.removeLast() }
            cuts.append(s)
        }
        return cuts.map { ChunkedPrefix(ops: $0, images: 1) }
    }
}
