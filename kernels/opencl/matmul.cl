/*
 * matmul.cl: C = alpha * op(A) * op(B) + beta * C, row-major; op(X) is X or its transpose.
 * A is M x K (K x M when transA), B is K x N (N x K when transB), C is M x N. With beta == 0,
 * C is not read. Any sizes: every load and store is guarded, no size must be a tile multiple.
 *
 * Variants, in the order a kernel experimenter would try them:
 *
 *   matmul_naive     one work-item per element of C, a dot product straight from global memory.
 *                    The baseline: every element of A and B is read N and M times.
 *   matmul_tiled     TILED_TS x TILED_TS work-groups stage tiles of A and B in local memory, so
 *                    each element comes from global memory once per tile instead of once per use.
 *                    A transposed operand is loaded with the work-items laid along its contiguous
 *                    dimension (reads stay coalesced) and written into the tile transposed.
 *   matmul_regblock  2-D register blocking: a work-group computes an RB_BM x RB_BN block of C, each
 *                    work-item an RB_TM x RB_TN sub-block held in registers, so each value read
 *                    feeds RB_TM or RB_TN multiply-adds instead of 1. A work-item's rows are
 *                    RB_BM / RB_TM apart and its columns come in vectors of RB_VW contiguous ones,
 *                    RB_VW * (RB_BN / RB_TN) apart, so neighbouring work-items touch neighbouring
 *                    addresses (coalesced on a GPU; vectorisable across work-items on a CPU).
 *                    With RB_LOCAL 1, tiles of RB_BM x RB_BK (A) and RB_BK x RB_BN (B) are staged
 *                    in local memory by the whole work-group, each operand read along its
 *                    contiguous dimension as stored (transposes cost nothing extra). With RB_LOCAL
 *                    0 every work-item reads A and B from global memory itself: no barriers and
 *                    no copies, which suits CPU devices whose caches do the staging (PoCL).
 *   dense_forward    matmul_regblock's core for out = act(X * W + bias), with the bias and the
 *                    activation applied in the epilogue while the block is still in registers: a
 *                    dense layer's forward pass is one kernel. It takes the RB_ parameters too.
 *
 * Tile parameters: compile-time defines, set by the host with -D (`scratchnet kernels tune`
 * searches them per device; `scratchnet devices` and `kernels bench` say which are in use and
 * where they came from). All are powers of two. The host (OpenClTuning) lists the same values.
 *
 *   TILED_TS  matmul_tiled's tile side and work-group shape (TS x TS)    8, 16 (default), 32
 *   RB_BM     rows of C per work-group (block tile)                      8 .. 128, default 64
 *   RB_BN     columns of C per work-group (block tile)                   8 .. 128, default 64
 *   RB_BK     k step: depth of the staged tiles (RB_LOCAL 1 only)        4 .. 32, default 16
 *   RB_TM     rows of C per work-item (per-thread tile)                  1 .. 16, default 4
 *   RB_TN     columns of C per work-item (per-thread tile)               1 .. 32, default 4
 *   RB_VW     vector width: a work-item's columns are read, accumulated  1 (default), 2, 4, 8, 16
 *             and kept as vectors of VW (floatN / doubleN)
 *   RB_LOCAL  1: stage tiles in local memory (default); 0: read global memory directly
 *
 * Rules: RB_TM divides RB_BM, RB_TN divides RB_BN, RB_VW divides RB_TN, RB_TM * RB_TN <= 256
 * accumulators. The work-group shape follows: (RB_BN / RB_TN) x (RB_BM / RB_TM) work-items, at
 * most the device's maximum work-group size; staged, the tiles take RB_BK * (RB_BM + 1 + RB_BN +
 * pad) elements of local memory (pad 1 when RB_VW is 1, else 0), at most the device's local memory.
 * The defaults are the kernel as first written: 16 x 16 work-groups, 64 x 64 blocks, 4 x 4 per
 * work-item, k step 16, scalar, staged.
 */

#ifndef TILED_TS
#define TILED_TS 16
#endif
#ifndef RB_BM
#define RB_BM 64
#endif
#ifndef RB_BN
#define RB_BN 64
#endif
#ifndef RB_BK
#define RB_BK 16
#endif
#ifndef RB_TM
#define RB_TM 4
#endif
#ifndef RB_TN
#define RB_TN 4
#endif
#ifndef RB_VW
#define RB_VW 1
#endif
#ifndef RB_LOCAL
#define RB_LOCAL 1
#endif

