package dev.scratchnet.nn;

import dev.scratchnet.backend.Matrix;
import dev.scratchnet.random.NumpyRandom;

import java.util.Locale;

/**
 * How a dense layer's weights (fanIn × fanOut) are drawn. Every initializer draws from the
 * NumPy-compatible stream, in the order the notebooks draw, so a recipe gets NumPy's exact
 * weights. Biases always start at zero, as in every notebook.
 */
public interface Initializer {

    /** A fanIn × fanOut weight matrix. */
    Matrix weights(int fanIn, int fanOut, NumpyRandom rng);

    /** A readable name, as {@link #parse} accepts it. */
    String describe();

    /** {@code randn(fanIn, fanOut) * std}: seed 000's 0.01, seed 002's {@code init_std}. */
    static Initializer normal(double std) {
        requirePositive(std);
        return new Initializer() {
            @Override
            public Matrix weights(int fanIn, int fanOut, NumpyRandom rng) {
                return scaled(rng.randn(fanIn, fanOut), std);
            }

            @Override
            public String describe() {
                return "normal:" + std;
            }
        };
    }

    /**
     * {@code randn(fanOut, fanIn) * std}, transposed: seed 003 stores W as (out, in) and draws it
     * in that shape, so the same stream lands in the transposed positions.
     */
    static Initializer normalOutByIn(double std) {
        requirePositive(std);
        return new Initializer() {
            @Override
            public Matrix weights(int fanIn, int fanOut, NumpyRandom rng) {
                return scaled(rng.randn(fanOut, fanIn), std).transpose();
            }

            @Override
            public String describe() {
                return "normal-out-by-in:" + std;
            }
        };
    }

    /** {@code randn(fanIn, fanOut) * sqrt(1 / fanIn)}: seed 000's multi-layer network ("Xavier"). */
    static Initializer fanIn() {
        return new Initializer() {
            @Override
            public Matrix weights(int fanIn, int fanOut, NumpyRandom rng) {
                return scaled(rng.randn(fanIn, fanOut), Math.sqrt(1.0 / fanIn));
            }

            @Override
            public String describe() {
                return "fan-in";
            }
        };
    }

    /** Glorot normal: {@code randn * sqrt(2 / (fanIn + fanOut))}. */
    static Initializer xavier() {
        return new Initializer() {
            @Override
            public Matrix weights(int fanIn, int fanOut, NumpyRandom rng) {
                return scaled(rng.randn(fanIn, fanOut), Math.sqrt(2.0 / (fanIn + fanOut)));
            }

            @Override
            public String describe() {
                return "xavier";
            }
        };
    }

    /** He normal: {@code randn * sqrt(2 / fanIn)}. */
    static Initializer he() {
        return new Initializer() {
            @Override
            public Matrix weights(int fanIn, int fanOut, NumpyRandom rng) {
                return scaled(rng.randn(fanIn, fanOut), Math.sqrt(2.0 / fanIn));
            }

            @Override
            public String describe() {
                return "he";
            }
        };
    }

    /** Parses {@code normal:STD}, {@code normal-out-by-in:STD}, {@code fan-in}, {@code xavier}, {@code he}. */
    static Initializer parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        int colon = t.indexOf(':');
        String name = colon < 0 ? t : t.substring(0, colon);
        Double std = null;
        if (colon >= 0) {
            try {
                std = Double.parseDouble(t.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("initializer '" + text + "': the value after ':' is not a number");
            }
        }
        switch (name) {
            case "normal": return normal(std == null ? 0.01 : std);
            case "normal-out-by-in": return normalOutByIn(std == null ? 0.01 : std);
            case "fan-in": return fanIn();
            case "xavier": case "glorot": return xavier();
            case "he": return he();
            default:
                throw new IllegalArgumentException("unknown initializer '" + text
                        + "': expected normal:STD, normal-out-by-in:STD, fan-in, xavier or he");
        }
    }

    private static Matrix scaled(Matrix m, double factor) {
        double[] d = m.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = d[i] * factor;
        }
        return m;
    }

    private static void requirePositive(double std) {
        if (!(std > 0) || Double.isInfinite(std)) {
            throw new IllegalArgumentException("initial standard deviation " + std + ": must be a positive number");
        }
    }
}
