// matmul.cu: C = alpha * op(A) * op(B) + beta * C, row-major; op(X) is X or its transpose.
// A is M x K (K x M when transA), B is K x N (N x K when transB), C is M x N. With beta == 0, C is
// not read. Any sizes: every load and store is guarded, no size must be a tile multiple.
//
// Variants, in the order of the well-known SGEMM progression (Boehm, "How to optimize a CUDA
// matmul kernel"), each trying one thing more:
//
//   matmul_naive       one thread per element of C, a dot product from global memory.
//                      block 16 x 16, grid (ceil(N/16), ceil(M/16)).
//   matmul_tiled       32 x 32 tiles of A and B staged in shared memory (one warp reads one 128-byte
//                      row of a tile), so each element is read from global memory once per tile.
//                      A transposed operand is read along its contiguous dimension and stored
//                      transposed into the tile. block 32 x 32, grid (ceil(N/32), ceil(M/32)).
//   matmul_blocktile   2-D block tiling: 256 threads compute a 64 x 64 block, each thread a 4 x 4
//                      sub-block in registers, so each value read from shared memory feeds 4
//                      multiply-adds. A's tile is stored k-major (As[k][m]) so a thread's 4 rows are
//                      contiguous. block 256, grid (ceil(N/64), ceil(M/64)).
//   matmul_vectorized  the same at 128 x 128 with 8 x 8 per thread, and 16-byte loads from global
//                      memory (float4, double2) wherever the operand's contiguous dimension is a
//                      multiple of the vector width (then every tile offset is aligned); otherwise
//                      scalar loads. block 256, grid (ceil(N/128), ceil(M/128)).
//   matmul_warptile    warp tiling: the 128 x 128 block is split into 8 warp tiles of 64 x 32; the
//                      lanes of a warp form a 4 x 8 grid and each computes 16 x 4 outputs, 4 rows
//                      and 8 columns apart, so the lanes of a warp read 4 distinct values of A
//                      (broadcast) and 8 consecutive values of B from shared memory per step: no
//                      bank conflicts, and stores of 8 consecutive columns. Loads as in
//                      matmul_vectorized. block 256, grid (ceil(N/128), ceil(M/128)).
//   dense_forward      out = act(X * W + bias): matmul_blocktile's core with the bias and the
//                      activation applied in the epilogue, so a dense layer's forward pass is one
//                      kernel. block 256, grid (ceil(N/64), ceil(M/64)).
#include "common.cuh"

template <typename T> struct Vec;
template <> struct Vec<float> { typedef float4 type; static constexpr int width = 4; };
template <> struct Vec<double> { typedef double2 type; static constexpr int width = 2; };

template <typename T>
__device__ __forceinline__ T a_at(const T* A, int transA, int M, int K, int i, int k) {
    return transA ? A[(size_t) k * M + i] : A[(size_t) i * K + k];
}

template <typename T>
__device__ __forceinline__ T b_at(const T* B, int transB, int K, int N, int k, int j) {
    return transB ? B[(size_t) j * K + k] : B[(size_t) k * N + j];
}

template <typename T>
__device__ __forceinline__ void store_c(T* C, int N, int i, int j, T alpha, T value, T beta) {
    size_t o = (size_t) i * N + j;
    if (beta == T(0)) {
        C[o] = alpha * value;
    } else {
        C[o] = alpha * value + beta * C[o];
    }
}

#define MATMUL_PARAMS(T) (int M, int N, int K, int transA, int transB, T alpha, const T* __restrict__ A, \
                          const T* __restrict__ B, T beta, T* __restrict__ C)
#define MATMUL_ARGS (M, N, K, transA, transB, alpha, A, B, beta, C)

// ---- naive ----------------------------------------------------------------------------------
template <typename T>
__device__ void matmul_naive MATMUL_PARAMS(T) {
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    int i = blockIdx.y * blockDim.y + threadIdx.y;
    if (i >= M || j >= N) {
        return;
    }
    T s = T(0);
    for (int k = 0; k < K; k++) {
        s += a_at(A, transA, M, K, i, k) * b_at(B, transB, K, N, k, j);
    }
    store_c(C, N, i, j, alpha, s, beta);
}
SN_KERNEL_BOUNDED(matmul_naive, 256, MATMUL_PARAMS, MATMUL_ARGS)

