package dev.scratchnet.cli;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Backends;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.data.DataSpec;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.data.TrainTestSplit;
import dev.scratchnet.nn.Activation;
import dev.scratchnet.nn.History;
import dev.scratchnet.nn.Initializer;
import dev.scratchnet.nn.Loss;
import dev.scratchnet.nn.Network;
import dev.scratchnet.nn.Optimizer;
import dev.scratchnet.nn.Trainer;
import dev.scratchnet.random.NumpyRandom;
import dev.scratchnet.report.ClassificationReport;
import dev.scratchnet.report.ConfusionMatrixPlot;
import dev.scratchnet.report.LineChart;
import dev.scratchnet.report.PlotDirectory;
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
    static final Path FASHION_MNIST = DataSpec.FASHION_MNIST;
    static final String[] PLOT_FILES = {"train-loss.png", "train-accuracy.png", "train-confusion-matrix.png"};

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

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the weights and the shuffles, 0..4294967295 (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--classes", paramLabel = "N", description = "The number of classes, where the labels do not show it "
            + "(idx data whose labels skip a value, such as 0..9 and 255: default: one more than the largest label, with no gap).")
    Integer classes;

    @Option(names = "--test-fraction", defaultValue = "0.2", description = "Held out for testing where the data has no test set (default: ${DEFAULT-VALUE}).")
    double testFraction;

    @Option(names = "--precision", defaultValue = "fp32", description = "fp32 or fp64 (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the history and results as JSON.")
    Path json;

    @Option(names = "--plots", paramLabel = "DIR", description = "Write loss, accuracy and confusion-matrix PNGs.")
    Path plots;

    @Mixin
    BackendOptionsMixin backend;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        // every option is checked before the data is read or anything is trained
        if (epochs < 1) {
            throw new IllegalArgumentException("--epochs " + epochs + ": must be at least 1");
        }
        if (seed < 0 || seed > 0xffffffffL) {
            throw new IllegalArgumentException("--seed " + seed + ": must be between 0 and 4294967295 (2^32 − 1), as NumPy's");
        }
        if (hidden.length == 0) {
            throw new IllegalArgumentException("--hidden names no widths: give one or more, e.g. --hidden 64 or --hidden 256,128");
        }
        for (int h : hidden) {
            if (h < 1) {
                throw new IllegalArgumentException("--hidden " + h + ": every hidden layer needs at least one unit");
            }
        }
        if (batch < 0) {
            throw new IllegalArgumentException("--batch " + batch + ": must be 0 (the whole set) or more");
        }
        if (!(lr > 0 && Double.isFinite(lr))) {
            throw new IllegalArgumentException("--lr " + lr + ": must be a positive number");
        }
        Precision p = Precision.parse(precision);
        Activation act = Activation.parse(activation);
        Initializer initializer = Initializer.parse(init);
        Optimizer.parse(optimizer, lr).close();   // checks the name and value; the run's own is made below
        DataSpec dataSpec = DataSpec.parse(data);
        OutputChecks.file(json, "--json", dataSpec.inputs());
        OutputChecks.directory(plots, "--plots", dataSpec.inputs(), PLOT_FILES);
        TrainTestSplit.Split split = dataSpec.load(seed, testFraction, classes);
        Dataset train = split.train, test = split.test;
        out.printf("data: %s (%d rows) and %s (%d rows), %d features, %d classes%n", train.name(), train.size(), test.name(),
                test.size(), train.featureCount(), train.classes());
        Backends.Selection s = backend.select(out);
        try (Backend be = s.backend) {
            Network.Builder b = Network.builder(be, p, train.featureCount());
            for (int h : hidden) {
                b.dense(h, act);
            }
            long start = System.nanoTime();
            try (Network net = b.dense(train.classes(), Activation.softmax()).build(initializer, new NumpyRandom(seed));
                 Optimizer opt = Optimizer.parse(optimizer, lr)) {
                requireFiniteStart(net, train);
                out.printf("network: %s, %d parameters, %s, lr %s, batch %s, %s%n", net.describe(), net.parameterCount(),
                        opt.describe(), lr, batch == 0 ? "all" : Integer.toString(batch), p);
                Loss loss = Loss.softmaxCrossEntropy(1e-8);
                long[] epochStart = {System.nanoTime()};
                History h = Trainer.builder().loss(loss).optimizer(opt).epochs(epochs).batchSize(batch)
                        .shuffle(new NumpyRandom(shuffleSeed(seed)))
                        .listener((epoch, trainLoss, trainAcc, testLoss, testAcc) -> {
                            long now = System.nanoTime();
                            out.printf("epoch %" + Integer.toString(epochs).length() + "d/%d  loss %s  accuracy %s  test loss %s"
                                            + "  test accuracy %s  (%.2f s)%n", epoch + 1, epochs, PythonFormat.fixed(trainLoss, 4),
                                    PythonFormat.fixed(trainAcc, 4), PythonFormat.fixed(testLoss, 4), PythonFormat.fixed(testAcc, 4),
                                    (now - epochStart[0]) / 1e9);
                            out.flush();
                            epochStart[0] = now;
                        })
                        .build().fit(net, train, test);
                int[] predicted = net.predictLabels(test.features());
                String[] names = new String[test.classes()];
                for (int c = 0; c < names.length; c++) {
                    names[c] = Integer.toString(c);
                }
                ClassificationReport report = new ClassificationReport(test.labels(), predicted, names);
                out.printf("test accuracy %s; training took %.2f s (%.1f ms per epoch)%n", PythonFormat.fixed(report.accuracy(), 4),
                        h.trainSeconds(), 1e3 * h.trainSeconds() / epochs);
                out.println("confusion matrix (rows: true class, columns: predicted):");
                out.println(PythonFormat.matrix(report.confusionMatrix()));
                if (plots != null) {
                    PlotDirectory dir = new PlotDirectory(plots);
                    Map<String, List<Double>> losses = new LinkedHashMap<>();
                    losses.put("Train Loss", h.trainLoss());
                    losses.put("Test Loss", h.testLoss());
                    dir.write(PLOT_FILES[0], LineChart.of("Loss (" + train.name() + ")", "Epoch", "Loss", losses, false));
                    Map<String, List<Double>> accuracy = new LinkedHashMap<>();
                    accuracy.put("Train Accuracy", h.trainAccuracy());
                    accuracy.put("Test Accuracy", h.testAccuracy());
                    dir.write(PLOT_FILES[1], LineChart.of("Accuracy (" + train.name() + ")", "Epoch", "Accuracy", accuracy, false));
                    dir.write(PLOT_FILES[2], ConfusionMatrixPlot.of("Confusion Matrix (test set)", report.confusionMatrix(), names));
                    dir.printSummary(out);
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
                    m.put("train_seconds", h.trainSeconds());
                    m.put("total_seconds", (System.nanoTime() - start) / 1e9);
                    WorkshopCommand.writeJson(json, m);
                    out.println("wrote " + json);
                }
            }
        }
    }

    /** The train and test sets a --data spec names ({@link DataSpec}). */
    static TrainTestSplit.Split load(String spec, long seed, double testFraction) {
        return DataSpec.parse(spec).load(seed, testFraction, null);
    }

    /**
     * The seed of the shuffle stream: the next seed after the weights', wrapping at 2^32 so that
     * every seed NumPy accepts works (4294967295 shuffles with 0); other seeds are unchanged.
     */
    static long shuffleSeed(long seed) {
        return (seed + 1) & 0xffffffffL;
    }

    /**
     * Refuses to train a network whose outputs are already NaN or infinite on the first rows, before
     * any update: the initial weights (or the data's scale) are at fault, not the learning rate.
     */
    private void requireFiniteStart(Network net, Dataset train) {
        int rows = Math.min(train.size(), 256);
        int[] first = new int[rows];
        for (int i = 0; i < rows; i++) {
            first[i] = i;
        }
        Matrix out = net.predict(train.features().selectRows(first));
        for (double v : out.data()) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("the untrained network's outputs are already " + v + " on the first " + rows
                        + " training rows, before any update: the initial weights (--init " + init
                        + ") are too large for these layers; use a smaller standard deviation, he or xavier");
            }
        }
    }
}
