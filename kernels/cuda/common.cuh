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
