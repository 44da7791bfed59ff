/*
 * reduce.cl: reductions that accumulate on the device.
 *
 *   sum_columns_partial  partial[g][j] = sum of a[i][j] over row chunk g
 *                        2-D work-groups of SUM_TILE_COLS x SUM_TILE_ROWS: neighbouring work-items
 *                        read neighbouring columns of a row (coalesced), each walks its chunk with a
 *                        stride of SUM_TILE_ROWS rows, then a tree in local memory sums the column.
 *   sum_columns_final    out[j] = alpha * sum_g partial[g][j] + beta * out[j]   1-D over columns
 *                        (beta == 0: out is not read)
 *   sum_into             acc[slot] += scale * sum(values)      one work-group
 *   count_correct        acc[slot] += rows whose prediction equals the target's   one work-group
 *   argmax_rows          labels[i] = first index of the row maximum (1 column: 1 if > 0.5)   1-D over rows
 *
 * sum_into and count_correct run as one work-group with a fixed summation order: the loss and the
 * correct count of an epoch accumulate without atomics and give the same bits on every run.
 */

#define SUM_TILE_COLS 16
#define SUM_TILE_ROWS 16

__kernel void sum_columns_partial(int rows, int cols, int rows_per_group, __global const REAL* a,
                                  __global REAL* partial) {
    __local REAL tile[SUM_TILE_ROWS][SUM_TILE_COLS];
    int lx = get_local_id(0);
    int ly = get_local_id(1);
    int col = get_group_id(0) * SUM_TILE_COLS + lx;
    int g = get_group_id(1);
    int r0 = g * rows_per_group;
    int r1 = min(rows, r0 + rows_per_group);
    REAL s = 0;
    if (col < cols) {
        for (int r = r0 + ly; r < r1; r += SUM_TILE_ROWS) {
            s += a[(size_t) r * cols + col];
        }
    }
    tile[ly][lx] = s;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int step = SUM_TILE_ROWS / 2; step > 0; step >>= 1) {
        if (ly < step) {
            tile[ly][lx] += tile[ly + step][lx];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (ly == 0 && col < cols) {
        partial[g * cols + col] = tile[0][lx];
    }
}

__kernel void sum_columns_final(int chunks, int cols, REAL alpha, REAL beta, __global const REAL* partial,
                                __global REAL* out) {
    int j = get_global_id(0);
    if (j >= cols) {
        return;
    }
    REAL s = 0;
    for (int g = 0; g < chunks; g++) {
        s += partial[g * cols + j];
    }
    if (beta == 0) {            /* an if, not a select: out is not read at all when beta is 0 */
        out[j] = alpha * s;
    } else {
        out[j] = alpha * s + beta * out[j];
    }
}

__kernel void sum_into(int n, REAL scale, __global const REAL* values, __global REAL* acc, int slot,
                       __local REAL* scratch) {
    int lid = get_local_id(0);
    REAL s = 0;
    for (int i = lid; i < n; i += get_local_size(0)) {
        s += values[i];
    }
    s = group_sum(scratch, s);
    if (lid == 0) {
        acc[slot] += scale * s;
    }
}

inline int predict_row(__global const REAL* row, int cols) {
    if (cols == 1) {
        return row[0] > (REAL) 0.5 ? 1 : 0;
    }
    int best = 0;
    REAL m = row[0];
    for (int j = 1; j < cols; j++) {
        if (row[j] > m) {
            m = row[j];
            best = j;
        }
    }
    return best;
}

__kernel void count_correct(int rows, int cols, __global const REAL* out, __global const REAL* y,
                            __global REAL* acc, int slot, __local REAL* scratch) {
    int lid = get_local_id(0);
    REAL s = 0;
    for (int i = lid; i < rows; i += get_local_size(0)) {
        size_t off = (size_t) i * cols;
        if (predict_row(out + off, cols) == predict_row(y + off, cols)) {
            s += 1;
        }
    }
    s = group_sum(scratch, s);
    if (lid == 0) {
        acc[slot] += s;
    }
}

__kernel void argmax_rows(int rows, int cols, __global const REAL* out, __global REAL* labels) {
    int i = get_global_id(0);
    if (i < rows) {
        labels[i] = (REAL) predict_row(out + (size_t) i * cols, cols);
    }
}
