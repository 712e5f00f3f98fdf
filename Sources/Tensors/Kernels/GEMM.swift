import CBLAS

/// C = alpha · op(A) · op(B) + beta · C, row-major, through OpenBLAS `cblas_sgemm`.
///
/// op(A) is (m, k), op(B) is (k, n), C is (m, n) with leading dimension `ldc`. With `transA`, A is stored
/// (k, m); with `transB`, B is stored (n, k) — the layout of PyTorch linear weights and of our conv weights.
/// - Complexity: 2·m·n·k flops.
public func gemm(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    guard m > 0, n > 0 else { return }
    // Rows of C are split across our own workers, each calling single-threaded OpenBLAS: OpenBLAS's
    // own pool spins after each call and would fight the depthwise and epilogue loops for the cores.
    let rowsPerWorker = Swift.max(16, (m + Parallelism.threads - 1) / Parallelism.threads)
    let worthSplitting = !transA && m >= 32 && m * n * k >= 1 << 18
    Parallelism.forEachChunk(m, minChunk: worthSplitting ? rowsPerWorker : m) { rows in
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(rows.count), Int32(n), Int32(k), alpha, a + rows.lowerBound * lda, Int32(lda), b, Int32(ldb), beta,
            c + rows.lowerBound * ldc, Int32(ldc))
    }
}

/// C += Aᵀ · B (`accumulate`, else C = Aᵀ · B) with A stored (k, m), B (k, n), C (m, n), row-major: the shape
/// of every weight gradient.
///
/// `gemm` splits only untransposed A by rows, so here the columns of C (or its rows, when there are more)
/// are split across workers, each calling single-threaded OpenBLAS.
func gemmTransA(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
) {
    guard m > 0, n > 0 else { return }
    let beta: Float = accumulate ? 1 : 0
    guard k > 0 else {
        if !accumulate { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
        return
    }
    let big = m * n * k >= 1 << 18
    if n >= m {
        Parallelism.forEachChunk(n, minChunk: big ? 16 : n) { cols in
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(m), Int32(cols.count), Int32(k), 1,
                        a, Int32(lda), b + cols.lowerBound, Int32(ldb), beta, c + cols.lowerBound, Int32(ldc))
        }
    } else {
        Parallelism.forEachChunk(m, minChunk: big ? 16 : m) { rows in
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(rows.count), Int32(n), Int32(k), 1,
                        a + rows.lowerBound, Int32(lda), b, Int32(ldb), beta, c + rows.lowerBound * ldc, Int32(ldc))
        }
    }
}

/// Plain triple loop with the same contract as `gemm`, accumulating in Double (the oracle).
public func gemmReference(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    for i in 0..<m {
        for j in 0..<n {
            var s = 0.0
            for p in 0..<k {
                let av = transA ? a[p * lda + i] : a[i * lda + p]
                let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                s += Double(av) * Double(bv)
            }
            c[i * ldc + j] = Float(Double(alpha) * s + (beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])))
        }
    }
}
