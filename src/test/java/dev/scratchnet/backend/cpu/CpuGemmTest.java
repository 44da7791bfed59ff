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
 * The CPU matmul's blocking edges: more column panels than one L2 block holds, k longer than one
 * KC step, rows not a multiple of the register tile, every transpose.
 */
class CpuGemmTest {

    @ParameterizedTest
    @EnumSource(Precision.class)
    void wideProductsCrossColumnBlocksAndKSteps(Precision p) {
        assertTrue(CpuBackend.vectorApiAvailable(), "the tests run with --add-modules jdk.incubator.vector");
        int m = 37, n = 1100, k = 530;
        assertTrue(n > FloatGemm.GROUP * FloatGemm.NR && n > DoubleGemm.GROUP * DoubleGemm.NR && k > DoubleGemm.KC);
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
}
