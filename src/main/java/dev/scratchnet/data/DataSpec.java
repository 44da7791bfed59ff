package dev.scratchnet.data;

import dev.scratchnet.backend.HostMemory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@code --data} specification, parsed and checked before anything is read or generated:
 * {@code xor}, {@code moons[:N[:NOISE]]}, {@code digits}, {@code fashion-mnist},
 * {@code idx:IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS]}. Every field is checked (a sample count that
 * is a whole number of at least 2 and fits the heap, a finite noise of at least 0, no field more
 * than the kind takes), and every error is one line naming the spec.
 */
public final class DataSpec {
    /** Where Debian's dataset-fashion-mnist package puts the files. */
    public static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
    public static final String EXPECTED = "expected xor, moons[:N[:NOISE]], digits, idx:IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS] or fashion-mnist";
    /** Bytes of heap one moons sample takes while it is made, split and uploaded (two doubles, several copies). */
    static final long MOONS_BYTES_PER_SAMPLE = 96;

    public final String text;
    public final String kind;
    /** moons: the sample count and noise. */
    public final int samples;
    public final double noise;
    /** idx: two or four files. */
    public final List<Path> files;

    private DataSpec(String text, String kind, int samples, double noise, List<Path> files) {
        this.text = text;
        this.kind = kind;
        this.samples = samples;
        this.noise = noise;
        this.files = files;
    }

