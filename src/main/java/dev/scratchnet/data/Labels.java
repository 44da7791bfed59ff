package dev.scratchnet.data;

import java.util.Arrays;

/**
 * The class count of a set of integer labels, checked. Labels are expected to be 0..K−1 with no gap;
 * a label beyond a gap (a 255 among the digits 0..9) is almost always damage, so it is refused with
 * what was found ("labels 0..9, and 255 at record 17") unless the user declares the class count.
 */
public final class Labels {
    private Labels() {
    }

    /**
     * The number of classes: {@code declared} if given (every label must be below it), else one more
     * than the largest label, provided the labels present run 0..K−1 without a gap.
     */
    public static int classCount(int[] labels, Integer declared, String source) {
        if (labels.length == 0) {
            throw new IllegalArgumentException(source + ": no labels");
        }
        if (declared != null) {
            if (declared < 2) {
                throw new IllegalArgumentException("--classes " + declared + ": a classifier needs at least 2 classes");
            }
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] < 0 || labels[i] >= declared) {
                    throw new IllegalArgumentException(source + ": label " + labels[i] + " at record " + (i + 1) + " is outside 0.."
                            + (declared - 1) + " (--classes " + declared + ")");
                }
            }
            return declared;
        }
        int max = Arrays.stream(labels).max().getAsInt();
        boolean[] seen = new boolean[Math.max(0, max) + 1];
        for (int l : labels) {
            if (l < 0) {
                throw new IllegalArgumentException(source + ": negative label " + l);
            }
            seen[l] = true;
        }
        int run = 0;   // labels 0..run-1 are all present
        while (run < seen.length && seen[run]) {
            run++;
        }
        if (run == seen.length) {
            return Math.max(2, run);
        }
        int first = -1;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] > run) {
                first = i;
                break;
            }
        }
        String found = run == 0 ? "no label 0" : "labels 0.." + (run - 1);
        throw new IllegalArgumentException(source + ": " + found + ", and " + labels[first] + " at record " + (first + 1)
                + (run == 0 ? "" : " (no " + run + ")") + ": a damaged label? If the data really has " + (max + 1)
                + " classes, say so with --classes " + (max + 1));
    }

    /** Checks that {@code labels} (a test set's) are all below {@code classes} (the training set's). */
    public static void requireWithin(int[] labels, int classes, String source, String trainSource) {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(source + ": label " + labels[i] + " at record " + (i + 1) + " is outside the "
                        + classes + " classes (0.." + (classes - 1) + ") of " + trainSource);
            }
        }
    }
}
