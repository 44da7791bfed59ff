// activations.cu: activation functions and their derivatives, element by element.
//
//   activation_forward   a = f(z)                          1-D over n; a may be z
//   activation_backward  dZ = dA * f'(from the output a)   1-D over n; dZ may be dA
//   add_row_vector       c[i][j] += bias[j]                1-D over rows * cols
//
// Codes: 0 identity, 1 sigmoid, 2 ReLU, 3 tanh, 4 leaky ReLU (slope act_param); see common.cuh.
// a and z (dA and dZ) may alias, so these kernels do not mark them __restrict__.
#include "common.cuh"

template <typename T>
__device__ void activation_forward(int n, int act, T act_param, const T* z, T* a) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        a[i] = act_apply(act, act_param, z[i]);
    }
}
#define ACT_FWD_PARAMS(T) (int n, int act, T act_param, const T* z, T* a)
SN_KERNEL(activation_forward, ACT_FWD_PARAMS, (n, act, act_param, z, a))

template <typename T>
__device__ void activation_backward(int n, int act, T act_param, const T* a, const T* dA, T* dZ) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        dZ[i] = dA[i] * act_derivative(act, act_param, a[i]);
    }
}
#define ACT_BWD_PARAMS(T) (int n, int act, T act_param, const T* a, const T* dA, T* dZ)
SN_KERNEL(activation_backward, ACT_BWD_PARAMS, (n, act, act_param, a, dA, dZ))

template <typename T>
__device__ void add_row_vector(int rows, int cols, const T* __restrict__ bias, T* __restrict__ c) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < rows * cols) {
        c[i] += bias[i % cols];
    }
}
#define ADD_ROW_PARAMS(T) (int rows, int cols, const T* __restrict__ bias, T* __restrict__ c)
SN_KERNEL(add_row_vector, ADD_ROW_PARAMS, (rows, cols, bias, c))
