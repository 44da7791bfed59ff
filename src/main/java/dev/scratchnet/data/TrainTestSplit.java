package dev.scratchnet.data;

import dev.scratchnet.random.NumpyRandom;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * scikit-learn 1.2's {@code train_test_split} with a float {@code test_size} and an integer
 * {@code random_state}: the same rows in the same order. Without stratification it is
 * {@code ShuffleSplit} (one permutation: the first n_test rows test, the next n_train train); with
 * it, {@code StratifiedShuffleSplit} (per-class counts by {@code _approximate_mode}, a permutation
 * per class, then a permutation of each side).
 */
public final class TrainTestSplit {
    /** The row indices of each side, in the order scikit-learn returns them. */
    public static final class Indices {
        public final int[] train;
        public final int[] test;

        Indices(int[] train, int[] test) {
            this.train = train;
            this.test = test;
        }
    }

    /** Both sides of a split data set. */
    public static final class Split {
        public final Dataset train;
        public final Dataset test;

        Split(Dataset train, Dataset test) {
            this.train = train;
            this.test = test;
        }

        /** Two data sets that are already split (a test set of their own). */
        public static Split of(Dataset train, Dataset test) {
            return new Split(train, test);
        }
    }

    private TrainTestSplit() {
    }

    public static Split split(Dataset data, double testSize, long randomState, boolean stratify) {
        Indices idx = stratify ? stratifiedIndices(data.labels(), testSize, randomState)
                : indices(data.size(), testSize, randomState);
        return new Split(data.subset(data.name() + " train", idx.train), data.subset(data.name() + " test", idx.test));
    }

    /** {@code _validate_shuffle_split}: n_test = ceil(test_size·n), n_train = n − n_test. */
    static int testCount(int n, double testSize) {
        if (!(testSize > 0 && testSize < 1)) {
            throw new IllegalArgumentException("test size " + testSize + ": expected a fraction between 0 and 1");
        }
        int nTest = (int) Math.ceil(testSize * n);
        if (nTest == 0 || nTest >= n) {
            throw new IllegalArgumentException("test size " + testSize + " of " + n + " rows leaves an empty side");
        }
        return nTest;
    }

    public static Indices indices(int n, double testSize, long randomState) {
        int nTest = testCount(n, testSize);
        int[] perm = new NumpyRandom(randomState).permutation(n);
        return new Indices(Arrays.copyOfRange(perm, nTest, n), Arrays.copyOfRange(perm, 0, nTest));
    }

    public static Indices stratifiedIndices(int[] labels, double testSize, long randomState) {
        int n = labels.length;
        int nTest = testCount(n, testSize);
        int nTrain = n - nTest;
        int[] classes = Arrays.stream(labels).distinct().sorted().toArray();
        int[] counts = new int[classes.length];
        List<List<Integer>> members = new ArrayList<>();
        for (int c = 0; c < classes.length; c++) {
            members.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            int c = Arrays.binarySearch(classes, labels[i]);
            counts[c]++;
            members.get(c).add(i);
        }
        for (int c = 0; c < classes.length; c++) {
            if (counts[c] < 2) {
                throw new IllegalArgumentException("class " + classes[c]
                        + " has only one member: a stratified split needs at least 2 per class");
            }
        }
        if (nTrain < classes.length || nTest < classes.length) {
            throw new IllegalArgumentException("a stratified split of " + n + " rows into " + nTrain + " and " + nTest
                    + " cannot hold all " + classes.length + " classes on both sides");
        }
        NumpyRandom rng = new NumpyRandom(randomState);
        int[] trainPer = approximateMode(counts, nTrain, rng);
        int[] remaining = new int[counts.length];
        for (int c = 0; c < counts.length; c++) {
            remaining[c] = counts[c] - trainPer[c];
        }
        int[] testPer = approximateMode(remaining, nTest, rng);
        List<Integer> train = new ArrayList<>();
        List<Integer> test = new ArrayList<>();
        for (int c = 0; c < classes.length; c++) {
            int[] perm = rng.permutation(counts[c]);
            List<Integer> m = members.get(c);
            for (int i = 0; i < trainPer[c]; i++) {
                train.add(m.get(perm[i]));
            }
            for (int i = trainPer[c]; i < trainPer[c] + testPer[c]; i++) {
                test.add(m.get(perm[i]));
            }
        }
        int[] trainIdx = rng.permutation(train.stream().mapToInt(Integer::intValue).toArray());
        int[] testIdx = rng.permutation(test.stream().mapToInt(Integer::intValue).toArray());
        return new Indices(trainIdx, testIdx);
    }

    /**
     * {@code _approximate_mode(class_counts, n_draws, rng)}: floor of each class's share, then one
     * more for the classes with the largest remainders, ties broken by {@code rng.choice}.
     */
    static int[] approximateMode(int[] counts, int draws, NumpyRandom rng) {
        long total = Arrays.stream(counts).asLongStream().sum();
        double[] continuous = new double[counts.length];
        int[] floored = new int[counts.length];
        double flooredSum = 0;
        for (int c = 0; c < counts.length; c++) {
            continuous[c] = counts[c] / (double) total * draws;
            floored[c] = (int) Math.floor(continuous[c]);
            flooredSum += floored[c];
        }
        int needToAdd = (int) (draws - flooredSum);
        if (needToAdd > 0) {
            double[] remainder = new double[counts.length];
            TreeSet<Double> values = new TreeSet<>();
            for (int c = 0; c < counts.length; c++) {
                remainder[c] = continuous[c] - floored[c];
                values.add(remainder[c]);
            }
            for (double value : values.descendingSet()) {
                List<Integer> inds = new ArrayList<>();
                for (int c = 0; c < counts.length; c++) {
                    if (remainder[c] == value) {
                        inds.add(c);
                    }
                }
                int addNow = Math.min(inds.size(), needToAdd);
                int[] chosen = rng.choiceWithoutReplacement(inds.size(), addNow);
                for (int k : chosen) {
                    floored[inds.get(k)]++;
                }
                needToAdd -= addNow;
                if (needToAdd == 0) {
                    break;
                }
            }
        }
        return floored;
    }
}
