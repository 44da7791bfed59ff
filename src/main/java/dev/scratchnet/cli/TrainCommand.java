package dev.scratchnet.cli;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Backends;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.data.Digits;
import dev.scratchnet.data.Idx;
import dev.scratchnet.data.Moons;
import dev.scratchnet.data.StandardScaler;
import dev.scratchnet.data.TrainTestSplit;
import dev.scratchnet.data.Xor;
import dev.scratchnet.nn.Activation;
import dev.scratchnet.nn.History;
import dev.scratchnet.nn.Initializer;
import dev.scratchnet.nn.Loss;
import dev.scratchnet.nn.Network;
import dev.scratchnet.nn.Optimizer;
import dev.scratchnet.nn.Trainer;
import dev.scratchnet.profile.ChromeTrace;
import dev.scratchnet.profile.Profile;
import dev.scratchnet.profile.ProfilingBackend;
import dev.scratchnet.random.NumpyRandom;
import dev.scratchnet.report.ClassificationReport;
import dev.scratchnet.report.ConfusionMatrixPlot;
import dev.scratchnet.report.LineChart;
import dev.scratchnet.report.PythonFormat;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code scratchnet train}: an MLP on a data set of the user's choosing. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a fully connected network (softmax output, cross-entropy) on a data set.",
                "Data: xor, moons[:N[:NOISE]], digits (10 classes), idx:TRAIN_IMAGES,TRAIN_LABELS[,TEST_IMAGES,TEST_LABELS],",
                "fashion-mnist (Debian's dataset-fashion-mnist package)."})
final class TrainCommand implements Runnable {
    static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    @Option(names = "--data", required = true, paramLabel = "SPEC", description = "The data set (see above).")
    String data;

    @Option(names = "--hidden", split = ",", defaultValue = "64", paramLabel = "W[,W...]", description = "Hidden layer widths (default: ${DEFAULT-VALUE}).")
    int[] hidden;

    @Option(names = "--activation", defaultValue = "relu", description = "Hidden activation: relu, sigmoid, tanh, leaky_relu[:SLOPE], identity (default: ${DEFAULT-VALUE}).")
    String activation;

