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
//   matmul_blocktile   2-D block tiling: a block computes a BT_BM x BT_BN block of C, each thread a
//                      BT_TM x BT_TN sub-block in registers, so each value read from shared memory
//                      feeds BT_TM or BT_TN multiply-adds. A's tile is stored k-major (As[k][m]) so a
//                      thread's rows are contiguous. block (BT_BM/BT_TM)*(BT_BN/BT_TN) threads,
//                      grid (ceil(N/BT_BN), ceil(M/BT_BM)); defaults 64 x 64, 4 x 4: 256 threads.
//   matmul_vectorized  the same with VEC_ parameters (defaults 128 x 128, 8 x 8) and vector loads of
//                      VEC_VW elements from global memory (float4 / double2 at the defaults)
//                      wherever the operand's contiguous dimension is a multiple of the vector width
//                      (then every tile offset is aligned); otherwise scalar loads.
//   matmul_warptile    warp tiling: the WT_BM x WT_BN block is split into warp tiles of WT_WM x WT_WN;
//                      the lanes of a warp form a 4 x 8 grid and each computes (WT_WM/4) x (WT_WN/8)
//                      outputs, 4 rows and 8 columns apart, so the lanes of a warp read 4 distinct
//                      values of A (broadcast) and 8 consecutive values of B from shared memory per
//                      step: no bank conflicts, and stores of 8 consecutive columns. Loads as in
//                      matmul_vectorized, WT_VW wide. block (WT_BM/WT_WM)*(WT_BN/WT_WN)*32 threads,
//                      grid (ceil(N/WT_BN), ceil(M/WT_BM)); defaults 128 x 128 in 64 x 32 warp
//                      tiles: 256 threads.
//   matmul_tf32        TF32 tensor cores (fp32 only: matmul_tf32_f32, no fp64 twin), the host's
//                      choice for fp32 products only under --tf32 (as PyTorch's allow_tf32). Each
//                      warp computes a TC_WM x TC_WN warp tile as (TC_WM/16) x (TC_WN/8) products of
//                      mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 (common.cuh's
//                      mma_m16n8k8_tf32) with fp32 accumulators in registers; the TC_BK-deep tiles
//                      are staged k-major in shared memory by load_tiles (float4 loads where aligned,
//                      guarded scalar loads otherwise), each row padded by TC_PAD floats so that the
//                      fragment reads hit 32 distinct banks; values are rounded to TF32 (cvt.rna,
//                      common.cuh's tf32_round) as they enter a fragment; alpha/beta in the epilogue.
//                      Results: products of the inputs rounded to 10 mantissa bits, summed in fp32.
//                      Compiled for sm_80 and later (the fatbin's sm_80, sm_90 and compute_80 PTX);
//                      in the compute_75 PTX it traps, and the host never asks for it there (it
//                      refuses --tf32 below compute capability 8.0 or with compute_75 kernels).
//                      block TC_THREADS = (TC_BM/TC_WM)*(TC_BN/TC_WN)*32, grid (ceil(N/TC_BN),
//                      ceil(M/TC_BM)); defaults 128 x 128 x 32 in 64 x 32 warp tiles: 8 warps, 16
//                      mma tiles (64 accumulators) a thread; sm_90: 124 registers, no spills, 34 KiB
//                      of shared memory. Figure: not measured, needs an sm_80+ GPU (issue 13 asks
//                      for 70% of cuBLAS with TF32 on: `kernels bench --backend cuda --tf32`).
//   dense_forward      out = act(X * W + bias): matmul_blocktile's core, with its BT_ parameters,
//                      and the bias and the activation applied in the epilogue, so a dense layer's
//                      forward pass is one kernel.
//
// Tile parameters: compile-time defines, set with -D (`scratchnet kernels tune --backend cuda`
// searches them on the GPU; the host computes the launch shape from the same values). All are
// powers of two.
//
//   BT_BM, BT_BN   blocktile's block of C                 32, 64 (default), 128, 256
//   BT_BK          its k step (depth of the shared tiles)  8, 16 (default), 32
//   BT_TM, BT_TN   its per-thread tile                    2, 4 (default), 8, 16
//   VEC_BM, VEC_BN, VEC_BK, VEC_TM, VEC_TN                as BT_, defaults 128, 128, 8, 8, 8
//   VEC_VW         vectorized's load width (elements)     1, 2, 4; default 4 (float4), 2 for double
//   WT_BM, WT_BN   warptile's block of C                  64, 128 (default), 256
//   WT_BK          its k step                             8, 16 (default), 32
//   WT_WM, WT_WN   its warp tile                          WM 16, 32, 64 (default), 128;
//                                                         WN 16, 32 (default), 64, 128
//   WT_VW          its load width (elements)              1, 2, 4; default 4, 2 for double
//   VEC_VW, WT_VW 0 means 16 bytes: 4 floats, 2 doubles (the default).
//   TC_BM, TC_BN   matmul_tf32's block of C                128 (default)
//   TC_BK          its k step, a multiple of 8             32 (default)
//   TC_WM, TC_WN   its warp tile, by 16 and by 8           64, 32 (default)
//   TC_VW          its load width (floats)                 4 (default)
//   TC_PAD         floats of padding per shared row        8 (default)
//   (not searched by the tuner: fixed defaults, compiled only into the full module)
//   SN_ONLY        0 (default): every kernel; 1 only matmul_blocktile and dense_forward, 2 only
//                  matmul_vectorized, 3 only matmul_warptile (the tuner's small modules)
//   SN_ONLY_BITS   0 (default): float and double; 32 or 64: only that one
// Rules: a per-thread (warp) tile divides its block tile; the load width divides the block tile and
// the k step; a block has 32 to 1024 threads; TM*TN at most 128 accumulators per thread; the shared
// tiles (BK*(BM+BN) elements) fit the device's shared memory per block (48 KiB of static shared
// memory). A device may still refuse a configuration for registers: the tuner skips one whose
// compiled kernel spills or cannot launch with its block size.
#include "common.cuh"

