/*
 * activations.cl: activation functions and their derivatives, element by element.
 *
 *   activation_forward   a = f(z)                          1-D over n; a may be z
 *   activation_backward  dZ = dA * f'(from the output a)   1-D over n; dZ may be dA
 *   add_row_vector       c[i][j] += bias[j]                1-D over rows * cols
 *
 * Codes (act): 0 identity, 1 sigmoid, 2 ReLU, 3 tanh, 4 leaky ReLU (slope act_param); the functions
 * themselves are in common.cl.
 * Sigmoid is 1 / (1 + exp(-z)) exactly as the notebooks write it: for very negative z, exp
 * overflows to infinity and the result is 0, not NaN.
 */

__kernel void activation_forward(int n, int act, REAL act_param, __global const REAL* z, __global REAL* a) {
    int i = get_global_id(0);
    if (i < n) {
        a[i] = act_apply(act, act_param, z[i]);
    }
}

__kernel void activation_backward(int n, int act, REAL act_param, __global const REAL* a,
                                  __global const REAL* dA, __global REAL* dZ) {
    int i = get_global_id(0);
    if (i < n) {
        dZ[i] = dA[i] * act_derivative(act, act_param, a[i]);
    }
}

__kernel void add_row_vector(int rows, int cols, __global const REAL* bias, __global REAL* c) {
    int i = get_global_id(0);
    if (i < rows * cols) {
        c[i] += bias[i % cols];
    }
}
