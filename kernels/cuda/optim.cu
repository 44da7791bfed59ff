// optim.cu: optimizer updates, in place, one thread per parameter (1-D over n).
//
//   sgd_update       p -= lr * g
//   momentum_update  v = mu * v + g;  p -= lr * v
//   rmsprop_update   s = rho * s + (1 - rho) * g^2;  p -= lr * g / (sqrt(s) + eps)
//   adam_update      m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
//                    p -= lr * (m / c1) / (sqrt(v / c2) + eps),  c1 = 1 - b1^t, c2 = 1 - b2^t (host)
#include "common.cuh"

template <typename T>
__device__ void sgd_update(int n, T lr, const T* __restrict__ g, T* __restrict__ p) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        p[i] -= lr * g[i];
    }
}
#define SGD_PARAMS(T) (int n, T lr, const T* __restrict__ g, T* __restrict__ p)
SN_KERNEL(sgd_update, SGD_PARAMS, (n, lr, g, p))

template <typename T>
__device__ void momentum_update(int n, T lr, T mu, const T* __restrict__ g, T* __restrict__ v, T* __restrict__ p) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        T vi = mu * v[i] + g[i];
        v[i] = vi;
        p[i] -= lr * vi;
    }
}
#define MOMENTUM_PARAMS(T) (int n, T lr, T mu, const T* __restrict__ g, T* __restrict__ v, T* __restrict__ p)
SN_KERNEL(momentum_update, MOMENTUM_PARAMS, (n, lr, mu, g, v, p))

template <typename T>
__device__ void rmsprop_update(int n, T lr, T rho, T eps, const T* __restrict__ g, T* __restrict__ s, T* __restrict__ p) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        T gi = g[i];
        T si = rho * s[i] + (T(1) - rho) * gi * gi;
        s[i] = si;
        p[i] -= lr * gi / (sn_sqrt(si) + eps);
    }
}
#define RMSPROP_PARAMS(T) (int n, T lr, T rho, T eps, const T* __restrict__ g, T* __restrict__ s, T* __restrict__ p)
SN_KERNEL(rmsprop_update, RMSPROP_PARAMS, (n, lr, rho, eps, g, s, p))

template <typename T>
__device__ void adam_update(int n, T lr, T beta1, T beta2, T eps, T c1, T c2, const T* __restrict__ g,
                            T* __restrict__ m, T* __restrict__ v, T* __restrict__ p) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        T gi = g[i];
        T mi = beta1 * m[i] + (T(1) - beta1) * gi;
        T vi = beta2 * v[i] + (T(1) - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= lr * (mi / c1) / (sn_sqrt(vi / c2) + eps);
    }
}
#define ADAM_PARAMS(T) (int n, T lr, T beta1, T beta2, T eps, T c1, T c2, const T* __restrict__ g, T* __restrict__ m, \
                        T* __restrict__ v, T* __restrict__ p)
SN_KERNEL(adam_update, ADAM_PARAMS, (n, lr, beta1, beta2, eps, c1, c2, g, m, v, p))
