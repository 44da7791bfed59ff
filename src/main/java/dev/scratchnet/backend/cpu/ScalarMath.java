package dev.scratchnet.backend.cpu;

/**
 * The scalar twins of {@link VectorMath}'s functions: the same operations in the same order, with
 * {@link Math#fma} where the vector code fuses, so each gives the same bits as a vector lane, in the
 * interpreter, C1 and C2 alike. They serve the tails of arrays, the code that runs where the Vector
 * API is absent, and the tests that hold the vector code to them. This class does not touch the
 * Vector API, so it loads without {@code jdk.incubator.vector}.
 */
final class ScalarMath {
    // ---- fp64 constants ----
    static final double LOG2E = 1.4426950408889634;
    /** 1.5·2^52: adding it rounds to an integer held in the low bits. */
    static final double SHIFT = 0x1.8p52;
    static final long SHIFT_BITS = Double.doubleToRawLongBits(SHIFT);
    /** ln 2 in two parts (fdlibm's): n·LN2_HI is exact for |n| < 2^20. */
    static final double LN2_HI = 6.93147180369123816490e-01;
    static final double LN2_LO = 1.90821492927058770002e-10;
    /** Below this exp is 0, above that +∞ (after rounding); the clamps keep 2^n representable in two halves. */
    static final double EXP_LO = -746.0;
    static final double EXP_HI = 710.0;
    /** tanh(x) rounds to ±1 beyond this. */
    static final double TANH_CLAMP = 20.0;
    /** 1/k! for k = 2..13. */
    static final double C2 = 1.0 / 2, C3 = 1.0 / 6, C4 = 1.0 / 24, C5 = 1.0 / 120, C6 = 1.0 / 720,
            C7 = 1.0 / 5040, C8 = 1.0 / 40320, C9 = 1.0 / 362880, C10 = 1.0 / 3628800, C11 = 1.0 / 39916800,
            C12 = 1.0 / 479001600, C13 = 1.0 / 6227020800.0;

    // ---- fp32 constants ----
    static final float LOG2E_F = 1.44269504f;
    static final float SHIFT_F = 0x1.8p23f;
    static final int SHIFT_F_BITS = Float.floatToRawIntBits(SHIFT_F);
    /** ln 2 in two parts (Cephes'): n·LN2_HI_F is exact for |n| < 2^14. */
    static final float LN2_HI_F = 0.693359375f;
    static final float LN2_LO_F = -2.12194440e-4f;
    static final float EXP_LO_F = -104.0f;
    static final float EXP_HI_F = 89.0f;
    static final float TANH_CLAMP_F = 10.0f;
    static final float F2 = 1.0f / 2, F3 = 1.0f / 6, F4 = 1.0f / 24, F5 = 1.0f / 120, F6 = 1.0f / 720,
            F7 = 1.0f / 5040;

    private ScalarMath() {
    }

    // ---- fp64, scalar twins ---------------------------------------------------------------------

    static double exp(double x) {
        double xc = x > EXP_HI ? EXP_HI : x;
        xc = xc < EXP_LO ? EXP_LO : xc;
        double t = Math.fma(xc, LOG2E, SHIFT);
        double n = t - SHIFT;
        double r = Math.fma(n, -LN2_HI, xc);
        r = Math.fma(n, -LN2_LO, r);
        double p = Math.fma(r, C13, C12);
        p = Math.fma(p, r, C11);
        p = Math.fma(p, r, C10);
        p = Math.fma(p, r, C9);
        p = Math.fma(p, r, C8);
        p = Math.fma(p, r, C7);
        p = Math.fma(p, r, C6);
        p = Math.fma(p, r, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(r * r, p, r) + 1.0;
        long ni = Double.doubleToRawLongBits(t) - SHIFT_BITS;
        long n1 = ni >> 1;
        long n2 = ni - n1;
        return p * Double.longBitsToDouble((n1 + 1023) << 52) * Double.longBitsToDouble((n2 + 1023) << 52);
    }

    static double tanh(double x) {
        long bits = Double.doubleToRawLongBits(x);
        long sign = bits & Long.MIN_VALUE;
        double ax = Double.longBitsToDouble(bits & Long.MAX_VALUE);
        ax = ax > TANH_CLAMP ? TANH_CLAMP : ax;
        double y = ax + ax;
        double t = Math.fma(y, LOG2E, SHIFT);
        double n = t - SHIFT;
        double r = Math.fma(n, -LN2_HI, y);
        r = Math.fma(n, -LN2_LO, r);
        double p = Math.fma(r, C13, C12);
        p = Math.fma(p, r, C11);
        p = Math.fma(p, r, C10);
        p = Math.fma(p, r, C9);
        p = Math.fma(p, r, C8);
        p = Math.fma(p, r, C7);
        p = Math.fma(p, r, C6);
        p = Math.fma(p, r, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(r * r, p, r);
        double s = Double.longBitsToDouble((Double.doubleToRawLongBits(t) - SHIFT_BITS + 1023) << 52);
        double m = Math.fma(s, p, s - 1.0);
        double th = m / (m + 2.0);
        return Double.longBitsToDouble(Double.doubleToRawLongBits(th) | sign);
    }

    static double sigmoid(double x) {
        return 1.0 / (1.0 + exp(-x));
    }

    // ---- fp32, scalar twins ---------------------------------------------------------------------

    static float exp(float x) {
        float xc = x > EXP_HI_F ? EXP_HI_F : x;
        xc = xc < EXP_LO_F ? EXP_LO_F : xc;
        float t = Math.fma(xc, LOG2E_F, SHIFT_F);
        float n = t - SHIFT_F;
        float r = Math.fma(n, -LN2_HI_F, xc);
        r = Math.fma(n, -LN2_LO_F, r);
        float p = Math.fma(r, F7, F6);
        p = Math.fma(p, r, F5);
        p = Math.fma(p, r, F4);
        p = Math.fma(p, r, F3);
        p = Math.fma(p, r, F2);
        p = Math.fma(r * r, p, r) + 1.0f;
        int ni = Float.floatToRawIntBits(t) - SHIFT_F_BITS;
        int n1 = ni >> 1;
        int n2 = ni - n1;
        return p * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
    }

    static float tanh(float x) {
        int bits = Float.floatToRawIntBits(x);
        int sign = bits & Integer.MIN_VALUE;
        float ax = Float.intBitsToFloat(bits & Integer.MAX_VALUE);
        ax = ax > TANH_CLAMP_F ? TANH_CLAMP_F : ax;
        float y = ax + ax;
        float t = Math.fma(y, LOG2E_F, SHIFT_F);
        float n = t - SHIFT_F;
        float r = Math.fma(n, -LN2_HI_F, y);
        r = Math.fma(n, -LN2_LO_F, r);
        float p = Math.fma(r, F7, F6);
        p = Math.fma(p, r, F5);
        p = Math.fma(p, r, F4);
        p = Math.fma(p, r, F3);
        p = Math.fma(p, r, F2);
        p = Math.fma(r * r, p, r);
        float s = Float.intBitsToFloat((Float.floatToRawIntBits(t) - SHIFT_F_BITS + 127) << 23);
        float m = Math.fma(s, p, s - 1.0f);
        float th = m / (m + 2.0f);
        return Float.intBitsToFloat(Float.floatToRawIntBits(th) | sign);
    }

    static float sigmoid(float x) {
        return 1.0f / (1.0f + exp(-x));
    }
}
