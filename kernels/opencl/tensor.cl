/*
 * tensor.cl: element-wise basics.
 *
 *   fill         x = value                                  1-D over n
 *   scale        x = alpha * x                              1-D over n
 *   axpy         y = alpha * x + y                          1-D over n
 *   gather_rows  dst[r][j] = src[idx[offset + r]][j]        2-D: columns x rows, so a row is read
 *                                                           and written by neighbouring work-items
 *                                                           (coalesced). An index outside the
 *                                                           source writes NaN: a bad index shows up
 *                                                           as a NaN loss, never as an
 *                                                           out-of-bounds read.
 */

__kernel void fill(int n, REAL value, __global REAL* x) {
    int i = get_global_id(0);
    if (i < n) {
        x[i] = value;
    }
}

__kernel void scale(int n, REAL alpha, __global REAL* x) {
    int i = get_global_id(0);
    if (i < n) {
        x[i] = alpha * x[i];
    }
}

__kernel void axpy(int n, REAL alpha, __global const REAL* x, __global REAL* y) {
    int i = get_global_id(0);
    if (i < n) {
        y[i] = alpha * x[i] + y[i];
    }
}

__kernel void gather_rows(int rows, int cols, int src_rows, __global const int* idx, int offset,
                          __global const REAL* src, __global REAL* dst) {
    int j = get_global_id(0);
    int r = get_global_id(1);
    if (j >= cols || r >= rows) {
        return;
    }
    int s = idx[offset + r];
    dst[r * cols + j] = (s >= 0 && s < src_rows) ? src[s * cols + j] : (REAL) NAN;
}