#ifndef BT_BM
#define BT_BM 64
#endif
#ifndef BT_BN
#define BT_BN 64
#endif
#ifndef BT_BK
#define BT_BK 16
#endif
#ifndef BT_TM
#define BT_TM 4
#endif
#ifndef BT_TN
#define BT_TN 4
#endif
#ifndef VEC_BM
#define VEC_BM 128
#endif
#ifndef VEC_BN
#define VEC_BN 128
#endif
#ifndef VEC_BK
#define VEC_BK 8
#endif
#ifndef VEC_TM
#define VEC_TM 8
#endif
#ifndef VEC_TN
#define VEC_TN 8
#endif
#ifndef WT_BM
#define WT_BM 128
#endif
#ifndef WT_BN
#define WT_BN 128
#endif
#ifndef WT_BK
#define WT_BK 16
#endif
#ifndef WT_WM
#define WT_WM 64
#endif
#ifndef WT_WN
#define WT_WN 32
#endif
#ifndef TC_BM
#define TC_BM 128
#endif
#ifndef TC_BN
#define TC_BN 128
#endif
#ifndef TC_BK
#define TC_BK 32
#endif
#ifndef TC_WM
#define TC_WM 64
#endif
#ifndef TC_WN
#define TC_WN 32
#endif
#ifndef TC_VW
#define TC_VW 4
#endif
#ifndef TC_PAD
#define TC_PAD 8
#endif
#ifndef VEC_VW
#define VEC_VW 0
#endif
#ifndef WT_VW
#define WT_VW 0
#endif
// The load widths in elements of T: as set, or 16 bytes (4 floats, 2 doubles) for 0.
#define SN_VEC_VW(T) (VEC_VW != 0 ? VEC_VW : 16 / (int) sizeof(T))
#define SN_WT_VW(T) (WT_VW != 0 ? WT_VW : 16 / (int) sizeof(T))

// Which kernels this compilation defines (SN_ONLY, SN_ONLY_BITS above).
#ifndef SN_ONLY
#define SN_ONLY 0
#endif
#ifndef SN_ONLY_BITS
#define SN_ONLY_BITS 0
#endif
#define SN_WANT(variant) (SN_ONLY == 0 || SN_ONLY == (variant))
#define SN_WANT_BITS(bits) (SN_ONLY_BITS == 0 || SN_ONLY_BITS == (bits))
// One precision's wrapper of a bounded kernel (common.cuh's SN_KERNEL_BOUNDED defines both).
#define SN_KERNEL_BOUNDED_ONE(name, T, suffix, threads, PARAMS, ARGS) \
    extern "C" __global__ void __launch_bounds__(threads) name##_##suffix PARAMS(T) { name<T> ARGS; }
