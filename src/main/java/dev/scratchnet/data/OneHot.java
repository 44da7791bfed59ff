package dev.scratchnet.data;

import dev.scratchnet.backend.Matrix;

/** One-hot encoding, as {@code np.eye(n_classes)[y]}. */
public final class OneHot {
    private OneHot() {
    }

    public static Matrix encode(int[] labels, int classes) {
        Matrix y = new Matrix(labels.length, classes);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + labels[i] + " at row " + i + " does not fit "
                        + classes + " outputs");
            }
            y.set(i, labels[i], 1.0);
        }
        return y;
    }
}