/* log2 of a power of two up to 2^12, as a constant expression */
#define SN_LOG2(x) ((x) >= 4096 ? 12 : (x) >= 2048 ? 11 : (x) >= 1024 ? 10 : (x) >= 512 ? 9 : (x) >= 256 ? 8 : (x) >= 128 ? 7 \
                    : (x) >= 64 ? 6 : (x) >= 32 ? 5 : (x) >= 16 ? 4 : (x) >= 8 ? 3 : (x) >= 4 ? 2 : (x) >= 2 ? 1 : 0)

#define RB_WGX (RB_BN / RB_TN)        /* work-group shape */
#define RB_WGY (RB_BM / RB_TM)
#define RB_WG (RB_WGX * RB_WGY)
#define RB_TNV (RB_TN / RB_VW)        /* vectors per row of a work-item's sub-block */
/* Rows of the staged tiles are padded by one element against local-memory bank conflicts where
   work-items write a tile transposed; B's only when it is read as scalars, so that vector reads
   of B's tile stay aligned. */
#define RB_PAD_A 1
#define RB_PAD_B (RB_VW == 1 ? 1 : 0)

#if RB_BM % RB_TM != 0 || RB_BN % RB_TN != 0 || RB_TN % RB_VW != 0
#error "matmul.cl: RB_TM must divide RB_BM, RB_TN must divide RB_BN, RB_VW must divide RB_TN"
#endif

/* REALV: RB_VW REALs as one vector; VLOAD/VSTORE read and write one at a pointer. */
#define SN_CAT_(a, b) a##b
#define SN_CAT(a, b) SN_CAT_(a, b)
#if RB_VW == 1
#define REALV REAL
#define VLOAD(p) (*(p))
#define VSTORE(v, p) (*(p) = (v))
#else
#define REALV SN_CAT(REAL, RB_VW)
#define VLOAD(p) SN_CAT(vload, RB_VW)(0, p)
#define VSTORE(v, p) SN_CAT(vstore, RB_VW)(v, 0, p)
#endif

inline REAL a_at(__global const REAL* A, int transA, int M, int K, int i, int k) {
    return transA ? A[(size_t) k * M + i] : A[(size_t) i * K + k];
}

inline REAL b_at(__global const REAL* B, int transB, int K, int N, int k, int j) {
    return transB ? B[(size_t) j * K + k] : B[(size_t) k * N + j];
}

__kernel void matmul_naive(int M, int N, int K, int transA, int transB, REAL alpha, __global const REAL* A,
                           __global const REAL* B, REAL beta, __global REAL* C) {
    int j = get_global_id(0);
    int i = get_global_id(1);
    if (i >= M || j >= N) {
        return;
    }
    REAL s = 0;
    for (int k = 0; k < K; k++) {
        s += a_at(A, transA, M, K, i, k) * b_at(B, transB, K, N, k, j);
    }
    size_t c = (size_t) i * N + j;
    if (beta == 0) {
        C[c] = alpha * s;
    } else {
        C[c] = alpha * s + beta * C[c];
    }
}

