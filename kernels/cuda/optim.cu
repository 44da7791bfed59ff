// optim.cu: optimizer updates, in place, one thread per parameter element.
//
//   sgd_update       p -= lr * g
//   momentum_update  v = mu * v + g;  p -= lr * v
//   rmsprop_update   s = rho * s + (1 - rho) * g^2;  p -= lr * g / (sqrt(s) + eps)
//   adam_update      m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
//                    p -= lr * (m / c1) / (sqrt(v / c2) + eps),  c1 = 1 - b1^t, c2 = 1 - b2^t (host)
//
// Two variants of each, sharing the element update (NAME_element) so they cannot drift apart:
//   NAME_update        one tensor: 1-D over n, blocks of 256 (the kernels/opencl contract)
//   NAME_update_multi  every tensor of an optimizer step in ONE launch (CUDA only): a device table of
//                      `count` OptimEntry {p, g, s0, s1, n, first_block}, uploaded once per distinct
//                      list of tensors by CudaBackend; entry e owns blocks first_block .. the next
//                      entry's first_block - 1 (ceil(n / 256) blocks), the grid is their total. Each
//                      block finds its entry by a linear scan (an optimizer has a few dozen tensors at
//                      most) and updates its slice of 256 elements exactly as NAME_update does, so
//                      the results are bit-identical to one launch per tensor.
//                      Figures: not measured (needs a GPU); it replaces 2 launches per layer by 1 per
//                      step (6 -> 1 for the 784-256-128-10 MLP).
#include "common.cuh"

template <typename T>
__device__ __forceinline__ void sgd_element(int i, T lr, const T* __restrict__ g, T* __restrict__ p) {
    p[i] -= lr * g[i];
}

template <typename T>
__device__ __forceinline__ void momentum_element(int i, T lr, T mu, const T* __restrict__ g, T* __restrict__ v,
                                                 T* __restrict__ p) {
    T vi = mu * v[i] + g[i];
    v[i] = vi;
    p[i] -= lr * vi;
}

template <typename T>
__device__ __forceinline__ void rmsprop_element(int i, T lr, T rho, T eps, const T* __restrict__ g, T* __restrict__ s,
                                                T* __restrict__ p) {
    T gi = g[i];
    T si = rho * s[i] + (T(1) - rho) * gi * gi;
    s[i] = si;
    p[i] -= lr * gi / (sn_sqrt(si) + eps);
}

template <typename T>
__device__ __forceinline__ void adam_element(int i, T lr, T beta1, T beta2, T eps, T c1, T c2, const T* __restrict__ g,
                                             T* __restrict__ m, T* __restrict__ v, T* __restrict__ p) {
    T gi = g[i];
    T mi = beta1 * m[i] + (T(1) - beta1) * gi;
    T vi = beta2 * v[i] + (T(1) - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] -= lr * (mi / c1) / (sn_sqrt(vi / c2) + eps);
}

// ---- one tensor ---------------------------------------------------------------------------------
template <typename T>
__device__ void sgd_update(int n, T lr, const T* __restrict__ g, T* __restrict__ p) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        sgd_element(i, lr, g, p);
    }
}
#define SGD_PARAMS(T) (int n, T lr, const T* __restrict__ g, T* __restrict__ p)
SN_KERNEL(sgd_update, SGD_PARAMS, (n, lr, g, p))

template <typename T>
__device__ void momentum_update(int n, T lr, T mu, const T* __restrict__ g, T* __restrict__ v, T* __restrict__ p) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        momentum_element(i, lr, mu, g, v, p);
    }
}
#define MOMENTUM_PARAMS(T) (int n, T lr, T mu, const T* __restrict__ g, T* __restrict__ v, T* __restrict__ p)
SN_KERNEL(momentum_update, MOMENTUM_PARAMS, (n, lr, mu, g, v, p))

template <typename T>
__device__ void rmsprop_update(int n, T lr, T rho, T eps, const T* __restrict__ g, T* __restrict__ s, T* __restrict__ p) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        rmsprop_element(i, lr, rho, eps, g, s, p);
    }
}
#define RMSPROP_PARAMS(T) (int n, T lr, T rho, T eps, const T* __restrict__ g, T* __restrict__ s, T* __restrict__ p)
SN_KERNEL(rmsprop_update, RMSPROP_PARAMS, (n, lr, rho, eps, g, s, p))