#define SN_MATMUL_KERNEL_F32(name, threads, PARAMS, ARGS) SN_KERNEL_BOUNDED_ONE(name, float, f32, threads, PARAMS, ARGS)
#define SN_MATMUL_KERNEL_F64(name, threads, PARAMS, ARGS) SN_KERNEL_BOUNDED_ONE(name, double, f64, threads, PARAMS, ARGS)

#define BT_THREADS ((BT_BM / BT_TM) * (BT_BN / BT_TN))
#define VEC_THREADS ((VEC_BM / VEC_TM) * (VEC_BN / VEC_TN))
#define WT_THREADS ((WT_BM / WT_WM) * (WT_BN / WT_WN) * 32)
#define TC_THREADS ((TC_BM / TC_WM) * (TC_BN / TC_WN) * 32)

static_assert(BT_BM % BT_TM == 0 && BT_BN % BT_TN == 0, "matmul.cu: BT_TM must divide BT_BM and BT_TN BT_BN");
static_assert(VEC_BM % VEC_TM == 0 && VEC_BN % VEC_TN == 0, "matmul.cu: VEC_TM must divide VEC_BM and VEC_TN VEC_BN");
static_assert(WT_BM % WT_WM == 0 && WT_BN % WT_WN == 0 && WT_WM % 4 == 0 && WT_WN % 8 == 0,
              "matmul.cu: the warp tile must divide the block tile, WT_WM by 4 and WT_WN by 8");
static_assert(TC_BM % TC_WM == 0 && TC_BN % TC_WN == 0, "matmul.cu: the TF32 warp tile must divide the block tile");
static_assert(BT_THREADS <= 1024 && VEC_THREADS <= 1024 && WT_THREADS <= 1024 && TC_THREADS <= 1024, "matmul.cu: at most 1024 threads per block");

// W elements of T as one load: Vec<T, W>::type, aligned to its size, which nvcc reads with one
// vector instruction (ld.global.v4.f32 for 4 floats; two v2 loads for 4 doubles).
template <typename T, int W> struct alignas(sizeof(T) * W) Lanes { T v[W]; };
template <typename T, int W> struct Vec { typedef Lanes<T, W> type; };

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
#if SN_ONLY == 0
SN_KERNEL_BOUNDED(matmul_naive, 256, MATMUL_PARAMS, MATMUL_ARGS)
#endif

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
#if SN_ONLY == 0
SN_KERNEL_BOUNDED(matmul_tiled, 1024, MATMUL_PARAMS, MATMUL_ARGS)
#endif

