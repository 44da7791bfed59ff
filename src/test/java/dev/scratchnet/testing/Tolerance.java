package dev.scratchnet.testing;

import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;

import static org.junit.jupiter.api.Assertions.fail;

/** Assertions with the tolerance rule of {@link dev.scratchnet.lab.Tolerance}. */
public final class Tolerance {
    private Tolerance() {
    }

    public static double allowed(Precision p, double magnitude, int reductionLength) {
        return dev.scratchnet.lab.Tolerance.allowed(p, magnitude, reductionLength);
    }

    /** Fails with the worst element if any differs by more than allowed. */
    public static void assertClose(String what, Precision p, Matrix expected, Matrix magnitude, int reductionLength, Matrix actual) {
        expected.requireSameShape(actual);
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.data()[i];
            double a = actual.data()[i];
            double mag = magnitude == null ? Math.abs(e) : magnitude.data()[i];
            double allowed = allowed(p, mag, reductionLength);
            double excess = Math.abs(a - e) / allowed;
            if (!(excess <= 1.0) && (worstAt < 0 || excess > worst || Double.isNaN(excess))) {
                worst = excess;
                worstAt = i;
            }
        }
        if (worstAt >= 0) {
            int r = worstAt / expected.cols(), c = worstAt % expected.cols();
            fail(String.format("%s (%s, %s): element [%d,%d] is %s, expected %s (allowed difference %.3g)", what, p,
                    expected.shape(), r, c, actual.data()[worstAt], expected.data()[worstAt],
                    allowed(p, magnitude == null ? Math.abs(expected.data()[worstAt]) : magnitude.data()[worstAt], reductionLength)));
        }
    }

    public static void assertClose(String what, Precision p, Matrix expected, Matrix actual) {
        assertClose(what, p, expected, null, 1, actual);
    }
}
