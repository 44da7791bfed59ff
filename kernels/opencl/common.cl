/*
 * common.cl: what several kernel files share. The host compiles every file of kernels/opencl as one
 * program, this one first (OpenClBackend.FILES), so these functions are visible to all of them.
 *
 *   act_apply, act_derivative   the activation functions by code (0 identity, 1 sigmoid, 2 ReLU,
 *                               3 tanh, 4 leaky ReLU) and their derivatives from the output
 *   group_max, group_sum        a work-group's maximum or sum, returned to every work-item: a tree
 *                               in local memory (one REAL per work-item; the group size must be a
 *                               power of two), with a barrier at the end so the scratch can be reused
 */

inline REAL act_apply(int act, REAL param, REAL z) {
    switch (act) {
        case 1: return (REAL) 1 / ((REAL) 1 + exp(-z));
        case 2: return z > 0 ? z : (REAL) 0;
        case 3: return tanh(z);
        case 4: return z > 0 ? z : param * z;
        default: return z;
    }
}

inline REAL act_derivative(int act, REAL param, REAL a) {
    switch (act) {
        case 1: return a * ((REAL) 1 - a);
        case 2: return a > 0 ? (REAL) 1 : (REAL) 0;
        case 3: return (REAL) 1 - a * a;
        case 4: return a > 0 ? (REAL) 1 : param;
        default: return (REAL) 1;
    }
}

inline REAL group_max(__local REAL* scratch, REAL v) {
    int lid = get_local_id(0);
    scratch[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = get_local_size(0) / 2; s > 0; s >>= 1) {
        if (lid < s) {
            scratch[lid] = fmax(scratch[lid], scratch[lid + s]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    REAL r = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

inline REAL group_sum(__local REAL* scratch, REAL v) {
    int lid = get_local_id(0);
    scratch[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = get_local_size(0) / 2; s > 0; s >>= 1) {
        if (lid < s) {
            scratch[lid] += scratch[lid + s];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    REAL r = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}
