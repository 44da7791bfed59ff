package dev.scratchnet.data;

import dev.scratchnet.backend.Matrix;

import java.util.Arrays;

/**
 * Labelled examples on the host: a features matrix (one row per example) and an integer class
 * label per row. {@link #targets(int)} gives the matrix a network trains against: the labels as
 * one column (0/1) for a one-output network, one-hot rows otherwise.
 */
public final class Dataset {
    private final String name;
    private final Matrix features;
    private final int[] labels;
    private final int classes;

    public Dataset(String name, Matrix features, int[] labels, int classes) {
        this.name = name;
        if (features.rows() != labels.length) {
            throw new IllegalArgumentException(name + ": " + features.rows() + " feature rows but " + labels.length + " labels");
        }
        if (classes < 1) {
            throw new IllegalArgumentException(name + ": number of classes " + classes + " must be at least 1");
        }
        features.requireFinite(name + " features");
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(name + ": label " + labels[i] + " at row " + i
                        + " outside 0.." + (classes - 1));
            }
        }
        this.features = features;
        this.labels = labels;
        this.classes = classes;
    }

    /** A data set whose class count is one more than its largest label. */
    public static Dataset of(String name, Matrix features, int[] labels) {
        int max = Arrays.stream(labels).max().orElse(0);
        return new Dataset(name, features, labels, Math.max(2, max + 1));
    }

    public String name() {
        return name;
    }

    public Matrix features() {
        return features;
    }

    public int[] labels() {
        return labels;
    }

    public int classes() {
        return classes;
    }

    public int size() {
        return labels.length;
    }

    public int featureCount() {
        return features.cols();
    }

    /** The targets for a network with {@code outputs} outputs: one 0/1 column, or one-hot rows. */
    public Matrix targets(int outputs) {
        if (outputs == 1) {
            if (classes > 2) {
                throw new IllegalArgumentException(name + " has " + classes
                        + " classes: a network with one output can only tell two apart");
            }
            Matrix y = new Matrix(labels.length, 1);
            for (int i = 0; i < labels.length; i++) {
                y.set(i, 0, labels[i]);
            }
            return y;
        }
        return OneHot.encode(labels, outputs);
    }

    /** The rows at {@code indices}, in that order. */
    public Dataset subset(String subsetName, int[] indices) {
        int[] l = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            l[i] = labels[indices[i]];
        }
        return new Dataset(subsetName, features.selectRows(indices), l, classes);
    }

    /** The same labels with new features (after scaling, say). */
    public Dataset withFeatures(Matrix newFeatures) {
        return new Dataset(name, newFeatures, labels, classes);
    }

    /** Rows per class, indexed by class. */
    public int[] classCounts() {
        int[] counts = new int[classes];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    @Override
    public String toString() {
        return name + " (" + size() + " × " + featureCount() + ", " + classes + " classes)";
    }
}