template <typename T>
__device__ void adam_update(int n, T lr, T beta1, T beta2, T eps, T c1, T c2, const T* __restrict__ g,
                            T* __restrict__ m, T* __restrict__ v, T* __restrict__ p) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        adam_element(i, lr, beta1, beta2, eps, c1, c2, g, m, v, p);
    }
}
#define ADAM_PARAMS(T) (int n, T lr, T beta1, T beta2, T eps, T c1, T c2, const T* __restrict__ g, T* __restrict__ m, \
                        T* __restrict__ v, T* __restrict__ p)
SN_KERNEL(adam_update, ADAM_PARAMS, (n, lr, beta1, beta2, eps, c1, c2, g, m, v, p))

// ---- every tensor of a step in one launch ------------------------------------------------------
// One entry of the table, 40 bytes, as CudaBackend writes it (five 64-bit words, little-endian):
// p, g, s0 (momentum's v, RMSprop's s, Adam's m; null for SGD), s1 (Adam's v, else null), then
// n and first_block as two 32-bit ints.
template <typename T>
struct OptimEntry {
    T* p;
    const T* g;
    T* s0;
    T* s1;
    int n;
    int first_block;
};
static_assert(sizeof(OptimEntry<float>) == 40 && sizeof(OptimEntry<double>) == 40, "the host writes 40-byte entries");

/** The entry whose blocks include this block, and this thread's element in it (may be >= its n). */
template <typename T>
__device__ __forceinline__ OptimEntry<T> optim_entry(int count, const OptimEntry<T>* __restrict__ table, int& i) {
    int b = blockIdx.x, e = 0;
    for (int k = 1; k < count; k++) {
        if (table[k].first_block <= b) {
            e = k;
        }
    }
    OptimEntry<T> entry = table[e];
    i = (b - entry.first_block) * blockDim.x + threadIdx.x;
    return entry;
}

template <typename T>
__device__ void sgd_update_multi(int count, const OptimEntry<T>* __restrict__ table, T lr) {
    int i;
    OptimEntry<T> e = optim_entry(count, table, i);
    if (i < e.n) {
        sgd_element(i, lr, e.g, e.p);
    }
}
#define SGD_MULTI_PARAMS(T) (int count, const OptimEntry<T>* __restrict__ table, T lr)
SN_KERNEL(sgd_update_multi, SGD_MULTI_PARAMS, (count, table, lr))

template <typename T>
__device__ void momentum_update_multi(int count, const OptimEntry<T>* __restrict__ table, T lr, T mu) {
    int i;
    OptimEntry<T> e = optim_entry(count, table, i);
    if (i < e.n) {
        momentum_element(i, lr, mu, e.g, e.s0, e.p);
    }
}
#define MOMENTUM_MULTI_PARAMS(T) (int count, const OptimEntry<T>* __restrict__ table, T lr, T mu)
SN_KERNEL(momentum_update_multi, MOMENTUM_MULTI_PARAMS, (count, table, lr, mu))

template <typename T>
__device__ void rmsprop_update_multi(int count, const OptimEntry<T>* __restrict__ table, T lr, T rho, T eps) {
    int i;
    OptimEntry<T> e = optim_entry(count, table, i);
    if (i < e.n) {
        rmsprop_element(i, lr, rho, eps, e.g, e.s0, e.p);
    }
}
#define RMSPROP_MULTI_PARAMS(T) (int count, const OptimEntry<T>* __restrict__ table, T lr, T rho, T eps)
SN_KERNEL(rmsprop_update_multi, RMSPROP_MULTI_PARAMS, (count, table, lr, rho, eps))

template <typename T>
__device__ void adam_update_multi(int count, const OptimEntry<T>* __restrict__ table, T lr, T beta1, T beta2, T eps, T c1,
                                  T c2) {
    int i;
    OptimEntry<T> e = optim_entry(count, table, i);
    if (i < e.n) {
        adam_element(i, lr, beta1, beta2, eps, c1, c2, e.g, e.s0, e.s1, e.p);
    }
}
#define ADAM_MULTI_PARAMS(T) (int count, const OptimEntry<T>* __restrict__ table, T lr, T beta1, T beta2, T eps, T c1, T c2)
SN_KERNEL(adam_update_multi, ADAM_MULTI_PARAMS, (count, table, lr, beta1, beta2, eps, c1, c2))
