// Unaligned eight-float loads and stores for the optimisers' vectorised updates (Tensors keeps its own).

/// Elements below which an optimiser updates a tensor on one thread (a handoff costs about as much as 8 K elements).
let optimizerMinChunk = 1 << 14

@inline(__always) func loadVector(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) func loadVector(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) func storeVector(_ x: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: x, as: SIMD8<Float>.self)
}
