package dev.scratchnet.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * fp64 C = alpha·op(A)·op(B) + beta·C for the narrow products of small networks (an output a few
 * vectors wide, any m and k), with the Vector API. op(B) is copied once into a k × n' buffer whose
 * rows are padded with zeros to whole vectors (this is also where Bᵀ is undone); then eight rows of
 * A run together over two vectors of columns (8×2 accumulators: two vector loads of B feed sixteen
 * multiply-adds), then four rows over two or one vector; the last, shorter group repeats its last
 * row and stores only the rows that exist. Whole vectors of C are stored as vectors; only the last, partial vector of a row is stored
 * element by element.
 *
 * <p>Each tile is its own method, large enough that C2 does not inline it into {@link #rows}: C2
 * intrinsifies the vector operations only while a compiled method stays within its budget, and
 * with the small tiles inlined, {@code rows} outgrew it and ran the vector code boxed (see
 * docs/BENCHMARKS.md).
 */
final class DoubleSmallGemm {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** Per-thread buffers, kept between calls. */
    static final class Scratch {
        double[] bp = new double[0];
        final double[] tile = new double[8 * 2 * L];
    }

    private DoubleSmallGemm() {
    }

    /** Lanes of a vector. */
    static int lanes() {
        return L;
    }

    /** Copies op(B) into the padded k × np buffer of {@code s}; returns np. */
    static int packB(boolean transB, int n, int k, double[] b, Scratch s) {
        int np = (n + L - 1) / L * L;
        if (s.bp.length < k * np) {
            s.bp = new double[k * np];
        }
        double[] bp = s.bp;
        for (int kk = 0; kk < k; kk++) {
            int o = kk * np;
            if (transB) {
                for (int j = 0; j < n; j++) {
                    bp[o + j] = b[j * k + kk];
                }
            } else {
                System.arraycopy(b, kk * n, bp, o, n);
            }
            for (int j = n; j < np; j++) {
                bp[o + j] = 0;
            }
        }
        return np;
    }

    /** Rows [rowBegin, rowEnd) of C, with B packed into {@code bp} by {@link #packB}. */
    static void rows(boolean transA, int m, int n, int k, double alpha, double[] a, double beta, double[] c,
                     double[] bp, int np, double[] tile, int rowBegin, int rowEnd) {
        rows(transA, m, n, k, alpha, a, beta, c, null, bp, np, tile, rowBegin, rowEnd);
    }

    /**
     * As {@link #rows}, adding {@code bias[j]} to every element of column j (bias may be null). Eight
     * rows at a time over pairs of vectors, then four rows; a last group of fewer than four rows
     * repeats its last row and stores only the rows that exist. k is taken in the steps of
     * {@link CpuGemm#steps}, as every CPU kernel takes it, each step's sum stored into C before the
     * next: so the packed kernel, this one and the scalar loops of {@link SmallGemm} give the same bits.
     */
    static void rows(boolean transA, int m, int n, int k, double alpha, double[] a, double beta, double[] c, double[] bias,
                     double[] bp, int np, double[] tile, int rowBegin, int rowEnd) {
        int last = rowEnd - 1;
        int i0 = rowBegin;
        int steps = CpuGemm.steps(k);
        int pairs = np / (2 * L) * (2 * L);
        for (; i0 + 8 <= rowEnd && pairs > 0; i0 += 8) {
            for (int col = 0; col < pairs; col += 2 * L) {
                for (int s = 0; s < steps; s++) {
                    int k0 = k * s / steps, kc = k * (s + 1) / steps - k0;
                    tile8x2(transA, a, m, k, k0, kc, i0, last, bp, np, col, tile);
                    store(tile, 2 * L, 8, 2 * L, c, n, i0, col, alpha, s == 0 ? beta : 1, s == steps - 1 ? bias : null);
                }
            }
            for (int col = pairs; col < np; col += L) {
                for (int s = 0; s < steps; s++) {
                    int k0 = k * s / steps, kc = k * (s + 1) / steps - k0;
                    tile4x1(transA, a, m, k, k0, kc, i0, last, bp, np, col, tile);
                    store(tile, L, 4, L, c, n, i0, col, alpha, s == 0 ? beta : 1, s == steps - 1 ? bias : null);
                }
                for (int s = 0; s < steps; s++) {
                    int k0 = k * s / steps, kc = k * (s + 1) / steps - k0;
                    tile4x1(transA, a, m, k, k0, kc, i0 + 4, last, bp, np, col, tile);
                    store(tile, L, 4, L, c, n, i0 + 4, col, alpha, s == 0 ? beta : 1, s == steps - 1 ? bias : null);
                }
            }
        }
        for (; i0 < rowEnd; i0 += 4) {
            int rows = Math.min(4, rowEnd - i0);
            for (int col = 0; col < pairs; col += 2 * L) {
                for (int s = 0; s < steps; s++) {
                    int k0 = k * s / steps, kc = k * (s + 1) / steps - k0;
                    tile4x2(transA, a, m, k, k0, kc, i0, last, bp, np, col, tile);
                    store(tile, 2 * L, rows, 2 * L, c, n, i0, col, alpha, s == 0 ? beta : 1, s == steps - 1 ? bias : null);
                }
            }
            for (int col = pairs; col < np; col += L) {
                for (int s = 0; s < steps; s++) {
                    int k0 = k * s / steps, kc = k * (s + 1) / steps - k0;
                    tile4x1(transA, a, m, k, k0, kc, i0, last, bp, np, col, tile);
                    store(tile, L, rows, L, c, n, i0, col, alpha, s == 0 ? beta : 1, s == steps - 1 ? bias : null);
                }
            }
        }
    }

    /** C[i0.., col..] = alpha·tile + beta·C (+ bias) for rows × width (clipped at n), vector by vector. */
    private static void store(double[] tile, int stride, int rows, int width, double[] c, int n, int i0, int col,
                              double alpha, double beta, double[] bias) {
        for (int r = 0; r < rows; r++) {
            int co = (i0 + r) * n + col, to = r * stride;
            int j = 0;
            for (; j + L <= width && col + j + L <= n; j += L) {
                DoubleVector v = DoubleVector.fromArray(S, tile, to + j).mul(alpha);
                if (beta != 0) {
                    v = DoubleVector.fromArray(S, c, co + j).mul(beta).add(v);
                }
                if (bias != null) {
                    v = v.add(DoubleVector.fromArray(S, bias, col + j));
                }
                v.intoArray(c, co + j);
            }
            int end = Math.min(width, n - col);
            for (; j < end; j++) {
                double v = beta == 0 ? alpha * tile[to + j] : alpha * tile[to + j] + beta * c[co + j];
                c[co + j] = bias == null ? v : v + bias[col + j];
            }
        }
    }



    /**
     * 8 rows of op(A) from i0 (rows past {@code last} repeat it) times 2 vectors of packed B at
     * {@code col}: out holds the 8×2-vector tile row by row. Plain and transposed A are the two
     * branches of one method, outside the k loop: the method is then too large for C2 to inline into
     * its caller, so it is always compiled, with its vector operations intrinsified, on its own.
     */
    private static void tile8x2(boolean transA, double[] a, int m, int k, int k0, int kc, int i0, int last, double[] bp, int np, int col, double[] out) {
        DoubleVector c00 = DoubleVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        int r0 = Math.min(i0 + 0, last);
        int r1 = Math.min(i0 + 1, last);
        int r2 = Math.min(i0 + 2, last);
        int r3 = Math.min(i0 + 3, last);
        int r4 = Math.min(i0 + 4, last);
        int r5 = Math.min(i0 + 5, last);
        int r6 = Math.min(i0 + 6, last);
        int r7 = Math.min(i0 + 7, last);
        if (transA) {
            for (int kk = 0; kk < kc; kk++) {
                DoubleVector b0 = DoubleVector.fromArray(S, bp, (k0 + kk) * np + col);
                DoubleVector b1 = DoubleVector.fromArray(S, bp, (k0 + kk) * np + col + 1 * L);
                int ao = (k0 + kk) * m;
                DoubleVector x0 = DoubleVector.broadcast(S, a[ao + r0]);
                c00 = b0.fma(x0, c00);
                c01 = b1.fma(x0, c01);
                DoubleVector x1 = DoubleVector.broadcast(S, a[ao + r1]);
                c10 = b0.fma(x1, c10);
                c11 = b1.fma(x1, c11);
                DoubleVector x2 = DoubleVector.broadcast(S, a[ao + r2]);
                c20 = b0.fma(x2, c20);
                c21 = b1.fma(x2, c21);
                DoubleVector x3 = DoubleVector.broadcast(S, a[ao + r3]);
                c30 = b0.fma(x3, c30);
                c31 = b1.fma(x3, c31);
                DoubleVector x4 = DoubleVector.broadcast(S, a[ao + r4]);
                c40 = b0.fma(x4, c40);
                c41 = b1.fma(x4, c41);
                DoubleVector x5 = DoubleVector.broadcast(S, a[ao + r5]);
                c50 = b0.fma(x5, c50);
                c51 = b1.fma(x5, c51);
                DoubleVector x6 = DoubleVector.broadcast(S, a[ao + r6]);
                c60 = b0.fma(x6, c60);
                c61 = b1.fma(x6, c61);
                DoubleVector x7 = DoubleVector.broadcast(S, a[ao + r7]);
                c70 = b0.fma(x7, c70);
                c71 = b1.fma(x7, c71);
            }
        } else {
            int a0 = r0 * k + k0;
            int a1 = r1 * k + k0;
            int a2 = r2 * k + k0;
            int a3 = r3 * k + k0;
            int a4 = r4 * k + k0;
            int a5 = r5 * k + k0;
            int a6 = r6 * k + k0;
            int a7 = r7 * k + k0;
            for (int kk = 0; kk < kc; kk++) {
                DoubleVector b0 = DoubleVector.fromArray(S, bp, (k0 + kk) * np + col);
                DoubleVector b1 = DoubleVector.fromArray(S, bp, (k0 + kk) * np + col + 1 * L);
                DoubleVector x0 = DoubleVector.broadcast(S, a[a0 + kk]);
                c00 = b0.fma(x0, c00);
                c01 = b1.fma(x0, c01);
                DoubleVector x1 = DoubleVector.broadcast(S, a[a1 + kk]);
                c10 = b0.fma(x1, c10);
                c11 = b1.fma(x1, c11);
                DoubleVector x2 = DoubleVector.broadcast(S, a[a2 + kk]);
                c20 = b0.fma(x2, c20);
                c21 = b1.fma(x2, c21);
                DoubleVector x3 = DoubleVector.broadcast(S, a[a3 + kk]);
                c30 = b0.fma(x3, c30);
                c31 = b1.fma(x3, c31);
                DoubleVector x4 = DoubleVector.broadcast(S, a[a4 + kk]);
                c40 = b0.fma(x4, c40);
                c41 = b1.fma(x4, c41);
                DoubleVector x5 = DoubleVector.broadcast(S, a[a5 + kk]);
                c50 = b0.fma(x5, c50);
                c51 = b1.fma(x5, c51);
                DoubleVector x6 = DoubleVector.broadcast(S, a[a6 + kk]);
                c60 = b0.fma(x6, c60);
                c61 = b1.fma(x6, c61);
                DoubleVector x7 = DoubleVector.broadcast(S, a[a7 + kk]);
                c70 = b0.fma(x7, c70);
                c71 = b1.fma(x7, c71);
            }
        }
        c00.intoArray(out, 0 * L);
        c01.intoArray(out, 1 * L);
        c10.intoArray(out, 2 * L);
        c11.intoArray(out, 3 * L);
        c20.intoArray(out, 4 * L);
        c21.intoArray(out, 5 * L);
        c30.intoArray(out, 6 * L);
        c31.intoArray(out, 7 * L);
        c40.intoArray(out, 8 * L);
        c41.intoArray(out, 9 * L);
        c50.intoArray(out, 10 * L);
        c51.intoArray(out, 11 * L);
        c60.intoArray(out, 12 * L);
        c61.intoArray(out, 13 * L);
        c70.intoArray(out, 14 * L);
        c71.intoArray(out, 15 * L);
    }

    /**
     * 4 rows of op(A) from i0 (rows past {@code last} repeat it) times 2 vectors of packed B at
     * {@code col}: out holds the 4×2-vector tile row by row. Plain and transposed A are the two
     * branches of one method, outside the k loop: the method is then too large for C2 to inline into
     * its caller, so it is always compiled, with its vector operations intrinsified, on its own.
     */
    private static void tile4x2(boolean transA, double[] a, int m, int k, int k0, int kc, int i0, int last, double[] bp, int np, int col, double[] out) {
        DoubleVector c00 = DoubleVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        int r0 = Math.min(i0 + 0, last);
        int r1 = Math.min(i0 + 1, last);
        int r2 = Math.min(i0 + 2, last);
        int r3 = Math.min(i0 + 3, last);
        if (transA) {
            for (int kk = 0; kk < kc; kk++) {
                DoubleVector b0 = DoubleVector.fromArray(S, bp, (k0 + kk) * np + col);
                DoubleVector b1 = DoubleVector.fromArray(S, bp, (k0 + kk) * np + col + 1 * L);
                int ao = (k0 + kk) * m;
                DoubleVector x0 = DoubleVector.broadcast(S, a[ao + r0]);
                c00 = b0.fma(x0, c00);
                c01 = b1.fma(x0, c01);
                DoubleVector x1 = DoubleVector.broadcast(S, a[ao + r1]);
                c10 = b0.fma(x1, c10);
                c11 = b1.fma(x1, c11);
                DoubleVector x2 = DoubleVector.broadcast(S, a[ao + r2]);
                c20 = b0.fma(x2, c20);
                c21 = b1.fma(x2, c21);
                DoubleVector x3 = DoubleVector.broadcast(S, a[ao + r3]);
                c30 = b0.fma(x3, c30);
                c31 = b1.fma(x3, c31);
            }
        } else {
            int a0 = r0 * k + k0;
            int a1 = r1 * k + k0;
            int a2 = r2 * k + k0;
            int a3 = r3 * k + k0;
            for (int kk = 0; kk < kc; kk++) {
                DoubleVector b0 = DoubleVector.fromArray(S, bp, (k0 + kk) * np + col);
                DoubleVector b1 = DoubleVector.fromArray(S, bp, (k0 + kk) * np + col + 1 * L);
                DoubleVector x0 = DoubleVector.broadcast(S, a[a0 + kk]);
                c00 = b0.fma(x0, c00);
                c01 = b1.fma(x0, c01);
                DoubleVector x1 = DoubleVector.broadcast(S, a[a1 + kk]);
                c10 = b0.fma(x1, c10);
                c11 = b1.fma(x1, c11);
                DoubleVector x2 = DoubleVector.broadcast(S, a[a2 + kk]);
                c20 = b0.fma(x2, c20);
                c21 = b1.fma(x2, c21);
                DoubleVector x3 = DoubleVector.broadcast(S, a[a3 + kk]);
                c30 = b0.fma(x3, c30);
                c31 = b1.fma(x3, c31);
            }
        }
        c00.intoArray(out, 0 * L);
        c01.intoArray(out, 1 * L);
        c10.intoArray(out, 2 * L);
        c11.intoArray(out, 3 * L);
        c20.intoArray(out, 4 * L);
        c21.intoArray(out, 5 * L);
        c30.intoArray(out, 6 * L);
        c31.intoArray(out, 7 * L);
    }

    /**
     * 4 rows of op(A) from i0 (rows past {@code last} repeat it) times 1 vector of packed B at
     * {@code col}: out holds the 4×1-vector tile row by row. Plain and transposed A are the two
     * branches of one method, outside the k loop: the method is then too large for C2 to inline into
     * its caller, so it is always compiled, with its vector operations intrinsified, on its own.
     */
    private static void tile4x1(boolean transA, double[] a, int m, int k, int k0, int kc, int i0, int last, double[] bp, int np, int col, double[] out) {
        DoubleVector c00 = DoubleVector.zero(S), c10 = c00, c20 = c00, c30 = c00;
        int r0 = Math.min(i0 + 0, last);
        int r1 = Math.min(i0 + 1, last);
        int r2 = Math.min(i0 + 2, last);
        int r3 = Math.min(i0 + 3, last);
        if (transA) {
            for (int kk = 0; kk < kc; kk++) {
                DoubleVector b0 = DoubleVector.fromArray(S, bp, (k0 + kk) * np + col);
                int ao = (k0 + kk) * m;
                DoubleVector x0 = DoubleVector.broadcast(S, a[ao + r0]);
                c00 = b0.fma(x0, c00);
                DoubleVector x1 = DoubleVector.broadcast(S, a[ao + r1]);
                c10 = b0.fma(x1, c10);
                DoubleVector x2 = DoubleVector.broadcast(S, a[ao + r2]);
                c20 = b0.fma(x2, c20);
                DoubleVector x3 = DoubleVector.broadcast(S, a[ao + r3]);
                c30 = b0.fma(x3, c30);
            }
        } else {
            int a0 = r0 * k + k0;
            int a1 = r1 * k + k0;
            int a2 = r2 * k + k0;
            int a3 = r3 * k + k0;
            for (int kk = 0; kk < kc; kk++) {
                DoubleVector b0 = DoubleVector.fromArray(S, bp, (k0 + kk) * np + col);
                DoubleVector x0 = DoubleVector.broadcast(S, a[a0 + kk]);
                c00 = b0.fma(x0, c00);
                DoubleVector x1 = DoubleVector.broadcast(S, a[a1 + kk]);
                c10 = b0.fma(x1, c10);
                DoubleVector x2 = DoubleVector.broadcast(S, a[a2 + kk]);
                c20 = b0.fma(x2, c20);
                DoubleVector x3 = DoubleVector.broadcast(S, a[a3 + kk]);
                c30 = b0.fma(x3, c30);
            }
        }
        c00.intoArray(out, 0 * L);
        c10.intoArray(out, 1 * L);
        c20.intoArray(out, 2 * L);
        c30.intoArray(out, 3 * L);
    }
}
