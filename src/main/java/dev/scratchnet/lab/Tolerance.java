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
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double mag = magnitude == null ? Math.abs(expected[i]) : magnitude[i];
            double ratio = Math.abs(actual[i] - expected[i]) / allowed(p, mag, reductionLength);
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
