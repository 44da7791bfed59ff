/*
 * matmul.cl: C = alpha * op(A) * op(B) + beta * C, row-major; op(X) is X or its transpose.
 * A is M x K (K x M when transA), B is K x N (N x K when transB), C is M x N. With beta == 0,
 * C is not read. Any sizes: every load and store is guarded, no size must be a tile multiple.
 *
 * Variants, in the order a kernel experimenter would try them:
 *
 *   matmul_naive     one work-item per element of C, a dot product straight from global memory.
 *                    The baseline: every element of A and B is read N and M times.
 *   matmul_tiled     16 x 16 work-groups stage 16 x 16 tiles of A and B in local memory, so each
 *                    element comes from global memory once per tile instead of once per use.
 *                    A transposed operand is loaded with the work-items laid along its contiguous
 *                    dimension (reads stay coalesced) and written into the tile transposed.
 *   matmul_regblock  2-D register blocking: a 16 x 16 work-group computes a 64 x 64 block of C,
 *                    each work-item a 4 x 4 sub-block held in registers, so each value read from
 *                    local memory feeds 4 multiply-adds instead of 1. Tiles of 64 x 16 (A) and
 *                    16 x 64 (B) are loaded by all 256 work-items, 4 elements each, along the
 *                    contiguous dimension of the operand as stored (transposes cost nothing extra);
 *                    a work-item's outputs are 16 apart so that stores are coalesced too.
 *   dense_forward    matmul_regblock for out = act(X * W + bias), with the bias and the
 *                    activation applied in the epilogue while the block is still in registers: a
 *                    dense layer's forward pass is one kernel.
 */

#define TS 16
#define RB 64       /* block of C per work-group in matmul_regblock */
#define RB_LOG2 6
#define RK 16       /* step of k per tile */
#define RK_LOG2 4
#define WPT 4       /* outputs per work-item, per dimension */

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

__kernel __attribute__((reqd_work_group_size(TS, TS, 1)))
void matmul_tiled(int M, int N, int K, int transA, int transB, REAL alpha, __global const REAL* A,
                  __global const REAL* B, REAL beta, __global REAL* C) {
    __local REAL As[TS][TS + 1];   /* As[i][k] */
    __local REAL Bs[TS][TS + 1];   /* Bs[k][j] */
    int tx = get_local_id(0);
    int ty = get_local_id(1);
    int i0 = get_group_id(1) * TS;
    int j0 = get_group_id(0) * TS;
    REAL s = 0;
    for (int k0 = 0; k0 < K; k0 += TS) {
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
        for (int kk = 0; kk < TS; kk++) {
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

/*
 * The register-blocked core shared by matmul_regblock and dense_forward: accumulates the 4 x 4
 * outputs of this work-item, rows i0 + ty + 16 r, columns j0 + tx + 16 c.
 */
inline void regblock_accumulate(int M, int N, int K, int transA, int transB, __global const REAL* A,
                                __global const REAL* B, __local REAL (*As)[RB + 1], __local REAL (*Bs)[RB + 1],
                                REAL acc[WPT][WPT]) {
    int tx = get_local_id(0);
    int ty = get_local_id(1);
    int tid = ty * TS + tx;
    int i0 = get_group_id(1) * RB;
    int j0 = get_group_id(0) * RB;
    for (int r = 0; r < WPT; r++) {
        for (int c = 0; c < WPT; c++) {
            acc[r][c] = 0;
        }
    }
    for (int k0 = 0; k0 < K; k0 += RK) {
        for (int q = 0; q < WPT; q++) {
            /* idx 0 .. 1023: one element of the 64 x 16 tiles. The tile sizes are powers of two, so the
               index splits with shifts and masks (a / and % pair makes LLVM emit `freeze`, which
               Oclgrind's uninitialised-value checker cannot interpret). */
            int idx = tid + q * TS * TS;
            int row, k;
            if (!transA) {                     /* A[i][k]: 16 consecutive work-items read one row */
                row = idx >> RK_LOG2;
                k = idx & (RK - 1);
            } else {                           /* A[k][i]: 64 consecutive work-items read one row */
                k = idx >> RB_LOG2;
                row = idx & (RB - 1);
            }
            int gi = i0 + row, gk = k0 + k;
            As[k][row] = (gi < M && gk < K) ? a_at(A, transA, M, K, gi, gk) : (REAL) 0;
            int col;
            if (!transB) {                     /* B[k][j] */
                k = idx >> RB_LOG2;
                col = idx & (RB - 1);
            } else {                           /* B[j][k] */
                col = idx >> RK_LOG2;
                k = idx & (RK - 1);
            }
            int gj = j0 + col;
            gk = k0 + k;
            Bs[k][col] = (gk < K && gj < N) ? b_at(B, transB, K, N, gk, gj) : (REAL) 0;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < RK; kk++) {
            REAL a[WPT], b[WPT];
            for (int r = 0; r < WPT; r++) {
                a[r] = As[kk][ty + TS * r];
            }
            for (int c = 0; c < WPT; c++) {
                b[c] = Bs[kk][tx + TS * c];
            }
            for (int r = 0; r < WPT; r++) {
                for (int c = 0; c < WPT; c++) {
                    acc[r][c] += a[r] * b[c];
                }
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

__kernel __attribute__((reqd_work_group_size(TS, TS, 1)))
void matmul_regblock(int M, int N, int K, int transA, int transB, REAL alpha, __global const REAL* A,
                     __global const REAL* B, REAL beta, __global REAL* C) {
    __local REAL As[RK][RB + 1];
    __local REAL Bs[RK][RB + 1];
    REAL acc[WPT][WPT];
    regblock_accumulate(M, N, K, transA, transB, A, B, As, Bs, acc);
    int i0 = get_group_id(1) * RB + get_local_id(1);
    int j0 = get_group_id(0) * RB + get_local_id(0);
    for (int r = 0; r < WPT; r++) {
        int i = i0 + TS * r;
        for (int c = 0; c < WPT; c++) {
            int j = j0 + TS * c;
            if (i < M && j < N) {
                size_t o = (size_t) i * N + j;
                if (beta == 0) {
                    C[o] = alpha * acc[r][c];
                } else {
                    C[o] = alpha * acc[r][c] + beta * C[o];
                }
            }
        }
    }
}

__kernel __attribute__((reqd_work_group_size(TS, TS, 1)))
void dense_forward(int M, int N, int K, __global const REAL* X, __global const REAL* W, __global const REAL* bias,
                   int act, REAL act_param, __global REAL* out) {
    __local REAL As[RK][RB + 1];
    __local REAL Bs[RK][RB + 1];
    REAL acc[WPT][WPT];
    regblock_accumulate(M, N, K, 0, 0, X, W, As, Bs, acc);
    int i0 = get_group_id(1) * RB + get_local_id(1);
    int j0 = get_group_id(0) * RB + get_local_id(0);
    for (int r = 0; r < WPT; r++) {
        int i = i0 + TS * r;
        for (int c = 0; c < WPT; c++) {
            int j = j0 + TS * c;
            if (i < M && j < N) {
                out[(size_t) i * N + j] = act_apply(act, act_param, acc[r][c] + bias[j]);
            }
        }
    }
}