    @Option(names = "--optimizer", defaultValue = "adam", description = "sgd, momentum[:MU], rmsprop[:RHO] or adam (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--lr", defaultValue = "0.001", description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--batch", defaultValue = "128", description = "Rows per batch; 0 for the whole set (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--epochs", defaultValue = "10", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--init", defaultValue = "he", description = "Weights: he, xavier, fan-in, normal:STD (default: ${DEFAULT-VALUE}).")
    String init;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the weights and the shuffles (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--test-fraction", defaultValue = "0.2", description = "Held out for testing where the data has no test set (default: ${DEFAULT-VALUE}).")
    double testFraction;

    @Option(names = "--precision", defaultValue = "fp32", description = "fp32 or fp64 (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the history and results as JSON.")
    Path json;

    @Option(names = "--plots", paramLabel = "DIR", description = "Write loss, accuracy and confusion-matrix PNGs.")
    Path plots;

    @Option(names = "--bench", description = "Train the same network in NumPy too (baselines/numpy_mlp.py), one epoch after each of ours, "
            + "and print both speeds in samples/s and their ratio.")
    boolean bench;

    @Option(names = "--profile", description = "Print each op's share of a training step (device events on OpenCL and CUDA, the wall clock per op on the CPU).")
    boolean profile;

    @Option(names = "--trace", paramLabel = "FILE", description = "Write every op as a Chrome trace-event JSON file (Perfetto, chrome://tracing).")
    Path trace;

    @Mixin
    BackendOptionsMixin backend;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        if (epochs < 1) {
            throw new IllegalArgumentException("--epochs " + epochs + ": must be at least 1");
        }
        Precision p = Precision.parse(precision);
        Activation act = Activation.parse(activation);
        Initializer initializer = Initializer.parse(init);
        if (trace != null) {
            dev.scratchnet.io.AtomicFile.checkWritable(trace, "--trace");
        }
        TrainTestSplit.Split split = load(data, seed, testFraction);
        Dataset train = split.train, test = split.test;
        out.printf("data: %s (%d rows) and %s (%d rows), %d features, %d classes%n", train.name(), train.size(), test.name(),
                test.size(), train.featureCount(), train.classes());
        Backends.Selection s = backend.select(out);
        Profile prof = profile || trace != null ? new Profile(trace != null) : null;
        try (Backend be = prof == null ? s.backend : new ProfilingBackend(s.backend, prof);
             TrainBench numpy = bench ? TrainBench.start(out, train, test, hidden, batch, optimizer, lr, p, activation, seed) : null) {
            Network.Builder b = Network.builder(be, p, train.featureCount());
            for (int h : hidden) {
                b.dense(h, act);
            }
            long start = System.nanoTime();
            try (Network net = b.dense(train.classes(), Activation.softmax()).build(initializer, new NumpyRandom(seed));
                 Optimizer opt = Optimizer.parse(optimizer, lr)) {
                out.printf("network: %s, %d parameters, %s, lr %s, batch %s, %s%n", net.describe(), net.parameterCount(),
                        opt.describe(), lr, batch == 0 ? "all" : Integer.toString(batch), p);
                Loss loss = Loss.softmaxCrossEntropy(1e-8);
                long[] epochStart = {System.nanoTime()};
                History h = Trainer.builder().loss(loss).optimizer(opt).epochs(epochs).batchSize(batch)
                        .shuffle(new NumpyRandom(seed + 1))
                        .listener((epoch, trainLoss, trainAcc, testLoss, testAcc) -> {
                            long now = System.nanoTime();
                            out.printf("epoch %" + Integer.toString(epochs).length() + "d/%d  loss %s  accuracy %s  test loss %s"
                                            + "  test accuracy %s  (%.2f s)%n", epoch + 1, epochs, PythonFormat.fixed(trainLoss, 4),
                                    PythonFormat.fixed(trainAcc, 4), PythonFormat.fixed(testLoss, 4), PythonFormat.fixed(testAcc, 4),
                                    (now - epochStart[0]) / 1e9);
                            out.flush();
                            if (numpy != null) {
                                numpy.afterOurEpoch(epoch + 1, epochs, (now - epochStart[0]) / 1e9);
                                now = System.nanoTime();
                            }
                            epochStart[0] = now;
                        })
                        .build().fit(net, train, test);
                if (prof != null) {
                    prof.stop();
                    int rows = batch <= 0 || batch >= train.size() ? train.size() : batch;
                    prof.addSteps((long) epochs * ((train.size() + rows - 1) / rows));
                    prof.print(out, be.name() + " " + p + ", " + net.describe() + ", batch " + rows
                            + "; per training step, the test pass included");
                    if (trace != null) {
                        ChromeTrace.write(trace, prof, "scratchnet train " + be.name());
                        out.println("wrote " + trace);
                    }
                }
                if (numpy != null) {
                    numpy.report("scratchnet " + be.name() + " " + p);
                }
                int[] predicted = net.predictLabels(test.features());
                String[] names = new String[test.classes()];
                for (int c = 0; c < names.length; c++) {
                    names[c] = Integer.toString(c);
                }
                ClassificationReport report = new ClassificationReport(test.labels(), predicted, names);
                double trainSeconds = h.trainSeconds() - (numpy == null ? 0 : numpy.secondsSpent());
                out.printf("test accuracy %s; training took %.2f s (%.1f ms per epoch)%n", PythonFormat.fixed(report.accuracy(), 4),
                        trainSeconds, 1e3 * trainSeconds / epochs);
                out.println("confusion matrix (rows: true class, columns: predicted):");
                out.println(PythonFormat.matrix(report.confusionMatrix()));
                if (plots != null) {
                    Files.createDirectories(plots);
                    Map<String, List<Double>> losses = new LinkedHashMap<>();
                    losses.put("Train Loss", h.trainLoss());
                    losses.put("Test Loss", h.testLoss());
                    LineChart.write(plots.resolve("train-loss.png"), "Loss (" + train.name() + ")", "Epoch", "Loss", losses, false);
                    Map<String, List<Double>> accuracy = new LinkedHashMap<>();
                    accuracy.put("Train Accuracy", h.trainAccuracy());
                    accuracy.put("Test Accuracy", h.testAccuracy());
                    LineChart.write(plots.resolve("train-accuracy.png"), "Accuracy (" + train.name() + ")", "Epoch", "Accuracy", accuracy, false);
                    ConfusionMatrixPlot.write(plots.resolve("train-confusion-matrix.png"), "Confusion Matrix (test set)",
                            report.confusionMatrix(), names);
                    out.println("wrote plots to " + plots);
                }
                if (json != null) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("data", data);
                    m.put("backend", be.name());
                    m.put("device", be.deviceName());
                    m.put("precision", p.toString());
                    m.put("network", net.describe());
                    m.put("optimizer", opt.describe());
                    m.put("lr", lr);
                    m.put("batch", batch);
                    m.put("train_loss", h.trainLoss());
                    m.put("test_loss", h.testLoss());
                    m.put("train_accuracy_curve", h.trainAccuracy());
                    m.put("test_accuracy_curve", h.testAccuracy());
                    m.put("final_train_loss", h.finalTrainLoss());
                    m.put("test_accuracy", report.accuracy());
                    m.put("confusion_matrix", report.confusionMatrix());
                    m.put("train_seconds", trainSeconds);
                    m.put("total_seconds", (System.nanoTime() - start) / 1e9);
                    WorkshopCommand.writeJson(json, m);
                    out.println("wrote " + json);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e.getMessage(), e);
        }
    }

    /** The train and test sets a --data spec names. */
    static TrainTestSplit.Split load(String spec, long seed, double testFraction) {
        String kind = spec.contains(":") ? spec.substring(0, spec.indexOf(':')) : spec;
        String rest = spec.contains(":") ? spec.substring(spec.indexOf(':') + 1) : "";
        switch (kind) {
            case "xor": {
                Dataset x = Xor.dataset();
                return splitOf(x, x);
            }
            case "moons": {
                String[] a = rest.isEmpty() ? new String[0] : rest.split(":");
                int n = a.length > 0 ? parseInt(a[0], spec) : 1000;
                double noise = a.length > 1 ? parseDouble(a[1], spec) : 0.2;
                return TrainTestSplit.split(Moons.make(n, noise, seed), testFraction, seed, false);
            }
            case "digits": {
                Dataset d = Digits.load();
                TrainTestSplit.Split s = TrainTestSplit.split(d, testFraction, seed, true);
                StandardScaler scaler = StandardScaler.fit(s.train.features());
                return splitOf(s.train.withFeatures(scaler.transform(s.train.features())),
                        s.test.withFeatures(scaler.transform(s.test.features())));
            }
            case "fashion-mnist":
                if (!Files.isDirectory(FASHION_MNIST)) {
                    throw new IllegalArgumentException("--data fashion-mnist reads " + FASHION_MNIST
                            + ", which is not there: install Debian's dataset-fashion-mnist, or use idx:FILES");
                }
                return splitOf(Idx.load(FASHION_MNIST.resolve("train-images-idx3-ubyte.gz"), FASHION_MNIST.resolve("train-labels-idx1-ubyte.gz"),
                                "fashion-mnist train"),
                        Idx.load(FASHION_MNIST.resolve("t10k-images-idx3-ubyte.gz"), FASHION_MNIST.resolve("t10k-labels-idx1-ubyte.gz"),
                                "fashion-mnist test"));
            case "idx": {
                String[] f = rest.split(",");
                if (f.length != 2 && f.length != 4) {
                    throw new IllegalArgumentException("--data idx: takes IMAGES,LABELS or IMAGES,LABELS,TEST_IMAGES,TEST_LABELS, got '" + rest + "'");
                }
                Dataset train = Idx.load(Path.of(f[0]), Path.of(f[1]), "idx train");
                if (f.length == 2) {
                    return TrainTestSplit.split(train, testFraction, seed, false);
                }
                return splitOf(train, Idx.load(Path.of(f[2]), Path.of(f[3]), "idx test"));
            }
            default:
                throw new IllegalArgumentException("unknown --data '" + spec
                        + "': expected xor, moons[:N[:NOISE]], digits, idx:IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS] or fashion-mnist");
        }
    }

    private static TrainTestSplit.Split splitOf(Dataset train, Dataset test) {
        return TrainTestSplit.Split.of(train, test);
    }

    private static int parseInt(String s, String spec) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--data " + spec + ": '" + s + "' is not a whole number");
        }
    }

    private static double parseDouble(String s, String spec) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--data " + spec + ": '" + s + "' is not a number");
        }
    }
}
