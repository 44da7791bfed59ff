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
}