// ---- loading BM x BK and BK x BN tiles into shared memory, k-major ---------------------------
// As[k][m] = op(A)(m0 + m, k0 + k) and Bs[k][n] = op(B)(k0 + k, n0 + n), zeros outside. Threads
// walk each operand along its contiguous dimension as stored; with W > 1, W elements at a time.
// LDA and LDB are the tiles' row lengths in shared memory: BM and BN, or more for padding.
template <typename T, int BM, int BN, int BK, int THREADS, int W, int LDA = BM, int LDB = BN>
__device__ __forceinline__ void load_tiles(int M, int N, int K, int transA, int transB, const T* __restrict__ A,
                                           const T* __restrict__ B, int m0, int n0, int k0, T (*As)[LDA], T (*Bs)[LDB]) {
    constexpr bool VEC = W > 1;
    static_assert(BM % W == 0 && BN % W == 0 && BK % W == 0, "matmul.cu: the load width must divide the tiles");
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
                typename Vec<T, W>::type v = *reinterpret_cast<const typename Vec<T, W>::type*>(
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
                typename Vec<T, W>::type v = *reinterpret_cast<const typename Vec<T, W>::type*>(
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
template <typename T, int BM, int BN, int BK, int TM, int TN, int W>
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
        load_tiles<T, BM, BN, BK, THREADS, W>(M, N, K, transA, transB, A, B, m0, n0, k0, As, Bs);
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

template <typename T, int BM, int BN, int BK, int TM, int TN, int W>
__device__ __forceinline__ void blocktile_gemm MATMUL_PARAMS(T) {
    T acc[TM][TN];
    blocktile_core<T, BM, BN, BK, TM, TN, W>(M, N, K, transA, transB, A, B, acc);
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
    blocktile_gemm<T, BT_BM, BT_BN, BT_BK, BT_TM, BT_TN, 1> MATMUL_ARGS;
}
#if SN_WANT(1) && SN_WANT_BITS(32)
SN_MATMUL_KERNEL_F32(matmul_blocktile, BT_THREADS, MATMUL_PARAMS, MATMUL_ARGS)
#endif
#if SN_WANT(1) && SN_WANT_BITS(64)
SN_MATMUL_KERNEL_F64(matmul_blocktile, BT_THREADS, MATMUL_PARAMS, MATMUL_ARGS)
#endif

template <typename T>
__device__ void matmul_vectorized MATMUL_PARAMS(T) {
    blocktile_gemm<T, VEC_BM, VEC_BN, VEC_BK, VEC_TM, VEC_TN, SN_VEC_VW(T)> MATMUL_ARGS;
}
#if SN_WANT(2) && SN_WANT_BITS(32)
SN_MATMUL_KERNEL_F32(matmul_vectorized, VEC_THREADS, MATMUL_PARAMS, MATMUL_ARGS)
#endif
#if SN_WANT(2) && SN_WANT_BITS(64)
SN_MATMUL_KERNEL_F64(matmul_vectorized, VEC_THREADS, MATMUL_PARAMS, MATMUL_ARGS)
#endif

// ---- warp tiling ----------------------------------------------------------------------------
template <typename T, int BM, int BN, int BK, int WM, int WN, int W>
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
        load_tiles<T, BM, BN, BK, THREADS, W>(M, N, K, transA, transB, A, B, m0, n0, k0, As, Bs);
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
    warptile_gemm<T, WT_BM, WT_BN, WT_BK, WT_WM, WT_WN, SN_WT_VW(T)> MATMUL_ARGS;
}
#if SN_WANT(3) && SN_WANT_BITS(32)
SN_MATMUL_KERNEL_F32(matmul_warptile, WT_THREADS, MATMUL_PARAMS, MATMUL_ARGS)
#endif
#if SN_WANT(3) && SN_WANT_BITS(64)
SN_MATMUL_KERNEL_F64(matmul_warptile, WT_THREADS, MATMUL_PARAMS, MATMUL_ARGS)
#endif

// ---- TF32 tensor cores ------------------------------------------------------------------------
// The block's BM x BN tile of C is split into warp tiles of WM x WN, each WM/16 x WN/8 products of
// mma.sync m16n8k8 (common.cuh's mma_m16n8k8_tf32) with their fp32 accumulators in registers. The
// BK-deep tiles of A and B are staged k-major in shared memory as in load_tiles, with rows padded
// by TC_PAD floats so that a fragment's 32 reads (rows t, t+4, columns g..) hit 32 distinct banks;
// each value is rounded to TF32 (tf32_round) as it goes into a fragment.
template <int BM, int BN, int BK, int WM, int WN, int W>
__device__ __forceinline__ void tf32_gemm MATMUL_PARAMS(float) {
    static_assert(WM % 16 == 0 && WN % 8 == 0 && BK % 8 == 0, "matmul.cu: TC_WM by 16, TC_WN and TC_BK by 8");
    constexpr int WARPS_N = BN / WN;
    constexpr int THREADS = (BM / WM) * WARPS_N * 32;
    constexpr int FM = WM / 16, FN = WN / 8;   // mma tiles per warp
    constexpr int LDA = BM + TC_PAD, LDB = BN + TC_PAD;
    __shared__ float As[BK][LDA];
    __shared__ float Bs[BK][LDB];
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    const int g = lane >> 2, t = lane & 3;
    const int wm = (warp / WARPS_N) * WM, wn = (warp % WARPS_N) * WN;
    const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
    float acc[FM][FN][4];
    #pragma unroll
    for (int i = 0; i < FM; i++) {
        #pragma unroll
        for (int j = 0; j < FN; j++) {
            #pragma unroll
            for (int r = 0; r < 4; r++) {
                acc[i][j][r] = 0.0f;
            }
        }
    }
    for (int k0 = 0; k0 < K; k0 += BK) {
        load_tiles<float, BM, BN, BK, THREADS, W, LDA, LDB>(M, N, K, transA, transB, A, B, m0, n0, k0, As, Bs);
        __syncthreads();
        #pragma unroll
        for (int kk = 0; kk < BK; kk += 8) {
            unsigned a[FM][4], b[FN][2];
            #pragma unroll
            for (int i = 0; i < FM; i++) {
                int r = wm + i * 16 + g;
                a[i][0] = tf32_round(As[kk + t][r]);
                a[i][1] = tf32_round(As[kk + t][r + 8]);
                a[i][2] = tf32_round(As[kk + t + 4][r]);
                a[i][3] = tf32_round(As[kk + t + 4][r + 8]);
            }
            #pragma unroll
            for (int j = 0; j < FN; j++) {
                int c = wn + j * 8 + g;
                b[j][0] = tf32_round(Bs[kk + t][c]);
                b[j][1] = tf32_round(Bs[kk + t + 4][c]);
            }
            #pragma unroll
            for (int i = 0; i < FM; i++) {
                #pragma unroll
                for (int j = 0; j < FN; j++) {
                    mma_m16n8k8_tf32(acc[i][j], a[i], b[j]);
                }
            }
        }
        __syncthreads();
    }
    #pragma unroll
    for (int i = 0; i < FM; i++) {
        #pragma unroll
        for (int j = 0; j < FN; j++) {
            #pragma unroll
            for (int r = 0; r < 4; r++) {
                int gi = m0 + wm + i * 16 + g + (r >> 1) * 8;
                int gj = n0 + wn + j * 8 + 2 * t + (r & 1);
                if (gi < M && gj < N) {
                    store_c(C, N, gi, gj, alpha, acc[i][j][r], beta);
                }
            }
        }
    }
}

// fp32 only (TF32 has no fp64 form): matmul_tf32_f32 and no matmul_tf32_f64. Its code is compiled
// for sm_80 and later; in the compute_75 PTX it exists but traps (the host asks for it only on a
// device of compute capability 8.0 or later whose module has code for it).
#if SN_ONLY == 0 && SN_WANT_BITS(32)
extern "C" __global__ void __launch_bounds__(TC_THREADS) matmul_tf32_f32 MATMUL_PARAMS(float) {
#if SN_TF32_CODE
    tf32_gemm<TC_BM, TC_BN, TC_BK, TC_WM, TC_WN, TC_VW> MATMUL_ARGS;
#else
    __trap();
#endif
}
#endif

// ---- the fused forward pass of a dense layer -------------------------------------------------
template <typename T>
__device__ void dense_forward(int M, int N, int K, const T* __restrict__ X, const T* __restrict__ W,
                              const T* __restrict__ bias, int act, T act_param, T* __restrict__ out) {
    T acc[BT_TM][BT_TN];
    blocktile_core<T, BT_BM, BT_BN, BT_BK, BT_TM, BT_TN, 1>(M, N, K, 0, 0, X, W, acc);
    const int tRow = threadIdx.x / (BT_BN / BT_TN), tCol = threadIdx.x % (BT_BN / BT_TN);
    for (int i = 0; i < BT_TM; i++) {
        int gi = blockIdx.y * BT_BM + tRow * BT_TM + i;
        for (int j = 0; j < BT_TN; j++) {
            int gj = blockIdx.x * BT_BN + tCol * BT_TN + j;
            if (gi < M && gj < N) {
                out[(size_t) gi * N + gj] = act_apply(act, act_param, acc[i][j] + bias[gj]);
            }
        }
    }
}
#define DENSE_PARAMS(T) (int M, int N, int K, const T* __restrict__ X, const T* __restrict__ W, \
                         const T* __restrict__ bias, int act, T act_param, T* __restrict__ out)
#if SN_WANT(1) && SN_WANT_BITS(32)
SN_MATMUL_KERNEL_F32(dense_forward, BT_THREADS, DENSE_PARAMS, (M, N, K, X, W, bias, act, act_param, out))
#endif
#if SN_WANT(1) && SN_WANT_BITS(64)
SN_MATMUL_KERNEL_F64(dense_forward, BT_THREADS, DENSE_PARAMS, (M, N, K, X, W, bias, act, act_param, out))
#endif
