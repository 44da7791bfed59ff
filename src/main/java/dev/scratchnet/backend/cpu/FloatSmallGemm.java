package dev.scratchnet.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * fp32 C = alpha·op(A)·op(B) + beta·C for the narrow products of small networks (an output a few
 * vectors wide, any m and k), with the Vector API. op(B) is copied once into a k × n' buffer whose
 * rows are padded with zeros to whole vectors (this is also where Bᵀ is undone); then four rows of
 * A run together over two vectors of columns (4×2 accumulators, one vector load per row of B per
 * step of k), or one vector where one is left, and the rows left over at the end run one at a
 * time. Whole vectors of C are stored as vectors; only the last, partial vector of a row is stored
 * element by element.
 *
 * <p>Each tile is its own small method: C2 intrinsifies the vector operations only while a method
 * stays within its inlining budget (see docs/BENCHMARKS.md), so there is one method per shape
 * rather than one method with branches.
 */
final class FloatSmallGemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** Per-thread buffers, kept between calls. */
    static final class Scratch {
        float[] bp = new float[0];
        final float[] tile = new float[4 * 2 * L];
    }

    private FloatSmallGemm() {
    }

    /** Copies op(B) into the padded k × np buffer of {@code s}; returns np. */
    static int packB(boolean transB, int n, int k, float[] b, Scratch s) {
        int np = (n + L - 1) / L * L;
        if (s.bp.length < k * np) {
            s.bp = new float[k * np];
        }
        float[] bp = s.bp;
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
    static void rows(boolean transA, int m, int n, int k, float alpha, float[] a, float beta, float[] c,
                     float[] bp, int np, float[] tile, int rowBegin, int rowEnd) {
        rows(transA, m, n, k, alpha, a, beta, c, null, bp, np, tile, rowBegin, rowEnd);
    }

    /** As {@link #rows}, adding {@code bias[j]} to every element of column j (bias may be null). */
    static void rows(boolean transA, int m, int n, int k, float alpha, float[] a, float beta, float[] c, float[] bias,
                     float[] bp, int np, float[] tile, int rowBegin, int rowEnd) {
        int i0 = rowBegin;
        for (; i0 + 4 <= rowEnd; i0 += 4) {
            int col = 0;
            for (; col + 2 * L <= np; col += 2 * L) {
                if (transA) {
                    tile4x2T(a, m, i0, k, bp, np, col, tile);
                } else {
                    tile4x2(a, k, i0, bp, np, col, tile);
                }
                store(tile, 2 * L, 4, 2 * L, c, n, i0, col, alpha, beta, bias);
            }
            if (col < np) {
                if (transA) {
                    tile4x1T(a, m, i0, k, bp, np, col, tile);
                } else {
                    tile4x1(a, k, i0, bp, np, col, tile);
                }
                store(tile, L, 4, L, c, n, i0, col, alpha, beta, bias);
            }
        }
        for (; i0 < rowEnd; i0++) {
            for (int col = 0; col < np; col += L) {
                tile1(a, transA, m, k, i0, bp, np, col, tile);
                store(tile, L, 1, L, c, n, i0, col, alpha, beta, bias);
            }
        }
    }

    /** C[i0.., col..] = alpha·tile + beta·C (+ bias) for rows × width (clipped at n), vector by vector. */
    private static void store(float[] tile, int stride, int rows, int width, float[] c, int n, int i0, int col,
                              float alpha, float beta, float[] bias) {
        for (int r = 0; r < rows; r++) {
            int co = (i0 + r) * n + col, to = r * stride;
            int j = 0;
            for (; j + L <= width && col + j + L <= n; j += L) {
                FloatVector v = FloatVector.fromArray(S, tile, to + j).mul(alpha);
                if (beta != 0) {
                    v = FloatVector.fromArray(S, c, co + j).mul(beta).add(v);
                }
                if (bias != null) {
                    v = v.add(FloatVector.fromArray(S, bias, col + j));
                }
                v.intoArray(c, co + j);
            }
            int end = Math.min(width, n - col);
            for (; j < end; j++) {
                float v = beta == 0 ? alpha * tile[to + j] : alpha * tile[to + j] + beta * c[co + j];
                c[co + j] = bias == null ? v : v + bias[col + j];
            }
        }
    }

    private static void tile4x2(float[] a, int k, int i0, float[] bp, int np, int col, float[] out) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        int a0 = i0 * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        for (int kk = 0; kk < k; kk++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, kk * np + col);
            FloatVector b1 = FloatVector.fromArray(S, bp, kk * np + col + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + kk]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, a[a1 + kk]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, a[a2 + kk]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, a[a3 + kk]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
        }
        c00.intoArray(out, 0);
        c01.intoArray(out, L);
        c10.intoArray(out, 2 * L);
        c11.intoArray(out, 3 * L);
        c20.intoArray(out, 4 * L);
        c21.intoArray(out, 5 * L);
        c30.intoArray(out, 6 * L);
        c31.intoArray(out, 7 * L);
    }

    private static void tile4x2T(float[] a, int m, int i0, int k, float[] bp, int np, int col, float[] out) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int kk = 0; kk < k; kk++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, kk * np + col);
            FloatVector b1 = FloatVector.fromArray(S, bp, kk * np + col + L);
            int ao = kk * m + i0;
            FloatVector x = FloatVector.broadcast(S, a[ao]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, a[ao + 1]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, a[ao + 2]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, a[ao + 3]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
        }
        c00.intoArray(out, 0);
        c01.intoArray(out, L);
        c10.intoArray(out, 2 * L);
        c11.intoArray(out, 3 * L);
        c20.intoArray(out, 4 * L);
        c21.intoArray(out, 5 * L);
        c30.intoArray(out, 6 * L);
        c31.intoArray(out, 7 * L);
    }

    private static void tile4x1(float[] a, int k, int i0, float[] bp, int np, int col, float[] out) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
        int a0 = i0 * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        for (int kk = 0; kk < k; kk++) {
            FloatVector bv = FloatVector.fromArray(S, bp, kk * np + col);
            c0 = bv.fma(FloatVector.broadcast(S, a[a0 + kk]), c0);
            c1 = bv.fma(FloatVector.broadcast(S, a[a1 + kk]), c1);
            c2 = bv.fma(FloatVector.broadcast(S, a[a2 + kk]), c2);
            c3 = bv.fma(FloatVector.broadcast(S, a[a3 + kk]), c3);
        }
        c0.intoArray(out, 0);
        c1.intoArray(out, L);
        c2.intoArray(out, 2 * L);
        c3.intoArray(out, 3 * L);
    }

    private static void tile4x1T(float[] a, int m, int i0, int k, float[] bp, int np, int col, float[] out) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
        for (int kk = 0; kk < k; kk++) {
            FloatVector bv = FloatVector.fromArray(S, bp, kk * np + col);
            int ao = kk * m + i0;
            c0 = bv.fma(FloatVector.broadcast(S, a[ao]), c0);
            c1 = bv.fma(FloatVector.broadcast(S, a[ao + 1]), c1);
            c2 = bv.fma(FloatVector.broadcast(S, a[ao + 2]), c2);
            c3 = bv.fma(FloatVector.broadcast(S, a[ao + 3]), c3);
        }
        c0.intoArray(out, 0);
        c1.intoArray(out, L);
        c2.intoArray(out, 2 * L);
        c3.intoArray(out, 3 * L);
    }

    private static void tile1(float[] a, boolean transA, int m, int k, int i, float[] bp, int np, int col, float[] out) {
        FloatVector c0 = FloatVector.zero(S);
        for (int kk = 0; kk < k; kk++) {
            float x = transA ? a[kk * m + i] : a[i * k + kk];
            c0 = FloatVector.fromArray(S, bp, kk * np + col).fma(FloatVector.broadcast(S, x), c0);
        }
        c0.intoArray(out, 0);
    }
}
