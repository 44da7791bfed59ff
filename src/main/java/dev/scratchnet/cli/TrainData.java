package dev.scratchnet.cli;

import dev.scratchnet.backend.Matrix;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.data.StandardScaler;
import dev.scratchnet.data.TrainTestSplit;
import dev.scratchnet.io.SavedModel;

import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * The rows {@code train}, {@code predict} and {@code evaluate} use for a --data spec: the training
 * part (less a validation part when asked), the validation part and the test part, with the
 * input normalisation applied: for {@code digits} a StandardScaler fitted on the training part,
 * for the others none; with a saved model, the model's own normalisation. The same spec, seed and
 * fractions give the same rows, which is how {@code evaluate} finds a training run's test set.
 */
final class TrainData {
    static final String[] FASHION_MNIST_CLASSES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
            "Sneaker", "Bag", "Ankle boot"};

    final Dataset train;
    /** Null without a validation fraction. */
    final Dataset validation;
    final Dataset test;
    final double[] mean;
    final double[] scale;
    final String[] classNames;
    /** CRC-32 of the training rows and labels as read, before normalisation: a resumed run checks it. */
    final String fingerprint;

    private TrainData(Dataset train, Dataset validation, Dataset test, double[] mean, double[] scale, String[] classNames,
                      String fingerprint) {
        this.train = train;
        this.validation = validation;
        this.test = test;
        this.mean = mean;
        this.scale = scale;
        this.classNames = classNames;
        this.fingerprint = fingerprint;
    }

    static TrainData prepare(String spec, long seed, double testFraction, double validationFraction, Integer classes, SavedModel model) {
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("--validation-fraction " + validationFraction + ": expected 0 (none) or a fraction below 1");
        }
        boolean digits = spec.equals("digits");
        TrainTestSplit.Split split = dev.scratchnet.data.DataSpec.parse(spec).load(seed, testFraction, classes);
        String fingerprint = fingerprint(split.train);
        Dataset train = split.train, validation = null, test = split.test;
        if (validationFraction > 0) {
            TrainTestSplit.Split v = TrainTestSplit.split(train, validationFraction, seed, digits);
            train = v.train;
            validation = new Dataset(split.train.name().replace(" train", "") + " validation", v.test.features(), v.test.labels(),
                    v.test.classes());
        }
        int d = train.featureCount();
        double[] mean = new double[d], scale = new double[d];
        Arrays.fill(scale, 1.0);
        if (model != null) {
            if (model.inputs() != d) {
                throw new IllegalArgumentException("--data " + spec + " has " + d + " features, the model expects " + model.inputs());
            }
            mean = model.inputMean.clone();
            scale = model.inputScale.clone();
        } else if (digits) {
            StandardScaler s = StandardScaler.fit(train.features());
            mean = s.mean();
            scale = s.scale();
        }
        boolean identity = true;
        for (int j = 0; j < d; j++) {
            identity &= mean[j] == 0 && scale[j] == 1;
        }
        if (!identity) {
            train = normalised(train, mean, scale);
            validation = validation == null ? null : normalised(validation, mean, scale);
            test = test == train ? train : normalised(test, mean, scale);
        }
        return new TrainData(train, validation, test, mean, scale, classNames(spec, train.classes()), fingerprint);
    }

    private static Dataset normalised(Dataset data, double[] mean, double[] scale) {
        Matrix x = data.features();
        Matrix out = new Matrix(x.rows(), x.cols());
        double[] s = x.data(), o = out.data();
        int cols = x.cols();
        for (int i = 0; i < s.length; i++) {
            int j = i % cols;
            o[i] = (s[i] - mean[j]) / scale[j];
        }
        return data.withFeatures(out);
    }

    static String[] classNames(String spec, int classes) {
        if (spec.equals("fashion-mnist") && classes == FASHION_MNIST_CLASSES.length) {
            return FASHION_MNIST_CLASSES.clone();
        }
        String[] names = new String[classes];
        for (int c = 0; c < classes; c++) {
            names[c] = Integer.toString(c);
        }
        return names;
    }

    private static String fingerprint(Dataset d) {
        CRC32 crc = new CRC32();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1 << 16);
        double[] x = d.features().data();
        for (int i = 0; i < x.length; i += 8192) {
            int n = Math.min(8192, x.length - i);
            b.clear();
            b.asDoubleBuffer().put(x, i, n);
            crc.update(b.array(), 0, 8 * n);
        }
        int[] labels = d.labels();
        for (int i = 0; i < labels.length; i += 16384) {
            int n = Math.min(16384, labels.length - i);
            b.clear();
            b.asIntBuffer().put(labels, i, n);
            crc.update(b.array(), 0, 4 * n);
        }
        return String.format("%08x:%d", crc.getValue(), d.size());
    }
}
