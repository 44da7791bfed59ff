package dev.scratchnet.backend.cpu;

import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Tensor;
import dev.scratchnet.testing.Reference;
import dev.scratchnet.testing.Tolerance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CPU matmul's blocking edges: k in three KC steps, rows in several MC chunks and not a multiple
 * of the register tile, a last panel that is partly padding, every transpose.
 */
class CpuGemmTest {

    @ParameterizedTest
    @EnumSource(Precision.class)
    void wideProductsCrossColumnBlocksAndKSteps(Precision p) {
        assertTrue(CpuBackend.vectorApiAvailable(), "the tests run with --add-modules jdk.incubator.vector");
        int m = 151, n = 1100, k = 1030;
        assertTrue(k > 2 * DoubleGemm.KC && k > 2 * FloatGemm.KC && m > 2 * DoubleGemm.MC && m % DoubleGemm.MR != 0
                && n % FloatGemm.NR != 0 && n % DoubleGemm.NR != 0);
        Random r = new Random(5);
        try (CpuBackend be = new CpuBackend()) {
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                Matrix a = ta ? Reference.random(r, k, m, p) : Reference.random(r, m, k, p);
                Matrix b = tb ? Reference.random(r, n, k, p) : Reference.random(r, k, n, p);
                Matrix c = Reference.random(r, m, n, p);
                Matrix[] ref = Reference.gemm(ta, tb, 0.5, a, b, 2.0, c);
                try (Tensor ta1 = be.upload(a, p); Tensor tb1 = be.upload(b, p); Tensor tc = be.upload(c, p)) {
                    be.gemm("blocked", ta, tb, 0.5, ta1, tb1, 2.0, tc);
                    Tolerance.assertClose("blocked " + t, p, ref[0], ref[1], k, be.download(tc));
                }
            }
        }
    }

    /**
     * The packed kernel's result does not depend on how its chunks fall to threads: one thread and
     * all of them give the same bits, with the bias and ReLU fused, in every transpose.
     */
    @org.junit.jupiter.api.Test
    void packedProductsGiveTheSameBitsOnOneThreadAndOnAll() {
        int m = 200, n = 300, k = 700;
        Random r = new Random(6);
        for (int t = 0; t < 4; t++) {
            boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
            double[] a = new double[m * k], b = new double[k * n], bias = new double[n];
            float[] af = new float[m * k], bf = new float[k * n], biasf = new float[n];
            for (int i = 0; i < a.length; i++) {
                a[i] = r.nextGaussian();
                af[i] = (float) a[i];
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = r.nextGaussian();
                bf[i] = (float) b[i];
            }
            for (int i = 0; i < n; i++) {
                bias[i] = r.nextGaussian();
                biasf[i] = (float) bias[i];
            }
            double[] one = new double[m * n], all = new double[m * n];
            float[] onef = new float[m * n], allf = new float[m * n];
            new DoubleGemm().gemm(ta, tb, m, n, k, 1, a, b, 0, one, bias, true, 1);
            new DoubleGemm().gemm(ta, tb, m, n, k, 1, a, b, 0, all, bias, true, CpuThreads.COUNT);
            new FloatGemm().gemm(ta, tb, m, n, k, 1, af, bf, 0, onef, biasf, true, 1);
            new FloatGemm().gemm(ta, tb, m, n, k, 1, af, bf, 0, allf, biasf, true, CpuThreads.COUNT);
            org.junit.jupiter.api.Assertions.assertArrayEquals(one, all, "fp64, transposes " + t);
            org.junit.jupiter.api.Assertions.assertArrayEquals(onef, allf, "fp32, transposes " + t);
            boolean anyZero = false, anyPositive = false;
            for (double v : one) {
                anyZero |= v == 0;
                anyPositive |= v > 0;
            }
            assertTrue(anyZero && anyPositive, "ReLU applied");
        }
    }

    /**
     * The three CPU kernels (packed, narrow, and the scalar loops that run without the Vector API
     * or before it is compiled) give the same bits for the same product: k over several steps,
     * every transpose, alpha and beta, and the bias.
     */
    @org.junit.jupiter.api.Test
    void everyKernelGivesTheSameBits() {
        Random r = new Random(7);
        int[][] shapes = {{37, 2 * DoubleGemm.NR + 5, 1100}, {9, 3 * DoubleSmallGemm.lanes() + 1, 70}, {64, 2 * FloatGemm.NR, 513}};
        for (int[] sh : shapes) {
            int m = sh[0], n = sh[1], k = sh[2];
            for (int t = 0; t < 8; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0, withBeta = (t & 4) != 0;
                double alpha = 0.75, beta = withBeta ? -0.5 : 0;
                double[] a = new double[m * k], b = new double[k * n], c0 = new double[m * n], bias = new double[n];
                for (double[] v : new double[][] {a, b, c0, bias}) {
                    for (int i = 0; i < v.length; i++) {
                        v[i] = r.nextGaussian();
                    }
                }
                double[] bi = withBeta ? null : bias;
                double[] scalar = c0.clone(), narrow = c0.clone(), packed = c0.clone();
                SmallGemm.gemm(ta, tb, m, n, k, alpha, a, b, beta, scalar, bi, false, 0, m, new double[n]);
                DoubleSmallGemm.Scratch s = new DoubleSmallGemm.Scratch();
                int np = DoubleSmallGemm.packB(tb, n, k, b, s);
                DoubleSmallGemm.rows(ta, m, n, k, alpha, a, beta, narrow, bi, s.bp, np, s.tile, 0, m);
                new DoubleGemm().gemm(ta, tb, m, n, k, alpha, a, b, beta, packed, bi, false, CpuThreads.COUNT);
                String what = "fp64 " + m + "×" + n + "×" + k + " case " + t;
                org.junit.jupiter.api.Assertions.assertArrayEquals(scalar, narrow, "narrow, " + what);
                org.junit.jupiter.api.Assertions.assertArrayEquals(scalar, packed, "packed, " + what);

                float[] af = new float[a.length], bf = new float[b.length], cf = new float[c0.length], biasf = new float[n];
                for (int i = 0; i < a.length; i++) {
                    af[i] = (float) a[i];
                }
                for (int i = 0; i < b.length; i++) {
                    bf[i] = (float) b[i];
                }
                for (int i = 0; i < cf.length; i++) {
                    cf[i] = (float) c0[i];
                }
                for (int i = 0; i < n; i++) {
                    biasf[i] = (float) bias[i];
                }
                float[] bif = withBeta ? null : biasf;
                float[] scalarF = cf.clone(), narrowF = cf.clone(), packedF = cf.clone();
                SmallGemm.gemm(ta, tb, m, n, k, 0.75f, af, bf, (float) beta, scalarF, bif, false, 0, m, new float[n]);
                FloatSmallGemm.Scratch sf = new FloatSmallGemm.Scratch();
                int npf = FloatSmallGemm.packB(tb, n, k, bf, sf);
                FloatSmallGemm.rows(ta, m, n, k, 0.75f, af, (float) beta, narrowF, bif, sf.bp, npf, sf.tile, 0, m);
                new FloatGemm().gemm(ta, tb, m, n, k, 0.75f, af, bf, (float) beta, packedF, bif, false, CpuThreads.COUNT);
                org.junit.jupiter.api.Assertions.assertArrayEquals(scalarF, narrowF, "narrow, fp32 " + what);
                org.junit.jupiter.api.Assertions.assertArrayEquals(scalarF, packedF, "packed, fp32 " + what);
            }
        }
    }
}
