/// How many bytes of state an optimiser keeps for a trainable tensor: what the planner reserves in the arena.
///
/// Concretely, for a tensor of n values:
///
///     .floats(k)            4·k·n bytes      (plain SGD k = 0, SGD with momentum 1, Adam 2)
///     .blockwise8Bit(B)     2·n + 8·⌈n/B⌉ bytes, rounded up to a multiple of 4
///                           (Adam8: one byte per value for each moment, one float32 scale per block per moment)
///
/// The arena hands the state over as float32 words (`Optimizer.step(_:parameters:gradients:state:lr:)`), so
/// every size is whole words; the planner reserves exactly ``bytes(count:)`` and nothing else is allocated.
public enum OptimizerStateSize: Sendable, Hashable {
    case floats(perValue: Int)
    case blockwise8Bit(blockSize: Int)

    /// State bytes for a tensor of `n` values (a multiple of 4).
    public func bytes(count n: Int) -> Int {
        switch self {
        case .floats(let k): return 4 * k * n
        case .blockwise8Bit(let b): return (2 * n + 8 * Self.blocks(n, b) + 3) / 4 * 4
        }
    }

    /// State float32 words for a tensor of `n` values.
    public func words(count n: Int) -> Int { bytes(count: n) / 4 }

    /// Blocks of `size` values covering `n` values (the last one may be shorter).
    static func blocks(_ n: Int, _ size: Int) -> Int { (n + size - 1) / size }
}