    /** Parses {@code text}; throws {@link IllegalArgumentException} with one line on anything wrong. */
    public static DataSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("--data is empty: " + EXPECTED);
        }
        int colon = text.indexOf(':');
        String kind = colon < 0 ? text : text.substring(0, colon);
        String rest = colon < 0 ? null : text.substring(colon + 1);
        switch (kind) {
            case "xor":
            case "digits":
            case "fashion-mnist":
                if (rest != null) {
                    throw new IllegalArgumentException("--data " + oneLine(text) + ": " + kind + " takes no parameters");
                }
                return new DataSpec(text, kind, 0, 0, List.of());
            case "moons":
                return moons(text, rest);
            case "idx":
                return idx(text, rest);
            default:
                throw new IllegalArgumentException("unknown --data '" + oneLine(text) + "': " + EXPECTED);
        }
    }

    private static DataSpec moons(String text, String rest) {
        if (rest == null) {
            return new DataSpec(text, "moons", 1000, 0.2, List.of());
        }
        String[] f = rest.split(":", -1);
        if (f.length > 2) {
            throw new IllegalArgumentException("--data " + oneLine(text) + ": moons takes at most N and NOISE (moons:N:NOISE), got "
                    + f.length + " fields");
        }
        int n;
        try {
            n = Integer.parseInt(f[0].strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--data " + oneLine(text) + ": '" + oneLine(f[0]) + "' is not a whole number"
                    + (f[0].strip().matches("\\d{10,}") ? " below 2^31" : ""));
        }
        if (n < 2) {
            throw new IllegalArgumentException("--data " + oneLine(text) + ": " + n + " samples: moons needs at least 2");
        }
        HostMemory.require(n * MOONS_BYTES_PER_SAMPLE, n + " moons samples", "--data " + oneLine(text));
        double noise = 0.2;
        if (f.length > 1) {
            try {
                noise = Double.parseDouble(f[1].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--data " + oneLine(text) + ": noise '" + oneLine(f[1]) + "' is not a number");
            }
            if (!Double.isFinite(noise) || noise < 0) {
                throw new IllegalArgumentException("--data " + oneLine(text) + ": noise " + f[1].strip()
                        + " must be a finite standard deviation of at least 0");
            }
        }
        return new DataSpec(text, "moons", n, noise, List.of());
    }

    private static DataSpec idx(String text, String rest) {
        String[] f = rest == null ? new String[0] : rest.split(",", -1);
        if (f.length != 2 && f.length != 4) {
            throw new IllegalArgumentException("--data idx: takes IMAGES,LABELS or IMAGES,LABELS,TEST_IMAGES,TEST_LABELS, got '"
                    + oneLine(rest == null ? "" : rest) + "'");
        }
        Path[] paths = new Path[f.length];
        for (int i = 0; i < f.length; i++) {
            if (f[i].isBlank()) {
                throw new IllegalArgumentException("--data " + oneLine(text) + ": file " + (i + 1) + " is empty");
            }
            try {
                paths[i] = Path.of(f[i]);
            } catch (java.nio.file.InvalidPathException e) {
                throw new IllegalArgumentException("--data " + oneLine(text) + ": '" + oneLine(f[i]) + "' is not a file name");
            }
        }
        return new DataSpec(text, "idx", 0, 0, List.of(paths));
    }

    /** The files this spec reads (for checking that no output overwrites one). */
    public List<Path> inputs() {
        if (kind.equals("fashion-mnist")) {
            return List.of(FASHION_MNIST.resolve("train-images-idx3-ubyte.gz"), FASHION_MNIST.resolve("train-labels-idx1-ubyte.gz"),
                    FASHION_MNIST.resolve("t10k-images-idx3-ubyte.gz"), FASHION_MNIST.resolve("t10k-labels-idx1-ubyte.gz"));
        }
        return files;
    }

    /**
     * The train and test sets: a data set's own test set, else {@code testFraction} of it held out.
     * {@code classes}, if not null, is the declared class count (idx data only). Both sets are
     * checked before this returns: the test set's labels must be among the training set's classes.
     */
    public TrainTestSplit.Split load(long seed, double testFraction, Integer classes) {
        if (classes != null && !kind.equals("idx") && !kind.equals("fashion-mnist")) {
            int fixed = kind.equals("digits") ? 10 : 2;
            if (classes != fixed) {
                throw new IllegalArgumentException("--classes " + classes + ": --data " + kind + " has " + fixed + " classes");
            }
        }
        switch (kind) {
            case "xor": {
                Dataset x = Xor.dataset();
                return TrainTestSplit.Split.of(x, x);
            }
            case "moons":
                return TrainTestSplit.split(Moons.make(samples, noise, seed), testFraction, seed, false);
            case "digits":
                // raw pixels 0..16: the caller normalises (train fits a StandardScaler on the training rows, after any
                // validation split, and saves it with the model: cli/TrainData)
                return TrainTestSplit.split(Digits.load(), testFraction, seed, true);
            case "fashion-mnist":
                if (!Files.isDirectory(FASHION_MNIST)) {
                    throw new IllegalArgumentException("--data fashion-mnist reads " + FASHION_MNIST
                            + ", which is not there: install Debian's dataset-fashion-mnist, or use idx:FILES");
                }
                return trainAndTest(inputs(), "fashion-mnist train", "fashion-mnist test", classes);
            case "idx":
                for (Path p : files) {
                    if (!Files.isRegularFile(p)) {
                        throw new IllegalArgumentException(p + ": no such file");
                    }
                }
                if (files.size() == 2) {
                    return TrainTestSplit.split(Idx.load(files.get(0), files.get(1), "idx train", classes), testFraction, seed, false);
                }
                return trainAndTest(files, "idx train", "idx test", classes);
            default:
                throw new IllegalStateException(kind);
        }
    }

    private static TrainTestSplit.Split trainAndTest(List<Path> f, String trainName, String testName, Integer classes) {
        Dataset train = Idx.load(f.get(0), f.get(1), trainName, classes);
        int[] testLabels = Idx.readLabels(f.get(3));
        Labels.requireWithin(testLabels, train.classes(), f.get(3).toString(), "the training labels " + f.get(1));
        Dataset test = Idx.load(f.get(2), f.get(3), testName, train.classes());
        if (test.featureCount() != train.featureCount()) {
            throw new IllegalArgumentException(f.get(2) + " holds images of " + test.featureCount() + " pixels, but " + f.get(0)
                    + " holds images of " + train.featureCount());
        }
        return TrainTestSplit.Split.of(train, test);
    }

    /** The first line of {@code s}, so a spec with a newline still makes a one-line error. */
    static String oneLine(String s) {
        int nl = s.indexOf('\n');
        int cr = s.indexOf('\r');
        int cut = nl < 0 ? cr : cr < 0 ? nl : Math.min(nl, cr);
        return cut < 0 ? s : s.substring(0, cut) + "…";
    }
}
