package dev.scratchnet.backend.cpu;

/**
 * Column sums of a row-major matrix into a double accumulator. Narrow matrices (a row shorter than
 * a cache line or so) are summed in blocks of lcm(cols, 8) contiguous elements, so the inner loop
 * runs over whole vectors whatever the width; the block's slots are folded into their columns at the
 * end. Wider matrices are summed row by row.
 */
final class ColumnSums {
    private static final int LANES = 8;
    static final int MAX_BLOCK = 256;

    private ColumnSums() {
    }

    /** acc[j] += Σ_i a[i][j]; {@code slots} is scratch of at least {@link #MAX_BLOCK} doubles. */
    static void sum(double[] a, int rows, int cols, double[] acc, double[] slots) {
        int block = lcm(cols, LANES);
        if (cols >= 32 || block > MAX_BLOCK || rows * cols < 2 * block) {
            for (int i = 0; i < rows; i++) {
                int off = i * cols;
                for (int j = 0; j < cols; j++) {
                    acc[j] += a[off + j];
                }
            }
            return;
        }
        java.util.Arrays.fill(slots, 0, block, 0.0);
        int full = rows * cols / block * block;
        for (int off = 0; off < full; off += block) {
            for (int e = 0; e < block; e++) {
                slots[e] += a[off + e];
            }
        }
        for (int e = 0; e < block; e++) {
            acc[e % cols] += slots[e];
        }
        for (int e = full; e < rows * cols; e++) {
            acc[e % cols] += a[e];
        }
    }

    static void sum(float[] a, int rows, int cols, double[] acc) {
        for (int i = 0; i < rows; i++) {
            int off = i * cols;
            for (int j = 0; j < cols; j++) {
                acc[j] += a[off + j];
            }
        }
    }

    private static int lcm(int a, int b) {
        int x = a, y = b;
        while (y != 0) {
            int t = x % y;
            x = y;
            y = t;
        }
        return a / x * b;
    }
}
