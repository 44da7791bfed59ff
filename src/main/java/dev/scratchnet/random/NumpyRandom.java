package dev.scratchnet.random;

import dev.scratchnet.backend.Matrix;

/**
 * NumPy's legacy random stream ({@code np.random.seed}, {@code np.random.RandomState}), draw for
 * draw: the notebooks' weights, shuffles and scikit-learn's {@code random_state} all come from it.
 *
 * <ul>
 *   <li>{@link #randn} is {@code legacy_gauss}: the polar (Marsaglia) method, which makes two
 *       values per accepted pair and keeps the second for the next call;</li>
 *   <li>{@link #permutation} and {@link #shuffle} are the Fisher–Yates shuffle of
 *       {@code RandomState.shuffle}, with {@code random_interval}'s masked rejection sampling;</li>
 *   <li>{@link #choiceWithoutReplacement} is {@code choice(n, size, replace=False)}: the first
 *       {@code size} entries of a full permutation.</li>
 * </ul>
 */
public final class NumpyRandom {
    private final MersenneTwister mt;
    private boolean hasGauss;
    private double gauss;

    /** {@code np.random.RandomState(seed)}. */
    public NumpyRandom(long seed) {
        this.mt = new MersenneTwister(seed);
    }

    /** {@code np.random.seed(seed)}: restarts the stream and drops a cached Gaussian. */
    public void seed(long seed) {
        mt.seed(seed);
        hasGauss = false;
        gauss = 0;
    }

    /**
     * The whole state of the stream, as NumPy's {@code get_state()} gives it: the MT19937 words,
     * the position in them, and the cached second Gaussian of the polar method.
     */
    public static final class State {
        /** 624 words and the position. */
        public final int[] mt;
        public final boolean hasGauss;
        public final double gauss;

        public State(int[] mt, boolean hasGauss, double gauss) {
            this.mt = mt.clone();
            this.hasGauss = hasGauss;
            this.gauss = gauss;
        }
    }

    public State state() {
        return new State(mt.state(), hasGauss, gauss);
    }

    /** Continues from a {@link #state()}. */
    public void restore(State s) {
        mt.restore(s.mt);
        hasGauss = s.hasGauss;
        gauss = s.gauss;
    }

    /** {@code random_sample()}: uniform in [0, 1). */
    public double randomSample() {
        return mt.nextDouble();
    }

    /** One standard normal value, {@code legacy_gauss}. */
    public double gaussian() {
        if (hasGauss) {
            hasGauss = false;
            double cached = gauss;
            gauss = 0;
            return cached;
        }
        double x1, x2, r2;
        do {
            x1 = 2.0 * mt.nextDouble() - 1.0;
            x2 = 2.0 * mt.nextDouble() - 1.0;
            r2 = x1 * x1 + x2 * x2;
        } while (r2 >= 1.0 || r2 == 0.0);
        double f = Math.sqrt(-2.0 * Math.log(r2) / r2);
        gauss = f * x1;
        hasGauss = true;
        return f * x2;
    }

    /** {@code np.random.randn(rows, cols)}, filled in row-major order. */
    public Matrix randn(int rows, int cols) {
        Matrix m = new Matrix(rows, cols);
        double[] d = m.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = gaussian();
        }
        return m;
    }

    /** {@code normal(loc, scale, size=(rows, cols))}: loc + scale·gaussian, row-major. */
    public Matrix normal(double loc, double scale, int rows, int cols) {
        Matrix m = new Matrix(rows, cols);
        double[] d = m.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = loc + scale * gaussian();
        }
        return m;
    }

    /** {@code random_interval(max)}: uniform in 0..max by masked rejection. */
    public long interval(long max) {
        if (max == 0) {
            return 0;
        }
        long mask = max;
        mask |= mask >>> 1;
        mask |= mask >>> 2;
        mask |= mask >>> 4;
        mask |= mask >>> 8;
        mask |= mask >>> 16;
        mask |= mask >>> 32;
        long value;
        if (max <= 0xffffffffL) {
            do {
                value = mt.nextUint32() & mask;
            } while (value > max);
        } else {
            do {
                value = ((mt.nextUint32() << 32) | mt.nextUint32()) & mask;
            } while (value > max);
        }
        return value;
    }

    /** {@code shuffle(x)} of a one-dimensional array, in place. */
    public void shuffle(int[] x) {
        for (int i = x.length - 1; i > 0; i--) {
            int j = (int) interval(i);
            int tmp = x[i];
            x[i] = x[j];
            x[j] = tmp;
        }
    }

    /** {@code permutation(n)}: a shuffled {@code arange(n)}. */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        shuffle(p);
        return p;
    }

    /** {@code permutation(values)}: a shuffled copy. */
    public int[] permutation(int[] values) {
        int[] p = values.clone();
        shuffle(p);
        return p;
    }

    /** {@code choice(n, size, replace=False)}: the first {@code size} of a permutation of n. */
    public int[] choiceWithoutReplacement(int n, int size) {
        if (size > n) {
            throw new IllegalArgumentException("cannot take " + size + " of " + n + " without replacement");
        }
        return java.util.Arrays.copyOf(permutation(n), size);
    }
}
