// loss.cu: loss and gradient in one pass, one thread per row (1-D over rows).
//
//   loss_softmax_cross_entropy  row loss -sum_j y log(p + eps)              grad (p - y) * scale
//   loss_sigmoid_bce            row loss -sum_j [y log c + (1-y) log(1-c)],
//                               c = clamp(a, eps, 1 - eps)                 grad (a - y) * scale
//   loss_bce                    row loss -sum_j [y log(a+eps) + (1-y) log(1-a+eps)]
//                                                                           grad -(y/(a+eps) - (1-y)/(1-a+eps)) * scale
//   loss_mse                    row loss sum_j (a - y)^2                     grad 2 (a - y) * scale
//
// Cross-entropy skips the terms whose target is 0. See kernels/KERNELS.md.
#include "common.cuh"

#define LOSS_PARAMS(T) (int rows, int cols, T eps, T scale, const T* __restrict__ out, const T* __restrict__ y, \
                        T* __restrict__ grad, T* __restrict__ row_loss)

template <typename T>
__device__ void loss_softmax_cross_entropy(int rows, int cols, T eps, T scale, const T* __restrict__ out,
                                           const T* __restrict__ y, T* __restrict__ grad, T* __restrict__ row_loss) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= rows) {
        return;
    }
    T l = T(0);
    for (int j = 0; j < cols; j++) {
        size_t e = (size_t) i * cols + j;
        T a = out[e], t = y[e];
        if (t != T(0)) {
            l += t * sn_log(a + eps);
        }
        grad[e] = (a - t) * scale;
    }
    row_loss[i] = -l;
}
SN_KERNEL(loss_softmax_cross_entropy, LOSS_PARAMS, (rows, cols, eps, scale, out, y, grad, row_loss))

template <typename T>
__device__ void loss_sigmoid_bce(int rows, int cols, T eps, T scale, const T* __restrict__ out,
                                 const T* __restrict__ y, T* __restrict__ grad, T* __restrict__ row_loss) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= rows) {
        return;
    }
    T hi = T(1) - eps;
    T l = T(0);
    for (int j = 0; j < cols; j++) {
        size_t e = (size_t) i * cols + j;
        T a = out[e], t = y[e];
        T c = sn_min(sn_max(a, eps), hi);
        l += t * sn_log(c) + (T(1) - t) * sn_log(T(1) - c);
        grad[e] = (a - t) * scale;
    }
    row_loss[i] = -l;
}
SN_KERNEL(loss_sigmoid_bce, LOSS_PARAMS, (rows, cols, eps, scale, out, y, grad, row_loss))

template <typename T>
__device__ void loss_bce(int rows, int cols, T eps, T scale, const T* __restrict__ out,
                         const T* __restrict__ y, T* __restrict__ grad, T* __restrict__ row_loss) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= rows) {
        return;
    }
    T l = T(0);
    for (int j = 0; j < cols; j++) {
        size_t e = (size_t) i * cols + j;
        T a = out[e], t = y[e];
        l += t * sn_log(a + eps) + (T(1) - t) * sn_log(T(1) - a + eps);
        grad[e] = -(t / (a + eps) - (T(1) - t) / (T(1) - a + eps)) * scale;
    }
    row_loss[i] = -l;
}
SN_KERNEL(loss_bce, LOSS_PARAMS, (rows, cols, eps, scale, out, y, grad, row_loss))

template <typename T>
__device__ void loss_mse(int rows, int cols, T eps, T scale, const T* __restrict__ out,
                         const T* __restrict__ y, T* __restrict__ grad, T* __restrict__ row_loss) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= rows) {
        return;
    }
    (void) eps;
    T l = T(0);
    for (int j = 0; j < cols; j++) {
        size_t e = (size_t) i * cols + j;
        T d = out[e] - y[e];
        l += d * d;
        grad[e] = T(2) * d * scale;
    }
    row_loss[i] = l;
}
SN_KERNEL(loss_mse, LOSS_PARAMS, (rows, cols, eps, scale, out, y, grad, row_loss))
