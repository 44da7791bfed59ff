package dev.scratchnet.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * fp64 C = alpha·op(A)·op(B) + beta·C for large matrices, with the Vector API: B is packed into
 * panels of NR = 2 vectors of columns, A into micro-panels of MR = 8 rows, both for KC steps of k at
 * a time; an 8×2-vector register tile (16 accumulators) runs over each pair. Transposes are read
 * during packing, so all four cases run the same kernel. Threads split the column panels (or the
 * rows, when there are fewer panels than threads); each packs its own share, so they never wait
 * for one another before the end. The columns are taken in blocks of 1 MiB of packed B, which stays
 * in a core's L2 cache while every row of A passes over it.
 *
 * <p>The tile method is kept small on purpose: C2 intrinsifies the vector operations only while the
 * compiled method stays within its inlining budget, and a tile that also handled the edges ran
 * ten times slower (see docs/BENCHMARKS.md).
 */
final class DoubleGemm {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    static final int MR = 8;
    static final int NR = 2 * L;
    static final int KC = 256;
    /** Panels per column block: 1 MiB of packed B. */
    static final int GROUP = Math.max(1, (1 << 20) / (KC * NR * 8));

    /** Per-thread packing buffers, kept between calls. */
    private static final class Scratch {
        double[] bp = new double[0];
        final double[] ap = new double[KC * MR];
        final double[] tile = new double[MR * NR];
    }

    private final Scratch[] scratch = new Scratch[CpuThreads.COUNT];

    DoubleGemm() {
        for (int i = 0; i < scratch.length; i++) {
            scratch[i] = new Scratch();
        }
    }

