// softmax.cu: the row softmax and its derivative, one block per row.
//
//   softmax_rows      p = exp(z - max) / sum(exp(z - max)) per row; p may be z
//   softmax_backward  dZ = p * (dP - sum_j dP_j p_j) per row
//
// The host launches one block per row of the next power of two at or above the row length,
// between 32 and 256 threads (a whole number of warps). The maximum and the sums are reduced with
// warp shuffles, then across warps through shared memory (block_max, block_sum in common.cuh).
// Each element is read and written by the same thread in every pass, so the op may run in place.
#include "common.cuh"

template <typename T>
__device__ void softmax_rows(int rows, int cols, const T* z, T* p) {
    int row = blockIdx.x;
    if (row >= rows) {
        return;   // uniform across the block
    }
    const T* zr = z + (size_t) row * cols;
    T* pr = p + (size_t) row * cols;
    T m = T(-INFINITY);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        m = sn_max(m, zr[j]);
    }
    m = block_max(m);
    T sum = T(0);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        T e = sn_exp(zr[j] - m);
        pr[j] = e;
        sum += e;
    }
    sum = block_sum(sum);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        pr[j] = pr[j] / sum;
    }
}
#define SOFTMAX_PARAMS(T) (int rows, int cols, const T* z, T* p)
SN_KERNEL_BOUNDED(softmax_rows, 256, SOFTMAX_PARAMS, (rows, cols, z, p))

template <typename T>
__device__ void softmax_backward(int rows, int cols, const T* p, const T* dP, T* dZ) {
    int row = blockIdx.x;
    if (row >= rows) {
        return;
    }
    size_t off = (size_t) row * cols;
    T dot = T(0);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        dot += dP[off + j] * p[off + j];
    }
    dot = block_sum(dot);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        dZ[off + j] = p[off + j] * (dP[off + j] - dot);
    }
}
#define SOFTMAX_BWD_PARAMS(T) (int rows, int cols, const T* p, const T* dP, T* dZ)
SN_KERNEL_BOUNDED(softmax_backward, 256, SOFTMAX_BWD_PARAMS, (rows, cols, p, dP, dZ))
