package dev.scratchnet.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * fp32 C = act(alpha·op(A)·op(B) + beta·C + bias) for products with a wide output, with the Vector
 * API. op(B) is packed once per call into panels of NR = 4 vectors of columns (the last padded with
 * zeros), KC rows of k at a time, shared by every thread; A is not packed: a 4×4-vector register
 * tile (16 accumulators) reads its four rows of op(A) where they lie (rows past the last repeat
 * it, and are not stored), plain or transposed. (With A read in place, four rows by four vectors
 * ran at 105–110 GFLOP/s a core in fp32 where eight rows by two ran at 90: half the streams of A.) The whole of k up to KC stays in the accumulators,
 * so most products store each element of C once, with the bias and ReLU applied on the way.
 *
 * <p>The work is cut into chunks of up to MC rows by a few panels; the caller and the worker
 * threads claim chunks as they go ({@link CpuThreads#forEach}), so a busy machine that delays a
 * worker delays no one else. Each element is computed by one chunk in one fixed order, so the
 * result does not depend on which thread ran it, nor when.
 *
 * <p>The tile is a method of its own, large enough that C2 does not inline it into the chunk loop:
 * C2 intrinsifies the vector operations only while the compiled method stays within its inlining
 * budget (see docs/BENCHMARKS.md).
 */
final class FloatGemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    static final int MR = 4;
    static final int NR = 4 * L;
    /** k is taken in steps of at most KC ({@link CpuGemm#steps}): the B panels of one step stay in a core's L2. */
    static final int KC = CpuGemm.KC;
    /** Rows per chunk. */
    static final int MC = 64;

    /** Per-thread tile buffers, and the shared packed B. */
    private final float[][] tiles = new float[CpuThreads.COUNT][MR * NR];
    private float[] bp = new float[0];

    /**
     * c = act(alpha·op(a)·op(b) + beta·c + bias): {@code bias} (length n) may be null; {@code relu}
     * applies max(x, 0) (as x > 0 ? x : 0) after the bias. {@code threads} caps the threads used.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, float[] b,
              float beta, float[] c, float[] bias, boolean relu, int threads) {
        int panels = (n + NR - 1) / NR;
        int steps = CpuGemm.steps(k);
        int kcMax = (k + steps - 1) / steps;
        if (bp.length < panels * kcMax * NR) {
            bp = new float[panels * kcMax * NR];
        }
        int rowGroups = (m + MC - 1) / MC;
        // enough chunks for every thread to take several, each at least a panel wide
        int panelsPerChunk = Math.min(panels, Math.max(1, panels * rowGroups / (4 * Math.max(1, threads))));
        int panelGroups = (panels + panelsPerChunk - 1) / panelsPerChunk;
        int chunks = rowGroups * panelGroups;
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        final float[] packed = bp;
        for (int s = 0; s < steps; s++) {
            int k0 = k * s / steps;
            int kc = k * (s + 1) / steps - k0;
            boolean first = s == 0, last = s == steps - 1;
            int ppc = Math.max(1, panels / (2 * Math.max(1, threads)));
            int packChunks = (panels + ppc - 1) / ppc;
            CpuThreads.forEach(packChunks, threads, (t, pc) -> {
                for (int p = pc * ppc; p < Math.min(panels, (pc + 1) * ppc); p++) {
                    packB(b, transB, ldb, n, k0, kc, p, packed);
                }
            });
            float betaStep = first ? beta : 1;
            float[] biasStep = last ? bias : null;
            boolean reluStep = last && relu;
            CpuThreads.forEach(chunks, threads, (t, ch) -> {
                int rg = ch / panelGroups, pg = ch % panelGroups;
                int r0 = rg * MC, r1 = Math.min(m, r0 + MC);
                int p0 = pg * panelsPerChunk, p1 = Math.min(panels, p0 + panelsPerChunk);
                float[] tile = tiles[t];
                for (int i0 = r0; i0 < r1; i0 += MR) {
                    int rows = Math.min(MR, r1 - i0);
                    for (int p = p0; p < p1; p++) {
                        tile(transA, a, lda, i0, m - 1, k0, kc, packed, p * kc * NR, tile);
                        store(tile, rows, c, n, i0, p * NR, alpha, betaStep, biasStep, reluStep);
                    }
                }
            });
        }
    }

    /** Panel p of op(B) for rows k0..k0+kc of k into bp at p·kc·NR, kk-major, zero-padded past n. */
    private static void packB(float[] b, boolean transB, int ldb, int n, int k0, int kc, int p, float[] bp) {
        int j0 = p * NR;
        int nr = Math.min(NR, n - j0);
        int base = p * kc * NR;
        if (transB) {
            // op(B)[kk][j] = b[j][kk]: read each stored row (contiguous in kk), write a strided column
            for (int j = 0; j < nr; j++) {
                int src = (j0 + j) * ldb + k0;
                for (int kk = 0; kk < kc; kk++) {
                    bp[base + kk * NR + j] = b[src + kk];
                }
            }
            if (nr < NR) {
                for (int kk = 0; kk < kc; kk++) {
                    java.util.Arrays.fill(bp, base + kk * NR + nr, base + (kk + 1) * NR, 0);
                }
            }
        } else {
            for (int kk = 0; kk < kc; kk++) {
                int o = base + kk * NR;
                System.arraycopy(b, (k0 + kk) * ldb + j0, bp, o, nr);
                if (nr < NR) {
                    java.util.Arrays.fill(bp, o + nr, o + NR, 0);
                }
            }
        }
    }

    /**
     * C[i0 .. i0+rows, j0 .. j0+NR (clipped at n)] = act(alpha·tile + beta·C + bias); beta = 0 does
     * not read C. Whole vectors are stored as vectors, the clipped end of the last panel element by
     * element with the same operations.
     */
    private static void store(float[] tile, int rows, float[] c, int n, int i0, int j0, float alpha, float beta,
                              float[] bias, boolean relu) {
        int width = Math.min(NR, n - j0);
        int vec = width / L * L;
        FloatVector zero = FloatVector.zero(S);
        for (int r = 0; r < rows; r++) {
            int co = (i0 + r) * n + j0, to = r * NR;
            for (int j = 0; j < vec; j += L) {
                FloatVector v = FloatVector.fromArray(S, tile, to + j).mul(alpha);
                if (beta != 0) {
                    v = v.add(FloatVector.fromArray(S, c, co + j).mul(beta));
                }
                if (bias != null) {
                    v = v.add(FloatVector.fromArray(S, bias, j0 + j));
                }
                if (relu) {
                    v = zero.blend(v, v.compare(VectorOperators.GT, 0));
                }
                v.intoArray(c, co + j);
            }
            for (int j = vec; j < width; j++) {
                float v = tile[to + j] * alpha;
                if (beta != 0) {
                    v = v + c[co + j] * beta;
                }
                if (bias != null) {
                    v = v + bias[j0 + j];
                }
                if (relu) {
                    v = v > 0 ? v : 0;
                }
                c[co + j] = v;
            }
        }
    }

    /** The tile for plain or transposed A: one method per loop, see {@link #tilePlain}. */
    private static void tile(boolean transA, float[] a, int lda, int i0, int last, int k0, int kc, float[] bp, int bo,
                             float[] out) {
        if (transA) {
            tileTransposed(a, lda, i0, last, k0, kc, bp, bo, out);
        } else {
            tilePlain(a, lda, i0, last, k0, kc, bp, bo, out);
        }
    }

    /**
     * out (4 rows × NR, row by row) = rows i0..i0+3 of A (rows past {@code last} repeat it),
     * columns k0..k0+kc, times the packed panel at {@code bo}: 4 broadcasts and 4 vector loads feed
     * 16 fused multiply-adds per step of k. One loop per method: with the plain and transposed
     * loops in one method, C2's recompilation after the second loop first ran (an unstable-if trap)
     * sometimes left two of the sixteen stores un-intrinsified, boxing vectors and running the
     * whole product 3-4 times slower, in about one run in two (docs/BENCHMARKS.md).
     */
    private static void tilePlain(float[] a, int lda, int i0, int last, int k0, int kc, float[] bp, int bo,
                                  float[] out) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00, c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int r0 = Math.min(i0 + 0, last), r1 = Math.min(i0 + 1, last), r2 = Math.min(i0 + 2, last), r3 = Math.min(i0 + 3, last);
        int a0 = r0 * lda + k0, a1 = r1 * lda + k0, a2 = r2 * lda + k0, a3 = r3 * lda + k0;
        for (int kk = 0; kk < kc; kk++) {
            int o = bo + kk * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, o + 0 * L);
            FloatVector b1 = FloatVector.fromArray(S, bp, o + 1 * L);
            FloatVector b2 = FloatVector.fromArray(S, bp, o + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, bp, o + 3 * L);
            FloatVector x0 = FloatVector.broadcast(S, a[a0 + kk]);
            c00 = b0.fma(x0, c00); c01 = b1.fma(x0, c01); c02 = b2.fma(x0, c02); c03 = b3.fma(x0, c03);
            FloatVector x1 = FloatVector.broadcast(S, a[a1 + kk]);
            c10 = b0.fma(x1, c10); c11 = b1.fma(x1, c11); c12 = b2.fma(x1, c12); c13 = b3.fma(x1, c13);
            FloatVector x2 = FloatVector.broadcast(S, a[a2 + kk]);
            c20 = b0.fma(x2, c20); c21 = b1.fma(x2, c21); c22 = b2.fma(x2, c22); c23 = b3.fma(x2, c23);
            FloatVector x3 = FloatVector.broadcast(S, a[a3 + kk]);
            c30 = b0.fma(x3, c30); c31 = b1.fma(x3, c31); c32 = b2.fma(x3, c32); c33 = b3.fma(x3, c33);
        }
        c00.intoArray(out, 0 * L);
        c01.intoArray(out, 1 * L);
        c02.intoArray(out, 2 * L);
        c03.intoArray(out, 3 * L);
        c10.intoArray(out, 4 * L);
        c11.intoArray(out, 5 * L);
        c12.intoArray(out, 6 * L);
        c13.intoArray(out, 7 * L);
        c20.intoArray(out, 8 * L);
        c21.intoArray(out, 9 * L);
        c22.intoArray(out, 10 * L);
        c23.intoArray(out, 11 * L);
        c30.intoArray(out, 12 * L);
        c31.intoArray(out, 13 * L);
        c32.intoArray(out, 14 * L);
        c33.intoArray(out, 15 * L);
    }

    /** {@link #tilePlain} with A stored transposed (op(A) = Aᵀ): row r of op(A) is column r of a. */
    private static void tileTransposed(float[] a, int lda, int i0, int last, int k0, int kc, float[] bp, int bo,
                                       float[] out) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00, c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int r0 = Math.min(i0 + 0, last), r1 = Math.min(i0 + 1, last), r2 = Math.min(i0 + 2, last), r3 = Math.min(i0 + 3, last);
        for (int kk = 0; kk < kc; kk++) {
            int o = bo + kk * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, o + 0 * L);
            FloatVector b1 = FloatVector.fromArray(S, bp, o + 1 * L);
            FloatVector b2 = FloatVector.fromArray(S, bp, o + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, bp, o + 3 * L);
            int ao = (k0 + kk) * lda;
            FloatVector x0 = FloatVector.broadcast(S, a[ao + r0]);
            c00 = b0.fma(x0, c00); c01 = b1.fma(x0, c01); c02 = b2.fma(x0, c02); c03 = b3.fma(x0, c03);
            FloatVector x1 = FloatVector.broadcast(S, a[ao + r1]);
            c10 = b0.fma(x1, c10); c11 = b1.fma(x1, c11); c12 = b2.fma(x1, c12); c13 = b3.fma(x1, c13);
            FloatVector x2 = FloatVector.broadcast(S, a[ao + r2]);
            c20 = b0.fma(x2, c20); c21 = b1.fma(x2, c21); c22 = b2.fma(x2, c22); c23 = b3.fma(x2, c23);
            FloatVector x3 = FloatVector.broadcast(S, a[ao + r3]);
            c30 = b0.fma(x3, c30); c31 = b1.fma(x3, c31); c32 = b2.fma(x3, c32); c33 = b3.fma(x3, c33);
        }
        c00.intoArray(out, 0 * L);
        c01.intoArray(out, 1 * L);
        c02.intoArray(out, 2 * L);
        c03.intoArray(out, 3 * L);
        c10.intoArray(out, 4 * L);
        c11.intoArray(out, 5 * L);
        c12.intoArray(out, 6 * L);
        c13.intoArray(out, 7 * L);
        c20.intoArray(out, 8 * L);
        c21.intoArray(out, 9 * L);
        c22.intoArray(out, 10 * L);
        c23.intoArray(out, 11 * L);
        c30.intoArray(out, 12 * L);
        c31.intoArray(out, 13 * L);
        c32.intoArray(out, 14 * L);
        c33.intoArray(out, 15 * L);
    }
}
