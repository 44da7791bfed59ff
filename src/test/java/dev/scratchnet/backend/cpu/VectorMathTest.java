package dev.scratchnet.backend.cpu;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CPU backend's exp, tanh and sigmoid: each vector lane gives the same bits as its scalar twin
 * (so neither the array's tail nor the Vector API's presence changes a result), and both stay
 * within an ulp (exp) or three (tanh) of {@code Math.exp}/{@code Math.tanh}, with the edges (overflow,
 * subnormals, zero, infinities) as {@code Math} gives them.
 */
class VectorMathTest {
    private static final int N = 1 << 14;

    /** Gaussian values at several scales plus the edges of each function. */
    private static double[] inputs(long seed) {
        Random r = new Random(seed);
        double[] x = new double[N];
        double[] edges = {0.0, -0.0, 1e-300, -1e-300, 1e-17, -1e-17, 0.5 * Math.log(2), -0.5 * Math.log(2), 1, -1,
                19.99, 20.01, -20.01, 36, -36, 700, 709.78, 709.79, 710.5, -708.4, -708.5, -740, -745.1, -745.2, -746.5,
                -1000, 1000, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 88.7, 88.8, -87.3, -103.9, -104.5,
                9.9, 10.1, 1e-8, -1e-8};
        System.arraycopy(edges, 0, x, 0, edges.length);
        for (int i = edges.length; i < N; i++) {
            double scale = new double[] {1e-6, 0.1, 1, 5, 50, 300}[i % 6];
            x[i] = r.nextGaussian() * scale;
        }
        return x;
    }

    private static double ulps(double got, double want) {
        if (got == want) {
            return 0;
        }
        return Math.abs(got - want) / Math.ulp(want);
    }

    @Test
    void fp64LanesEqualTheirScalarTwinsBitForBit() {
        double[] x = inputs(1);
        double[] e = x.clone(), s = x.clone(), t = x.clone();
        VectorMath.exp(e, N);
        VectorMath.sigmoid(x, s, N);
        VectorMath.tanh(x, t, N);
        for (int i = 0; i < N; i++) {
            assertEquals(Double.doubleToRawLongBits(ScalarMath.exp(x[i])), Double.doubleToRawLongBits(e[i]), "exp(" + x[i] + ")");
            assertEquals(Double.doubleToRawLongBits(ScalarMath.sigmoid(x[i])), Double.doubleToRawLongBits(s[i]), "sigmoid(" + x[i] + ")");
            assertEquals(Double.doubleToRawLongBits(ScalarMath.tanh(x[i])), Double.doubleToRawLongBits(t[i]), "tanh(" + x[i] + ")");
        }
    }

    @Test
    void fp32LanesEqualTheirScalarTwinsBitForBit() {
        double[] xd = inputs(2);
        float[] x = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = (float) xd[i];
        }
        float[] e = x.clone(), s = x.clone(), t = x.clone();
        VectorMath.exp(e, N);
        VectorMath.sigmoid(x, s, N);
        VectorMath.tanh(x, t, N);
        for (int i = 0; i < N; i++) {
            assertEquals(Float.floatToRawIntBits(ScalarMath.exp(x[i])), Float.floatToRawIntBits(e[i]), "exp(" + x[i] + ")");
            assertEquals(Float.floatToRawIntBits(ScalarMath.sigmoid(x[i])), Float.floatToRawIntBits(s[i]), "sigmoid(" + x[i] + ")");
            assertEquals(Float.floatToRawIntBits(ScalarMath.tanh(x[i])), Float.floatToRawIntBits(t[i]), "tanh(" + x[i] + ")");
        }
    }

    @Test
    void fp64IsWithinAnUlpOrTwoOfMath() {
        double worstExp = 0, worstTanh = 0;
        for (double x : inputs(3)) {
            double want = Math.exp(x);
            double got = ScalarMath.exp(x);
            if (want == 0 || Double.isInfinite(want) || want < Double.MIN_NORMAL) {
                // the edges: 0, +∞ and the subnormals come out as Math.exp rounds them, to within an ulp of the subnormal grid
                assertTrue(Math.abs(got - want) <= Double.MIN_VALUE || got == want, "exp(" + x + ") = " + got + ", Math " + want);
            } else {
                worstExp = Math.max(worstExp, ulps(got, want));
            }
            worstTanh = Math.max(worstTanh, ulps(ScalarMath.tanh(x), Math.tanh(x)));
        }
        assertTrue(worstExp <= 1, "exp worst " + worstExp + " ulps");
        // m/(m + 2) with m = expm1(2|x|) rounds three times: up to 3 ulps between 0.17 and 0.55
        assertTrue(worstTanh <= 3, "tanh worst " + worstTanh + " ulps");
        assertEquals(1.0, ScalarMath.exp(0.0));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(ScalarMath.tanh(-0.0)));
        assertEquals(-1.0, ScalarMath.tanh(Double.NEGATIVE_INFINITY));
        assertTrue(Double.isNaN(ScalarMath.exp(Double.NaN)) && Double.isNaN(ScalarMath.tanh(Double.NaN)));
    }

    @Test
    void fp32IsWithinAnUlpOrTwoOfTheRoundedTrueValue() {
        double worstExp = 0, worstTanh = 0;
        for (double xd : inputs(4)) {
            float x = (float) xd;
            float want = (float) Math.exp(x);
            float got = ScalarMath.exp(x);
            if (want == 0 || Float.isInfinite(want) || want < Float.MIN_NORMAL) {
                assertTrue(Math.abs(got - want) <= Float.MIN_VALUE || got == want, "exp(" + x + ") = " + got + ", Math " + want);
            } else {
                worstExp = Math.max(worstExp, Math.abs(got - want) / Math.ulp(want));
            }
            float wantTanh = (float) Math.tanh(x);
            float gotTanh = ScalarMath.tanh(x);
            worstTanh = Math.max(worstTanh, gotTanh == wantTanh ? 0 : Math.abs(gotTanh - wantTanh) / Math.ulp(wantTanh));
        }
        assertTrue(worstExp <= 1, "exp worst " + worstExp + " ulps");
        assertTrue(worstTanh <= 2, "tanh worst " + worstTanh + " ulps");
    }
}