// ---- tiled ----------------------------------------------------------------------------------
#define TILE 32

template <typename T>
__device__ void matmul_tiled MATMUL_PARAMS(T) {
    __shared__ T As[TILE][TILE + 1];   // As[i][k]
    __shared__ T Bs[TILE][TILE + 1];   // Bs[k][j]
    int tx = threadIdx.x, ty = threadIdx.y;
    int i0 = blockIdx.y * TILE, j0 = blockIdx.x * TILE;
    T s = T(0);
    for (int k0 = 0; k0 < K; k0 += TILE) {
        if (!transA) {
            int i = i0 + ty, k = k0 + tx;
            As[ty][tx] = (i < M && k < K) ? A[(size_t) i * K + k] : T(0);
        } else {
            int i = i0 + tx, k = k0 + ty;
            As[tx][ty] = (i < M && k < K) ? A[(size_t) k * M + i] : T(0);
        }
        if (!transB) {
            int k = k0 + ty, j = j0 + tx;
            Bs[ty][tx] = (k < K && j < N) ? B[(size_t) k * N + j] : T(0);
        } else {
            int k = k0 + tx, j = j0 + ty;
            Bs[tx][ty] = (k < K && j < N) ? B[(size_t) j * K + k] : T(0);
        }
        __syncthreads();
        for (int kk = 0; kk < TILE; kk++) {
            s += As[ty][kk] * Bs[kk][tx];
        }
        __syncthreads();
    }
    int i = i0 + ty, j = j0 + tx;
    if (i < M && j < N) {
        store_c(C, N, i, j, alpha, s, beta);
    }
}
SN_KERNEL_BOUNDED(matmul_tiled, 1024, MATMUL_PARAMS, MATMUL_ARGS)

// ---- loading BM x BK and BK x BN tiles into shared memory, k-major ---------------------------
// As[k][m] = op(A)(m0 + m, k0 + k) and Bs[k][n] = op(B)(k0 + k, n0 + n), zeros outside. Threads
// walk each operand along its contiguous dimension as stored; with VEC, W elements at a time.
template <typename T, int BM, int BN, int BK, int THREADS, bool VEC>
__device__ __forceinline__ void load_tiles(int M, int N, int K, int transA, int transB, const T* __restrict__ A,
                                           const T* __restrict__ B, int m0, int n0, int k0, T (*As)[BM], T (*Bs)[BN]) {
    constexpr int W = Vec<T>::width;
    const int tid = threadIdx.x;
    if (VEC && (transA ? M : K) % W == 0) {
        for (int e = tid; e < BM * BK / W; e += THREADS) {
            int m, k;
            if (!transA) {
                m = e / (BK / W);
                k = (e % (BK / W)) * W;
            } else {
                k = e / (BM / W);
                m = (e % (BM / W)) * W;
            }
            int gm = m0 + m, gk = k0 + k;
            T c[W];
            if (gm < M && gk < K) {
                typename Vec<T>::type v = *reinterpret_cast<const typename Vec<T>::type*>(
                        A + (transA ? (size_t) gk * M + gm : (size_t) gm * K + gk));
                const T* lanes = reinterpret_cast<const T*>(&v);
                for (int w = 0; w < W; w++) {
                    c[w] = lanes[w];
                }
            } else {
                for (int w = 0; w < W; w++) {
                    c[w] = T(0);
                }
            }
            for (int w = 0; w < W; w++) {
                if (!transA) {
                    As[k + w][m] = c[w];
                } else {
                    As[k][m + w] = c[w];
                }
            }
        }
    } else {
        for (int e = tid; e < BM * BK; e += THREADS) {
            int m, k;
            if (!transA) {
                m = e / BK;
                k = e % BK;
            } else {
                k = e / BM;
                m = e % BM;
            }
            int gm = m0 + m, gk = k0 + k;
            As[k][m] = (gm < M && gk < K) ? a_at(A, transA, M, K, gm, gk) : T(0);
        }
    }
    if (VEC && (transB ? K : N) % W == 0) {
        for (int e = tid; e < BK * BN / W; e += THREADS) {
            int k, n;
            if (!transB) {
                k = e / (BN / W);
                n = (e % (BN / W)) * W;
            } else {
                n = e / (BK / W);
                k = (e % (BK / W)) * W;
            }
            int gk = k0 + k, gn = n0 + n;
            T c[W];
            if (gk < K && gn < N) {
                typename Vec<T>::type v = *reinterpret_cast<const typename Vec<T>::type*>(
                        B + (transB ? (size_t) gn * K + gk : (size_t) gk * N + gn));
                const T* lanes = reinterpret_cast<const T*>(&v);
                for (int w = 0; w < W; w++) {
                    c[w] = lanes[w];
                }
            } else {
                for (int w = 0; w < W; w++) {
                    c[w] = T(0);
                }
            }
            for (int w = 0; w < W; w++) {
                if (!transB) {
                    Bs[k][n + w] = c[w];
                } else {
                    Bs[k + w][n] = c[w];
                }
            }
        }
    } else {
        for (int e = tid; e < BK * BN; e += THREADS) {
            int k, n;
            if (!transB) {
                k = e / BN;
                n = e % BN;
            } else {
                n = e / BK;
                k = e % BK;
            }
            int gk = k0 + k, gn = n0 + n;
            Bs[k][n] = (gk < K && gn < N) ? b_at(B, transB, K, N, gk, gn) : T(0);
        }
    }
}

