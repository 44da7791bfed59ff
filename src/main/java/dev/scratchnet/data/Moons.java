package dev.scratchnet.data;

import dev.scratchnet.backend.Matrix;
import dev.scratchnet.random.NumpyRandom;

/**
 * scikit-learn's {@code make_moons(n_samples, noise, random_state)} with {@code shuffle=True}: two
 * interleaving half circles, shuffled with the generator's {@code shuffle}, then Gaussian noise
 * drawn from the same generator.
 */
public final class Moons {
    private Moons() {
    }

    public static Dataset make(int samples, double noise, long randomState) {
        if (samples < 2) {
            throw new IllegalArgumentException("make_moons needs at least 2 samples, got " + samples);
        }
        int out = samples / 2;
        int in = samples - out;
        double[] outer = linspace(0, Math.PI, out);
        double[] inner = linspace(0, Math.PI, in);
        Matrix x = new Matrix(samples, 2);
        int[] y = new int[samples];
        for (int i = 0; i < out; i++) {
            x.set(i, 0, Math.cos(outer[i]));
            x.set(i, 1, Math.sin(outer[i]));
        }
        for (int i = 0; i < in; i++) {
            x.set(out + i, 0, 1 - Math.cos(inner[i]));
            x.set(out + i, 1, 1 - Math.sin(inner[i]) - 0.5);
            y[out + i] = 1;
        }
        NumpyRandom rng = new NumpyRandom(randomState);
        int[] order = new int[samples];
        for (int i = 0; i < samples; i++) {
            order[i] = i;
        }
        rng.shuffle(order);
        Matrix shuffled = x.selectRows(order);
        int[] labels = new int[samples];
        for (int i = 0; i < samples; i++) {
            labels[i] = y[order[i]];
        }
        if (noise > 0) {
            double[] d = shuffled.data();
            Matrix n = rng.normal(0.0, noise, samples, 2);
            for (int i = 0; i < d.length; i++) {
                d[i] += n.data()[i];
            }
        }
        return new Dataset("moons", shuffled, labels, 2);
    }

    /** {@code np.linspace(start, stop, num)}: i·step + start, the last point exactly stop. */
    static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        if (num == 1) {
            y[0] = start;
            return y;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            y[i] = i * step + start;
        }
        y[num - 1] = stop;
        return y;
    }
}
