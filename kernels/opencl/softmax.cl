/*
 * softmax.cl: the row softmax and its derivative, one work-group per row.
 *
 *   softmax_rows      p = exp(z - max) / sum(exp(z - max)), per row; p may be z
 *   softmax_backward  dZ = p * (dP - sum_j dP_j p_j), per row
 *
 * The host picks the work-group size: the next power of two at or above the row length, at most
 * the device's limit (256 at most), so a 2-column row does not occupy 256 work-items and a
 * 5000-column row is read by the whole group. The maximum and the sums are tree reductions in
 * local memory (`scratch`, one REAL per work-item: group_max and group_sum in common.cl). Each element is read and written by the same
 * work-item in every pass, so the op may run in place.
 */

__kernel void softmax_rows(int rows, int cols, __global const REAL* z, __global REAL* p, __local REAL* scratch) {
    int row = get_group_id(0);
    int lid = get_local_id(0);
    int ls = get_local_size(0);
    if (row >= rows) {
        return;
    }
    __global const REAL* zr = z + (size_t) row * cols;
    __global REAL* pr = p + (size_t) row * cols;
    REAL m = -INFINITY;
    for (int j = lid; j < cols; j += ls) {
        m = fmax(m, zr[j]);
    }
    m = group_max(scratch, m);
    REAL sum = 0;
    for (int j = lid; j < cols; j += ls) {
        REAL e = exp(zr[j] - m);
        pr[j] = e;
        sum += e;
    }
    sum = group_sum(scratch, sum);
    for (int j = lid; j < cols; j += ls) {
        pr[j] = pr[j] / sum;
    }
}

__kernel void softmax_backward(int rows, int cols, __global const REAL* p, __global const REAL* dP,
                               __global REAL* dZ, __local REAL* scratch) {
    int row = get_group_id(0);
    int lid = get_local_id(0);
    int ls = get_local_size(0);
    if (row >= rows) {
        return;
    }
    size_t off = (size_t) row * cols;
    REAL dot = 0;
    for (int j = lid; j < cols; j += ls) {
        dot += dP[off + j] * p[off + j];
    }
    dot = group_sum(scratch, dot);
    for (int j = lid; j < cols; j += ls) {
        dZ[off + j] = p[off + j] * (dP[off + j] - dot);
    }
}