// ---- 2-D block tiling: thread (tRow, tCol) accumulates rows tRow*TM.., columns tCol*TN.. -----
template <typename T, int BM, int BN, int BK, int TM, int TN, bool VEC>
__device__ __forceinline__ void blocktile_core(int M, int N, int K, int transA, int transB, const T* __restrict__ A,
                                               const T* __restrict__ B, T (&acc)[TM][TN]) {
    constexpr int THREADS = (BM / TM) * (BN / TN);
    __shared__ T As[BK][BM];
    __shared__ T Bs[BK][BN];
    const int tRow = threadIdx.x / (BN / TN), tCol = threadIdx.x % (BN / TN);
    const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
    for (int i = 0; i < TM; i++) {
        for (int j = 0; j < TN; j++) {
            acc[i][j] = T(0);
        }
    }
    for (int k0 = 0; k0 < K; k0 += BK) {
        load_tiles<T, BM, BN, BK, THREADS, VEC>(M, N, K, transA, transB, A, B, m0, n0, k0, As, Bs);
        __syncthreads();
        for (int k = 0; k < BK; k++) {
            T a[TM], b[TN];
            for (int i = 0; i < TM; i++) {
                a[i] = As[k][tRow * TM + i];
            }
            for (int j = 0; j < TN; j++) {
                b[j] = Bs[k][tCol * TN + j];
            }
            for (int i = 0; i < TM; i++) {
                for (int j = 0; j < TN; j++) {
                    acc[i][j] += a[i] * b[j];
                }
            }
        }
        __syncthreads();
    }
}

template <typename T, int BM, int BN, int BK, int TM, int TN, bool VEC>
__device__ __forceinline__ void blocktile_gemm MATMUL_PARAMS(T) {
    T acc[TM][TN];
    blocktile_core<T, BM, BN, BK, TM, TN, VEC>(M, N, K, transA, transB, A, B, acc);
    const int tRow = threadIdx.x / (BN / TN), tCol = threadIdx.x % (BN / TN);
    for (int i = 0; i < TM; i++) {
        int gi = blockIdx.y * BM + tRow * TM + i;
        for (int j = 0; j < TN; j++) {
            int gj = blockIdx.x * BN + tCol * TN + j;
            if (gi < M && gj < N) {
                store_c(C, N, gi, gj, alpha, acc[i][j], beta);
            }
        }
    }
}

