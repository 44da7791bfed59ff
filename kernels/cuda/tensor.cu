// tensor.cu: element-wise basics.
//
//   fill         x = value                                1-D over n, blocks of 256
//   scale        x = alpha * x                            1-D over n
//   axpy         y = alpha * x + y                        1-D over n
//   gather_rows  dst[r][j] = src[idx[offset + r]][j]      2-D: 16 x 16 blocks over (columns, rows);
//                                                         an index outside the source writes NaN
#include "common.cuh"

template <typename T>
__device__ void fill(int n, T value, T* __restrict__ x) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        x[i] = value;
    }
}
#define FILL_PARAMS(T) (int n, T value, T* __restrict__ x)
SN_KERNEL(fill, FILL_PARAMS, (n, value, x))

template <typename T>
__device__ void scale(int n, T alpha, T* __restrict__ x) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        x[i] = alpha * x[i];
    }
}
#define SCALE_PARAMS(T) (int n, T alpha, T* __restrict__ x)
SN_KERNEL(scale, SCALE_PARAMS, (n, alpha, x))

template <typename T>
__device__ void axpy(int n, T alpha, const T* __restrict__ x, T* __restrict__ y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        y[i] = alpha * x[i] + y[i];
    }
}
#define AXPY_PARAMS(T) (int n, T alpha, const T* __restrict__ x, T* __restrict__ y)
SN_KERNEL(axpy, AXPY_PARAMS, (n, alpha, x, y))

template <typename T>
__device__ void gather_rows(int rows, int cols, int src_rows, const int* __restrict__ idx, int offset,
                            const T* __restrict__ src, T* __restrict__ dst) {
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    int r = blockIdx.y * blockDim.y + threadIdx.y;
    if (j >= cols || r >= rows) {
        return;
    }
    int s = idx[offset + r];
    dst[(size_t) r * cols + j] = (s >= 0 && s < src_rows) ? src[(size_t) s * cols + j] : T(NAN);
}
#define GATHER_PARAMS(T) (int rows, int cols, int src_rows, const int* __restrict__ idx, int offset, \
                          const T* __restrict__ src, T* __restrict__ dst)
SN_KERNEL(gather_rows, GATHER_PARAMS, (rows, cols, src_rows, idx, offset, src, dst))
