package dev.scratchnet.lab;

import dev.scratchnet.backend.Precision;

/**
 * How far a backend's result may sit from the fp64 reference: in fp64 about 1e-12 relative; in fp32
 * 1e-5 plus |ref|·FLT_EPSILON scaled by the length of the reduction behind each element (for a
 * product, the magnitude Σ|a||b| takes the place of |ref|, since cancellation can make the result
 * itself small).
 */
public final class Tolerance {
    private static final double FLT_EPSILON = Math.ulp(1.0f);

    private Tolerance() {
    }

    /**
     * The allowed difference of a product computed with TF32 tensor cores (CUDA's matmul_tf32) from
     * the fp64 product of the unrounded inputs: each input rounded to 10 mantissa bits is off by at most
     * 2⁻¹¹ of itself, so each product by about 2⁻¹⁰ of |a||b|, on top of fp32's summation error.
     */
    public static double allowedTf32(double magnitude, int reductionLength) {
        return allowed(Precision.FP32, magnitude, reductionLength) + magnitude * TF32_ROUNDING;
    }

    /** How far a product of two values rounded to TF32 may be from the exact product, relative to it: 2⁻¹⁰ and a little. */
    public static final double TF32_ROUNDING = Math.scalb(1.0, -10) * 1.01;

    public static double allowed(Precision p, double magnitude, int reductionLength) {
        if (p == Precision.FP64) {
            return 1e-12 * Math.max(1.0, magnitude) * Math.max(1, reductionLength / 64.0);
        }
        return 1e-5 + magnitude * FLT_EPSILON * (reductionLength + 4);
    }

    /**
     * The worst ratio of |actual − expected| to the allowed difference over all elements (above 1
     * fails; NaN where a value is NaN that should not be), and where it is.
     */
    public static double[] worst(Precision p, double[] expected, double[] magnitude, int reductionLength, double[] actual) {
        return worst(p, false, expected, magnitude, reductionLength, actual);
    }

    /** {@link #worst(Precision, double[], double[], int, double[])}, with {@link #allowedTf32} where {@code tf32}. */
    public static double[] worst(Precision p, boolean tf32, double[] expected, double[] magnitude, int reductionLength, double[] actual) {
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double mag = magnitude == null ? Math.abs(expected[i]) : magnitude[i];
            double allowed = tf32 ? allowedTf32(mag, reductionLength) : allowed(p, mag, reductionLength);
            double ratio = Math.abs(actual[i] - expected[i]) / allowed;
            if (Double.isNaN(ratio)) {
                return new double[] {Double.NaN, i};
            }
            if (ratio > worst || at < 0) {
                worst = ratio;
                at = i;
            }
        }
        return new double[] {worst, at};
    }
}
