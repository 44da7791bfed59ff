// reduce.cu: reductions that accumulate on the device.
//
//   sum_columns_partial  partial[g][j] = sum of a[i][j] over row chunk g
//                        2-D blocks of 16 x 16 over (column tiles, row chunks): threads along x read
//                        neighbouring columns of a row (coalesced), then a tree in shared memory
//   sum_columns_final    out[j] = alpha * sum_g partial[g][j] + beta * out[j]    1-D over columns
//   sum_into             acc[slot] += scale * sum(values)                         one block of 256
//   count_correct        acc[slot] += rows whose prediction equals the target's   one block of 256
//   argmax_rows          labels[i] = first index of the row maximum (1 column: 1 if > 0.5)
//
// sum_into and count_correct are one block with a fixed order (warp shuffles, then warp 0): the
// epoch's loss and correct count accumulate without atomics, the same bits on every run.
#include "common.cuh"

#define SUM_TILE_COLS 16
#define SUM_TILE_ROWS 16

template <typename T>
__device__ void sum_columns_partial(int rows, int cols, int rows_per_group, const T* __restrict__ a,
                                    T* __restrict__ partial) {
    __shared__ T tile[SUM_TILE_ROWS][SUM_TILE_COLS];
    int lx = threadIdx.x, ly = threadIdx.y;
    int col = blockIdx.x * SUM_TILE_COLS + lx;
    int g = blockIdx.y;
    int r0 = g * rows_per_group;
    int r1 = min(rows, r0 + rows_per_group);
    T s = T(0);
    if (col < cols) {
        for (int r = r0 + ly; r < r1; r += SUM_TILE_ROWS) {
            s += a[(size_t) r * cols + col];
        }
    }
    tile[ly][lx] = s;
    __syncthreads();
    for (int step = SUM_TILE_ROWS / 2; step > 0; step >>= 1) {
        if (ly < step) {
            tile[ly][lx] += tile[ly + step][lx];
        }
        __syncthreads();
    }
    if (ly == 0 && col < cols) {
        partial[g * cols + col] = tile[0][lx];
    }
}
#define SUM_PARTIAL_PARAMS(T) (int rows, int cols, int rows_per_group, const T* __restrict__ a, T* __restrict__ partial)
SN_KERNEL_BOUNDED(sum_columns_partial, 256, SUM_PARTIAL_PARAMS, (rows, cols, rows_per_group, a, partial))

template <typename T>
__device__ void sum_columns_final(int chunks, int cols, T alpha, T beta, const T* __restrict__ partial, T* __restrict__ out) {
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= cols) {
        return;
    }
    T s = T(0);
    for (int g = 0; g < chunks; g++) {
        s += partial[g * cols + j];
    }
    if (beta == T(0)) {   // out is not read when beta is 0
        out[j] = alpha * s;
    } else {
        out[j] = alpha * s + beta * out[j];
    }
}
#define SUM_FINAL_PARAMS(T) (int chunks, int cols, T alpha, T beta, const T* __restrict__ partial, T* __restrict__ out)
SN_KERNEL(sum_columns_final, SUM_FINAL_PARAMS, (chunks, cols, alpha, beta, partial, out))

template <typename T>
__device__ void sum_into(int n, T scale, const T* __restrict__ values, T* __restrict__ acc, int slot) {
    T s = T(0);
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        s += values[i];
    }
    s = block_sum(s);
    if (threadIdx.x == 0) {
        acc[slot] += scale * s;
    }
}
#define SUM_INTO_PARAMS(T) (int n, T scale, const T* __restrict__ values, T* __restrict__ acc, int slot)
SN_KERNEL_BOUNDED(sum_into, 256, SUM_INTO_PARAMS, (n, scale, values, acc, slot))

template <typename T>
__device__ __forceinline__ int predict_row(const T* row, int cols) {
    if (cols == 1) {
        return row[0] > T(0.5) ? 1 : 0;
    }
    int best = 0;
    T m = row[0];
    for (int j = 1; j < cols; j++) {
        if (row[j] > m) {
            m = row[j];
            best = j;
        }
    }
    return best;
}

template <typename T>
__device__ void count_correct(int rows, int cols, const T* __restrict__ out, const T* __restrict__ y, T* __restrict__ acc,
                              int slot) {
    T s = T(0);
    for (int i = threadIdx.x; i < rows; i += blockDim.x) {
        size_t off = (size_t) i * cols;
        if (predict_row(out + off, cols) == predict_row(y + off, cols)) {
            s += T(1);
        }
    }
    s = block_sum(s);
    if (threadIdx.x == 0) {
        acc[slot] += s;
    }
}
#define COUNT_PARAMS(T) (int rows, int cols, const T* __restrict__ out, const T* __restrict__ y, T* __restrict__ acc, int slot)
SN_KERNEL_BOUNDED(count_correct, 256, COUNT_PARAMS, (rows, cols, out, y, acc, slot))

template <typename T>
__device__ void argmax_rows(int rows, int cols, const T* __restrict__ out, T* __restrict__ labels) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < rows) {
        labels[i] = T(predict_row(out + (size_t) i * cols, cols));
    }
}
#define ARGMAX_PARAMS(T) (int rows, int cols, const T* __restrict__ out, T* __restrict__ labels)
SN_KERNEL(argmax_rows, ARGMAX_PARAMS, (rows, cols, out, labels))
