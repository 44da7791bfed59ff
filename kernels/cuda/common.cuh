// common.cuh: what every kernels/cuda file shares.
//
// Each kernel is a __device__ function template over the element type T (float or double); the
// macros at the bottom declare its extern "C" __global__ wrappers NAME_f32 and NAME_f64, the names
// the host looks up in the module. Arguments, order and layout are those of kernels/opencl and of
// kernels/KERNELS.md.
#pragma once

#ifndef SCRATCHNET_CUDA_ON_CPU
#include <cuda_runtime.h>
#endif
#include <math.h>

#define FULL_MASK 0xffffffffu

// ---- precision-generic math: the float functions for float, the double ones for double --------
__device__ __forceinline__ float sn_exp(float x) { return expf(x); }
__device__ __forceinline__ double sn_exp(double x) { return exp(x); }
__device__ __forceinline__ float sn_log(float x) { return logf(x); }
__device__ __forceinline__ double sn_log(double x) { return log(x); }
__device__ __forceinline__ float sn_tanh(float x) { return tanhf(x); }
__device__ __forceinline__ double sn_tanh(double x) { return tanh(x); }
__device__ __forceinline__ float sn_sqrt(float x) { return sqrtf(x); }
__device__ __forceinline__ double sn_sqrt(double x) { return sqrt(x); }
__device__ __forceinline__ float sn_max(float a, float b) { return fmaxf(a, b); }
__device__ __forceinline__ double sn_max(double a, double b) { return fmax(a, b); }
__device__ __forceinline__ float sn_min(float a, float b) { return fminf(a, b); }
__device__ __forceinline__ double sn_min(double a, double b) { return fmin(a, b); }

// ---- TF32 tensor cores (compute capability 8.0 and later) -----------------------------------
// tf32_round(x): x rounded to TF32 (10 mantissa bits, round to nearest, ties away from zero; NaN and
// Inf kept), as the bits of a float with the 13 low mantissa bits zero: cvt.rna.tf32.f32.
// mma_m16n8k8_tf32(d, a, b): d += A·B for one 16 x 8 x 8 product, a warp-collective (every lane of
// the warp must call it together): A (16 x 8, row-major) in a[4], B (8 x 8, column-major) in b[2],
// C/D (16 x 8) in d[4] per lane, with groupID g = lane >> 2, threadID_in_group t = lane & 3 (the PTX
// ISA's fragment layout for mma.m16n8k8 .tf32):
//   a[0] A(g, t)    a[1] A(g+8, t)    a[2] A(g, t+4)    a[3] A(g+8, t+4)
//   b[0] B(t, g)    b[1] B(t+4, g)
//   d[0] D(g, 2t)   d[1] D(g, 2t+1)   d[2] D(g+8, 2t)   d[3] D(g+8, 2t+1)
// Both need sm_80: this code is compiled only where __CUDA_ARCH__ >= 800 (see matmul_tf32 in
// matmul.cu); on the CPU (SCRATCHNET_CUDA_ON_CPU) cuda_on_cpu.h defines them.
// SN_TF32_CODE: 1 where they exist (the CPU, and device code for sm_80 and later), else 0.
#if defined(SCRATCHNET_CUDA_ON_CPU) || (defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800)
#define SN_TF32_CODE 1
#else
#define SN_TF32_CODE 0
#endif
#if SN_TF32_CODE && !defined(SCRATCHNET_CUDA_ON_CPU)
__device__ __forceinline__ unsigned tf32_round(float x) {
    unsigned r;
    asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
    return r;
}

__device__ __forceinline__ void mma_m16n8k8_tf32(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2]) {
    asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
                 "{%0, %1, %2, %3};"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}
#endif

// ---- activations (codes: 0 identity, 1 sigmoid, 2 ReLU, 3 tanh, 4 leaky ReLU) ----------------
template <typename T>
__device__ __forceinline__ T act_apply(int act, T param, T z) {
    switch (act) {
        case 1: return T(1) / (T(1) + sn_exp(-z));
        case 2: return z > T(0) ? z : T(0);
        case 3: return sn_tanh(z);
        case 4: return z > T(0) ? z : param * z;
        default: return z;
    }
}

template <typename T>
__device__ __forceinline__ T act_derivative(int act, T param, T a) {
    switch (act) {
        case 1: return a * (T(1) - a);
        case 2: return a > T(0) ? T(1) : T(0);
        case 3: return T(1) - a * a;
        case 4: return a > T(0) ? T(1) : param;
        default: return T(1);
    }
}

// ---- reductions with warp shuffles -----------------------------------------------------------
template <typename T>
__device__ __forceinline__ T warp_sum(T v) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        v += __shfl_down_sync(FULL_MASK, v, offset);
    }
    return v;
}

template <typename T>
__device__ __forceinline__ T warp_max(T v) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        v = sn_max(v, __shfl_down_sync(FULL_MASK, v, offset));
    }
    return v;
}

// The block's sum (or maximum), returned to every thread. blockDim.x must be a multiple of 32:
// each warp reduces with shuffles, warp 0 reduces the warps' results from shared memory.
template <typename T>
__device__ T block_sum(T v) {
    __shared__ T partial[32];
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    v = warp_sum(v);
    if (lane == 0) {
        partial[warp] = v;
    }
    __syncthreads();
    if (warp == 0) {
        v = lane < (int) (blockDim.x >> 5) ? partial[lane] : T(0);
        v = warp_sum(v);
        if (lane == 0) {
            partial[0] = v;
        }
    }
    __syncthreads();
    T result = partial[0];
    __syncthreads();   // partial may be reused by the next call
    return result;
}

template <typename T>
__device__ T block_max(T v) {
    __shared__ T partial[32];
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    v = warp_max(v);
    if (lane == 0) {
        partial[warp] = v;
    }
    __syncthreads();
    if (warp == 0) {
        v = lane < (int) (blockDim.x >> 5) ? partial[lane] : T(-INFINITY);
        v = warp_max(v);
        if (lane == 0) {
            partial[0] = v;
        }
    }
    __syncthreads();
    T result = partial[0];
    __syncthreads();
    return result;
}

// ---- the extern "C" wrappers ------------------------------------------------------------------
// SN_KERNEL(name, PARAMS, ARGS): PARAMS is a macro of the element type giving the parameter list,
// ARGS the argument list passed on to the template name<T>.
#define SN_KERNEL(name, PARAMS, ARGS)                                              \
    extern "C" __global__ void name##_f32 PARAMS(float) { name<float> ARGS; }      \
    extern "C" __global__ void name##_f64 PARAMS(double) { name<double> ARGS; }

// The same with __launch_bounds__, for kernels launched with a fixed block size.
#define SN_KERNEL_BOUNDED(name, threads, PARAMS, ARGS)                                                   \
    extern "C" __global__ void __launch_bounds__(threads) name##_f32 PARAMS(float) { name<float> ARGS; }  \
    extern "C" __global__ void __launch_bounds__(threads) name##_f64 PARAMS(double) { name<double> ARGS; }