__kernel __attribute__((reqd_work_group_size(TILED_TS, TILED_TS, 1)))
void matmul_tiled(int M, int N, int K, int transA, int transB, REAL alpha, __global const REAL* A,
                  __global const REAL* B, REAL beta, __global REAL* C) {
    __local REAL As[TILED_TS][TILED_TS + 1];   /* As[i][k] */
    __local REAL Bs[TILED_TS][TILED_TS + 1];   /* Bs[k][j] */
    int tx = get_local_id(0);
    int ty = get_local_id(1);
    int i0 = get_group_id(1) * TILED_TS;
    int j0 = get_group_id(0) * TILED_TS;
    REAL s = 0;
    for (int k0 = 0; k0 < K; k0 += TILED_TS) {
        if (!transA) {          /* contiguous along k: tx walks k */
            int i = i0 + ty, k = k0 + tx;
            As[ty][tx] = (i < M && k < K) ? A[(size_t) i * K + k] : (REAL) 0;
        } else {                /* contiguous along i: tx walks i */
            int i = i0 + tx, k = k0 + ty;
            As[tx][ty] = (i < M && k < K) ? A[(size_t) k * M + i] : (REAL) 0;
        }
        if (!transB) {          /* contiguous along j */
            int k = k0 + ty, j = j0 + tx;
            Bs[ty][tx] = (k < K && j < N) ? B[(size_t) k * N + j] : (REAL) 0;
        } else {                /* contiguous along k */
            int k = k0 + tx, j = j0 + ty;
            Bs[tx][ty] = (k < K && j < N) ? B[(size_t) j * K + k] : (REAL) 0;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < TILED_TS; kk++) {
            s += As[ty][kk] * Bs[kk][tx];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    int i = i0 + ty, j = j0 + tx;
    if (i < M && j < N) {
        size_t c = (size_t) i * N + j;
        if (beta == 0) {
            C[c] = alpha * s;
        } else {
            C[c] = alpha * s + beta * C[c];
        }
    }
}

/* The block-relative row of a work-item's r-th row and the first column of its c-th vector. */
#define RB_ROW(r, ty) ((r) * RB_WGY + (ty))
#define RB_COL(c, tx) (((c) * RB_WGX + (tx)) * RB_VW)

/* Sets acc to zero. */
inline void rb_clear(REALV acc[RB_TM][RB_TNV]) {
    for (int r = 0; r < RB_TM; r++) {
        for (int c = 0; c < RB_TNV; c++) {
            acc[r][c] = (REALV) 0;
        }
    }
}

#if RB_LOCAL
/*
 * The register-blocked core shared by matmul_regblock and dense_forward, staged version: the
 * work-group loads RB_BM x RB_BK of op(A) into As[k][m] and RB_BK x RB_BN of op(B) into Bs[k][n]
 * (zeros outside the matrices), then each work-item accumulates its sub-block from them. The tile
 * sizes are powers of two, so an element index splits with shifts and masks (a / and % pair makes
 * LLVM emit `freeze`, which Oclgrind's uninitialised-value checker cannot interpret). Loop trip
 * counts are the same for every work-item and the indices are signed ints: either change made
 * the kernel 4 times slower on PoCL, whose work-item loops must stay simple to vectorise.
 */
inline void rb_accumulate(int M, int N, int K, int transA, int transB, __global const REAL* A, __global const REAL* B,
                          __local REAL (*As)[RB_BM + RB_PAD_A], __local REAL (*Bs)[RB_BN + RB_PAD_B], REALV acc[RB_TM][RB_TNV]) {
    int tx = get_local_id(0);
    int ty = get_local_id(1);
    int tid = ty * RB_WGX + tx;
    int i0 = get_group_id(1) * RB_BM;
    int j0 = get_group_id(0) * RB_BN;
    rb_clear(acc);
    for (int k0 = 0; k0 < K; k0 += RB_BK) {
        /* uniform trip counts (the same for every work-item) let PoCL keep its work-item loops innermost */
        for (int q = 0; q < (RB_BM * RB_BK + RB_WG - 1) / RB_WG; q++) {
            int e = tid + q * RB_WG;
            if (RB_BM * RB_BK % RB_WG != 0 && e >= RB_BM * RB_BK) {
                break;
            }
            int row, k;
            if (!transA) {                 /* A[i][k]: consecutive work-items walk k */
                row = e >> SN_LOG2(RB_BK);
                k = e & (RB_BK - 1);
            } else {                       /* A[k][i]: consecutive work-items walk i */
                k = e >> SN_LOG2(RB_BM);
                row = e & (RB_BM - 1);
            }
            int gi = i0 + row, gk = k0 + k;
            As[k][row] = (gi < M && gk < K) ? a_at(A, transA, M, K, gi, gk) : (REAL) 0;
        }
        for (int q = 0; q < (RB_BK * RB_BN + RB_WG - 1) / RB_WG; q++) {
            int e = tid + q * RB_WG;
            if (RB_BK * RB_BN % RB_WG != 0 && e >= RB_BK * RB_BN) {
                break;
            }
            int col, k;
            if (!transB) {                 /* B[k][j]: consecutive work-items walk j */
                k = e >> SN_LOG2(RB_BN);
                col = e & (RB_BN - 1);
            } else {                       /* B[j][k]: consecutive work-items walk k */
                col = e >> SN_LOG2(RB_BK);
                k = e & (RB_BK - 1);
            }
            int gj = j0 + col, gk = k0 + k;
            Bs[k][col] = (gk < K && gj < N) ? b_at(B, transB, K, N, gk, gj) : (REAL) 0;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < RB_BK; kk++) {
            REAL a[RB_TM];
            for (int r = 0; r < RB_TM; r++) {
                a[r] = As[kk][RB_ROW(r, ty)];
            }
            REALV b[RB_TNV];
            for (int c = 0; c < RB_TNV; c++) {
                b[c] = VLOAD(&Bs[kk][RB_COL(c, tx)]);
            }
            for (int r = 0; r < RB_TM; r++) {
                for (int c = 0; c < RB_TNV; c++) {
                    acc[r][c] += a[r] * b[c];
                }
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}
#else
/*
 * The register-blocked core, direct version: each work-item reads its rows of op(A) and columns of
 * op(B) from global memory. Rows past M are read clamped to row M-1 (their results are never
 * stored). Where all of the work-item's columns lie inside B and B is not transposed, its vectors
 * are loaded whole; otherwise element by element, with zeros past N.
 */
inline void rb_accumulate(int M, int N, int K, int transA, int transB, __global const REAL* A, __global const REAL* B,
                          REALV acc[RB_TM][RB_TNV]) {
    int tx = get_local_id(0);
    int ty = get_local_id(1);
    int i0 = get_group_id(1) * RB_BM;
    int j0 = get_group_id(0) * RB_BN;
    int rows[RB_TM];
    for (int r = 0; r < RB_TM; r++) {
        rows[r] = min(i0 + RB_ROW(r, ty), M - 1);
    }
    rb_clear(acc);
    if (!transB && j0 + RB_COL(RB_TNV - 1, tx) + RB_VW <= N) {
        for (int k = 0; k < K; k++) {
            REAL a[RB_TM];
            for (int r = 0; r < RB_TM; r++) {
                a[r] = a_at(A, transA, M, K, rows[r], k);
            }
            __global const REAL* brow = B + (size_t) k * N + j0;
            for (int c = 0; c < RB_TNV; c++) {
                REALV b = VLOAD(brow + RB_COL(c, tx));
                for (int r = 0; r < RB_TM; r++) {
                    acc[r][c] += a[r] * b;
                }
            }
        }
    } else {
        for (int k = 0; k < K; k++) {
            REAL a[RB_TM];
            for (int r = 0; r < RB_TM; r++) {
                a[r] = a_at(A, transA, M, K, rows[r], k);
            }
            for (int c = 0; c < RB_TNV; c++) {
                REAL lanes[RB_VW];
                for (int v = 0; v < RB_VW; v++) {
                    int j = j0 + RB_COL(c, tx) + v;
                    lanes[v] = j < N ? b_at(B, transB, K, N, k, j) : (REAL) 0;
                }
                REALV b = VLOAD(lanes);
                for (int r = 0; r < RB_TM; r++) {
                    acc[r][c] += a[r] * b;
                }
            }
        }
    }
}
#endif

/* __local variables must be declared in the kernel itself: RB_CORE declares the staged tiles. */
#if RB_LOCAL
#define RB_CORE(transA, transB, A, B, acc) \
    __local REAL As[RB_BK][RB_BM + RB_PAD_A]; \
    __local REAL Bs[RB_BK][RB_BN + RB_PAD_B]; \
    rb_accumulate(M, N, K, transA, transB, A, B, As, Bs, acc)
#else
#define RB_CORE(transA, transB, A, B, acc) rb_accumulate(M, N, K, transA, transB, A, B, acc)
#endif

__kernel __attribute__((reqd_work_group_size(RB_WGX, RB_WGY, 1)))
void matmul_regblock(int M, int N, int K, int transA, int transB, REAL alpha, __global const REAL* A,
                     __global const REAL* B, REAL beta, __global REAL* C) {
    REALV acc[RB_TM][RB_TNV];
    RB_CORE(transA, transB, A, B, acc);
    int tx = get_local_id(0), ty = get_local_id(1);
    int i0 = get_group_id(1) * RB_BM, j0 = get_group_id(0) * RB_BN;
    for (int r = 0; r < RB_TM; r++) {
        int i = i0 + RB_ROW(r, ty);
        if (i >= M) {
            continue;
        }
        for (int c = 0; c < RB_TNV; c++) {
            REAL lanes[RB_VW];
            VSTORE(acc[r][c], lanes);
            for (int v = 0; v < RB_VW; v++) {
                int j = j0 + RB_COL(c, tx) + v;
                if (j < N) {
                    size_t o = (size_t) i * N + j;
                    if (beta == 0) {
                        C[o] = alpha * lanes[v];
                    } else {
                        C[o] = alpha * lanes[v] + beta * C[o];
                    }
                }
            }
        }
    }
}

__kernel __attribute__((reqd_work_group_size(RB_WGX, RB_WGY, 1)))
void dense_forward(int M, int N, int K, __global const REAL* X, __global const REAL* W, __global const REAL* bias,
                   int act, REAL act_param, __global REAL* out) {
    REALV acc[RB_TM][RB_TNV];
    RB_CORE(0, 0, X, W, acc);
    int tx = get_local_id(0), ty = get_local_id(1);
    int i0 = get_group_id(1) * RB_BM, j0 = get_group_id(0) * RB_BN;
    for (int r = 0; r < RB_TM; r++) {
        int i = i0 + RB_ROW(r, ty);
        if (i >= M) {
            continue;
        }
        for (int c = 0; c < RB_TNV; c++) {
            REAL lanes[RB_VW];
            VSTORE(acc[r][c], lanes);
            for (int v = 0; v < RB_VW; v++) {
                int j = j0 + RB_COL(c, tx) + v;
                if (j < N) {
                    out[(size_t) i * N + j] = act_apply(act, act_param, lanes[v] + bias[j]);
                }
            }
        }
    }
}