template <typename T>
__device__ void matmul_blocktile MATMUL_PARAMS(T) {
    blocktile_gemm<T, 64, 64, 16, 4, 4, false> MATMUL_ARGS;
}
SN_KERNEL_BOUNDED(matmul_blocktile, 256, MATMUL_PARAMS, MATMUL_ARGS)

template <typename T>
__device__ void matmul_vectorized MATMUL_PARAMS(T) {
    blocktile_gemm<T, 128, 128, 8, 8, 8, true> MATMUL_ARGS;
}
SN_KERNEL_BOUNDED(matmul_vectorized, 256, MATMUL_PARAMS, MATMUL_ARGS)

// ---- warp tiling ----------------------------------------------------------------------------
template <typename T, int BM, int BN, int BK, int WM, int WN>
__device__ __forceinline__ void warptile_gemm MATMUL_PARAMS(T) {
    constexpr int WARPS_N = BN / WN;
    constexpr int THREADS = (BM / WM) * WARPS_N * 32;
    constexpr int TM = WM / 4, TN = WN / 8;   // lanes form a 4 x 8 grid over the warp tile
    __shared__ T As[BK][BM];
    __shared__ T Bs[BK][BN];
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    const int wm = (warp / WARPS_N) * WM, wn = (warp % WARPS_N) * WN;
    const int lr = lane / 8, lc = lane % 8;
    const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
    T acc[TM][TN];
    for (int i = 0; i < TM; i++) {
        for (int j = 0; j < TN; j++) {
            acc[i][j] = T(0);
        }
    }
    for (int k0 = 0; k0 < K; k0 += BK) {
        load_tiles<T, BM, BN, BK, THREADS, true>(M, N, K, transA, transB, A, B, m0, n0, k0, As, Bs);
        __syncthreads();
        for (int k = 0; k < BK; k++) {
            T a[TM], b[TN];
            for (int i = 0; i < TM; i++) {
                a[i] = As[k][wm + lr + 4 * i];
            }
            for (int j = 0; j < TN; j++) {
                b[j] = Bs[k][wn + lc + 8 * j];
            }
            for (int i = 0; i < TM; i++) {
                for (int j = 0; j < TN; j++) {
                    acc[i][j] += a[i] * b[j];
                }
            }
        }
        __syncthreads();
    }
    for (int i = 0; i < TM; i++) {
        int gi = m0 + wm + lr + 4 * i;
        for (int j = 0; j < TN; j++) {
            int gj = n0 + wn + lc + 8 * j;
            if (gi < M && gj < N) {
                store_c(C, N, gi, gj, alpha, acc[i][j], beta);
            }
        }
    }
}

template <typename T>
__device__ void matmul_warptile MATMUL_PARAMS(T) {
    warptile_gemm<T, 128, 128, 16, 64, 32> MATMUL_ARGS;
}
SN_KERNEL_BOUNDED(matmul_warptile, 256, MATMUL_PARAMS, MATMUL_ARGS)

// ---- the fused forward pass of a dense layer -------------------------------------------------
template <typename T>
__device__ void dense_forward(int M, int N, int K, const T* __restrict__ X, const T* __restrict__ W,
                              const T* __restrict__ bias, int act, T act_param, T* __restrict__ out) {
    T acc[4][4];
    blocktile_core<T, 64, 64, 16, 4, 4, false>(M, N, K, 0, 0, X, W, acc);
    const int tRow = threadIdx.x / 16, tCol = threadIdx.x % 16;
    for (int i = 0; i < 4; i++) {
        int gi = blockIdx.y * 64 + tRow * 4 + i;
        for (int j = 0; j < 4; j++) {
            int gj = blockIdx.x * 64 + tCol * 4 + j;
            if (gi < M && gj < N) {
                out[(size_t) gi * N + gj] = act_apply(act, act_param, acc[i][j] + bias[gj]);
            }
        }
    }
}
#define DENSE_PARAMS(T) (int M, int N, int K, const T* __restrict__ X, const T* __restrict__ W, \
                         const T* __restrict__ bias, int act, T act_param, T* __restrict__ out)
SN_KERNEL_BOUNDED(dense_forward, 256, DENSE_PARAMS, (M, N, K, X, W, bias, act, act_param, out))