    void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, double[] b,
              double beta, double[] c) {
        int panels = (n + NR - 1) / NR;
        int threads = Math.min(CpuThreads.COUNT, (int) Math.max(1, (long) m * n * k / CpuGemm.PARALLEL_MIN_WORK));
        boolean splitPanels = panels >= threads;
        int rowBlocks = (m + MR - 1) / MR;
        int parts = splitPanels ? threads : Math.min(threads, rowBlocks);
        CpuThreads.parallelFor(parts, t -> {
            int p0 = splitPanels ? panels * t / parts : 0;
            int p1 = splitPanels ? panels * (t + 1) / parts : panels;
            int r0 = splitPanels ? 0 : rowBlocks * t / parts * MR;
            int r1 = splitPanels ? m : Math.min(m, rowBlocks * (t + 1) / parts * MR);
            run(scratch[t], transA, transB, m, n, k, alpha, a, b, beta, c, p0, p1, r0, r1);
        });
    }

    private static void run(Scratch s, boolean transA, boolean transB, int m, int n, int k, double alpha,
                            double[] a, double[] b, double beta, double[] c, int p0, int p1, int r0, int r1) {
        int need = Math.min(p1 - p0, GROUP) * KC * NR;
        if (s.bp.length < need) {
            s.bp = new double[need];
        }
        double[] bp = s.bp;
        double[] ap = s.ap;
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        // column blocks of at most GROUP panels, so the packed B of a thread stays in its L2 cache
        for (int g0 = p0; g0 < p1; g0 += GROUP) {
            int g1 = Math.min(p1, g0 + GROUP);
            for (int k0 = 0; k0 < k; k0 += KC) {
                int kc = Math.min(KC, k - k0);
                boolean first = k0 == 0;
                for (int p = g0; p < g1; p++) {
                    packB(b, transB, ldb, k0, kc, p * NR, Math.min(NR, n - p * NR), bp, (p - g0) * kc * NR);
                }
                for (int i0 = r0; i0 < r1; i0 += MR) {
                    int mr = Math.min(MR, r1 - i0);
                    packA(a, transA, lda, i0, mr, k0, kc, ap);
                    for (int p = g0; p < g1; p++) {
                        int j0 = p * NR;
                        tile(ap, bp, (p - g0) * kc * NR, kc, s.tile);
                        store(s.tile, c, n, i0, mr, j0, Math.min(NR, n - j0), alpha, first ? beta : 1.0);
                    }
                }
            }
        }
    }

    private static void packB(double[] b, boolean transB, int ldb, int k0, int kc, int j0, int nr, double[] bp, int base) {
        for (int kk = 0; kk < kc; kk++) {
            int o = base + kk * NR;
            if (transB) {
                for (int j = 0; j < nr; j++) {
                    bp[o + j] = b[(j0 + j) * ldb + k0 + kk];
                }
            } else {
                System.arraycopy(b, (k0 + kk) * ldb + j0, bp, o, nr);
            }
            for (int j = nr; j < NR; j++) {
                bp[o + j] = 0;
            }
        }
    }

    private static void packA(double[] a, boolean transA, int lda, int i0, int mr, int k0, int kc, double[] ap) {
        for (int kk = 0; kk < kc; kk++) {
            int o = kk * MR;
            for (int i = 0; i < MR; i++) {
                ap[o + i] = i >= mr ? 0 : transA ? a[(k0 + kk) * lda + i0 + i] : a[(i0 + i) * lda + k0 + kk];
            }
        }
    }

    /** C[i0.., j0..] = alpha·tile + beta·C (beta = 0: C not read). */
    private static void store(double[] tile, double[] c, int ldc, int i0, int mr, int j0, int nr, double alpha, double beta) {
        for (int i = 0; i < mr; i++) {
            int co = (i0 + i) * ldc + j0;
            int to = i * NR;
            if (beta == 0) {
                for (int j = 0; j < nr; j++) {
                    c[co + j] = alpha * tile[to + j];
                }
            } else if (beta == 1) {
                for (int j = 0; j < nr; j++) {
                    c[co + j] += alpha * tile[to + j];
                }
            } else {
                for (int j = 0; j < nr; j++) {
                    c[co + j] = alpha * tile[to + j] + beta * c[co + j];
                }
            }
        }
    }

    /** The 8×2-vector register tile: out = Ap(8×kc) · Bp(kc×NR). */
    private static void tile(double[] ap, double[] bp, int bo, int kc, double[] out) {
        DoubleVector c00 = DoubleVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
                c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00,
                c70 = c00, c71 = c00;
        for (int kk = 0; kk < kc; kk++) {
            DoubleVector b0 = DoubleVector.fromArray(S, bp, bo + kk * NR);
            DoubleVector b1 = DoubleVector.fromArray(S, bp, bo + kk * NR + L);
            int ao = kk * MR;
            DoubleVector x = DoubleVector.broadcast(S, ap[ao]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01);
            x = DoubleVector.broadcast(S, ap[ao + 1]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11);
            x = DoubleVector.broadcast(S, ap[ao + 2]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21);
            x = DoubleVector.broadcast(S, ap[ao + 3]);
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31);
            x = DoubleVector.broadcast(S, ap[ao + 4]);
            c40 = b0.fma(x, c40); c41 = b1.fma(x, c41);
            x = DoubleVector.broadcast(S, ap[ao + 5]);
            c50 = b0.fma(x, c50); c51 = b1.fma(x, c51);
            x = DoubleVector.broadcast(S, ap[ao + 6]);
            c60 = b0.fma(x, c60); c61 = b1.fma(x, c61);
            x = DoubleVector.broadcast(S, ap[ao + 7]);
            c70 = b0.fma(x, c70); c71 = b1.fma(x, c71);
        }
        c00.intoArray(out, 0); c01.intoArray(out, L);
        c10.intoArray(out, NR); c11.intoArray(out, NR + L);
        c20.intoArray(out, 2 * NR); c21.intoArray(out, 2 * NR + L);
        c30.intoArray(out, 3 * NR); c31.intoArray(out, 3 * NR + L);
        c40.intoArray(out, 4 * NR); c41.intoArray(out, 4 * NR + L);
        c50.intoArray(out, 5 * NR); c51.intoArray(out, 5 * NR + L);
        c60.intoArray(out, 6 * NR); c61.intoArray(out, 6 * NR + L);
        c70.intoArray(out, 7 * NR); c71.intoArray(out, 7 * NR + L);
    }
}
