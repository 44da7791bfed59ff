package dev.scratchnet.backend.cpu;

import static dev.scratchnet.backend.cpu.ScalarMath.*;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp, tanh and sigmoid over arrays, written with only the operations that give the same bits
 * whichever way the JVM runs them: add, multiply, divide, fused multiply-add, compares, blends and
 * integer bit operations. Each is exactly rounded both in C2's intrinsics and in the Vector API's
 * Java fallback (which C1 and the interpreter run, and C2 too before it has compiled a loop), so a
 * result cannot depend on when a method got compiled.
 *
 * <p>The Vector API's own {@code EXP} and {@code TANH} do depend on it: C2 runs them on the JDK's
 * SVML routines and the fallback on {@code Math.exp}, which differ in the last bit for about one
 * value in twenty. That made a Fashion-MNIST run end at 0.8637 or 0.8653 test accuracy from the
 * same seed, depending on the machine's load.
 *
 * <p>Every vector function has a scalar twin in {@link ScalarMath} doing the same operations in the
 * same order with {@link Math#fma}, so the scalar tail of an array, and the CPU backend without the
 * Vector API, give the same bits as the vector lanes.
 *
 * <p>exp: x = n·ln 2 + r with |r| ≤ ln 2 / 2 (n from the round-to-nearest of a shifted fma, r with
 * a two-part ln 2), e^r from its Taylor polynomial (degree 13 in fp64, 7 in fp32, below half an ulp
 * of truncation error), then 2^n applied as two powers of two so that subnormal results and
 * overflow come out as {@code Math.exp} gives them. Within about an ulp of {@code Math.exp} (fp64)
 * and of the correctly rounded float (fp32); VectorMathTest holds it to both. tanh(x) = sign(x)·m/(m + 2) with
 * m = expm1(2|x|), computed without cancellation for small |x|: within 3 ulps of {@code Math.tanh}.
 */
final class VectorMath {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private VectorMath() {
    }

    private static DoubleVector bD(double v) {
        return DoubleVector.broadcast(D, v);
    }

    private static FloatVector bF(float v) {
        return FloatVector.broadcast(F, v);
    }

    // ---- array loops --------------------------------------------------------------------------

    /** dst[i] = 1 / (1 + exp(−src[i])) for i < n; dst may be src. */
    static void sigmoid(double[] src, double[] dst, int n) {
        DoubleVector one = DoubleVector.broadcast(D, 1.0);
        int i = 0;
        for (; i + D.length() <= n; i += D.length()) {
            DoubleVector v = DoubleVector.fromArray(D, src, i);
            one.div(one.add(exp(v.neg()))).intoArray(dst, i);
        }
        for (; i < n; i++) {
            dst[i] = ScalarMath.sigmoid(src[i]);
        }
    }

    static void sigmoid(float[] src, float[] dst, int n) {
        FloatVector one = FloatVector.broadcast(F, 1.0f);
        int i = 0;
        for (; i + F.length() <= n; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, src, i);
            one.div(one.add(exp(v.neg()))).intoArray(dst, i);
        }
        for (; i < n; i++) {
            dst[i] = ScalarMath.sigmoid(src[i]);
        }
    }

    static void tanh(double[] src, double[] dst, int n) {
        int i = 0;
        for (; i + D.length() <= n; i += D.length()) {
            tanh(DoubleVector.fromArray(D, src, i)).intoArray(dst, i);
        }
        for (; i < n; i++) {
            dst[i] = ScalarMath.tanh(src[i]);
        }
    }

    static void tanh(float[] src, float[] dst, int n) {
        int i = 0;
        for (; i + F.length() <= n; i += F.length()) {
            tanh(FloatVector.fromArray(F, src, i)).intoArray(dst, i);
        }
        for (; i < n; i++) {
            dst[i] = ScalarMath.tanh(src[i]);
        }
    }

    /** x[i] = exp(x[i]) for i < n. */
    static void exp(double[] x, int n) {
        int i = 0;
        for (; i + D.length() <= n; i += D.length()) {
            exp(DoubleVector.fromArray(D, x, i)).intoArray(x, i);
        }
        for (; i < n; i++) {
            x[i] = ScalarMath.exp(x[i]);
        }
    }

    static void exp(float[] x, int n) {
        int i = 0;
        for (; i + F.length() <= n; i += F.length()) {
            exp(FloatVector.fromArray(F, x, i)).intoArray(x, i);
        }
        for (; i < n; i++) {
            x[i] = ScalarMath.exp(x[i]);
        }
    }

    /** r[i] = g[i]·(a[i] > 0 ? 1 : 0) for i < n: ReLU's backward from its output; r may be g. */
    static void reluBackward(double[] a, double[] g, double[] r, int n) {
        DoubleVector zero = DoubleVector.zero(D), one = DoubleVector.broadcast(D, 1.0);
        int i = 0;
        for (; i + D.length() <= n; i += D.length()) {
            DoubleVector y = DoubleVector.fromArray(D, a, i);
            DoubleVector.fromArray(D, g, i).mul(zero.blend(one, y.compare(VectorOperators.GT, 0))).intoArray(r, i);
        }
        for (; i < n; i++) {
            r[i] = g[i] * (a[i] > 0 ? 1.0 : 0.0);
        }
    }

    static void reluBackward(float[] a, float[] g, float[] r, int n) {
        FloatVector zero = FloatVector.zero(F), one = FloatVector.broadcast(F, 1.0f);
        int i = 0;
        for (; i + F.length() <= n; i += F.length()) {
            FloatVector y = FloatVector.fromArray(F, a, i);
            FloatVector.fromArray(F, g, i).mul(zero.blend(one, y.compare(VectorOperators.GT, 0))).intoArray(r, i);
        }
        for (; i < n; i++) {
            r[i] = g[i] * (a[i] > 0 ? 1.0f : 0.0f);
        }
    }

    // ---- fp64, vector -------------------------------------------------------------------------

    static DoubleVector exp(DoubleVector x) {
        DoubleVector xc = x.blend(EXP_HI, x.compare(VectorOperators.GT, EXP_HI))
                .blend(EXP_LO, x.compare(VectorOperators.LT, EXP_LO));
        DoubleVector t = xc.fma(LOG2E, SHIFT);
        DoubleVector n = t.sub(SHIFT);
        DoubleVector r = n.fma(bD(-LN2_HI), xc);
        r = n.fma(bD(-LN2_LO), r);
        DoubleVector p = r.fma(bD(C13), bD(C12)).fma(r, bD(C11)).fma(r, bD(C10)).fma(r, bD(C9)).fma(r, bD(C8)).fma(r, bD(C7)).fma(r, bD(C6))
                .fma(r, bD(C5)).fma(r, bD(C4)).fma(r, bD(C3)).fma(r, bD(C2));
        p = r.mul(r).fma(p, r).add(1.0);
        LongVector ni = t.reinterpretAsLongs().sub(SHIFT_BITS);
        LongVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        LongVector n2 = ni.sub(n1);
        DoubleVector s1 = n1.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
        DoubleVector s2 = n2.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
        return p.mul(s1).mul(s2);
    }

    static DoubleVector tanh(DoubleVector x) {
        LongVector bits = x.reinterpretAsLongs();
        LongVector sign = bits.and(Long.MIN_VALUE);
        DoubleVector ax = bits.and(Long.MAX_VALUE).reinterpretAsDoubles();
        ax = ax.blend(TANH_CLAMP, ax.compare(VectorOperators.GT, TANH_CLAMP));
        DoubleVector y = ax.add(ax);
        DoubleVector t = y.fma(LOG2E, SHIFT);
        DoubleVector n = t.sub(SHIFT);
        DoubleVector r = n.fma(bD(-LN2_HI), y);
        r = n.fma(bD(-LN2_LO), r);
        DoubleVector p = r.fma(bD(C13), bD(C12)).fma(r, bD(C11)).fma(r, bD(C10)).fma(r, bD(C9)).fma(r, bD(C8)).fma(r, bD(C7)).fma(r, bD(C6))
                .fma(r, bD(C5)).fma(r, bD(C4)).fma(r, bD(C3)).fma(r, bD(C2));
        p = r.mul(r).fma(p, r);
        DoubleVector s = t.reinterpretAsLongs().sub(SHIFT_BITS).add(1023).lanewise(VectorOperators.LSHL, 52)
                .reinterpretAsDoubles();
        DoubleVector m = s.fma(p, s.sub(1.0));
        DoubleVector th = m.div(m.add(2.0));
        return th.reinterpretAsLongs().or(sign).reinterpretAsDoubles();
    }

    // ---- fp32, vector -------------------------------------------------------------------------

    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.blend(EXP_HI_F, x.compare(VectorOperators.GT, EXP_HI_F))
                .blend(EXP_LO_F, x.compare(VectorOperators.LT, EXP_LO_F));
        FloatVector t = xc.fma(LOG2E_F, SHIFT_F);
        FloatVector n = t.sub(SHIFT_F);
        FloatVector r = n.fma(bF(-LN2_HI_F), xc);
        r = n.fma(bF(-LN2_LO_F), r);
        FloatVector p = r.fma(bF(F7), bF(F6)).fma(r, bF(F5)).fma(r, bF(F4)).fma(r, bF(F3)).fma(r, bF(F2));
        p = r.mul(r).fma(p, r).add(1.0f);
        IntVector ni = t.reinterpretAsInts().sub(SHIFT_F_BITS);
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = ni.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(s1).mul(s2);
    }

    static FloatVector tanh(FloatVector x) {
        IntVector bits = x.reinterpretAsInts();
        IntVector sign = bits.and(Integer.MIN_VALUE);
        FloatVector ax = bits.and(Integer.MAX_VALUE).reinterpretAsFloats();
        ax = ax.blend(TANH_CLAMP_F, ax.compare(VectorOperators.GT, TANH_CLAMP_F));
        FloatVector y = ax.add(ax);
        FloatVector t = y.fma(LOG2E_F, SHIFT_F);
        FloatVector n = t.sub(SHIFT_F);
        FloatVector r = n.fma(bF(-LN2_HI_F), y);
        r = n.fma(bF(-LN2_LO_F), r);
        FloatVector p = r.fma(bF(F7), bF(F6)).fma(r, bF(F5)).fma(r, bF(F4)).fma(r, bF(F3)).fma(r, bF(F2));
        p = r.mul(r).fma(p, r);
        FloatVector s = t.reinterpretAsInts().sub(SHIFT_F_BITS).add(127).lanewise(VectorOperators.LSHL, 23)
                .reinterpretAsFloats();
        FloatVector m = s.fma(p, s.sub(1.0f));
        FloatVector th = m.div(m.add(2.0f));
        return th.reinterpretAsInts().or(sign).reinterpretAsFloats();
    }

}
