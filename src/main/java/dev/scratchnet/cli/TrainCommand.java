package dev.scratchnet.cli;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Backends;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.data.Digits;
import dev.scratchnet.data.Idx;
import dev.scratchnet.data.Moons;
import dev.scratchnet.data.TrainTestSplit;
import dev.scratchnet.data.Xor;
import dev.scratchnet.io.AtomicFile;
import dev.scratchnet.io.Checkpoint;
import dev.scratchnet.io.ModelFile;
import dev.scratchnet.io.SavedModel;
import dev.scratchnet.nn.Activation;
import dev.scratchnet.nn.History;
import dev.scratchnet.nn.Initializer;
import dev.scratchnet.nn.Loss;
import dev.scratchnet.nn.Network;
import dev.scratchnet.nn.Optimizer;
import dev.scratchnet.nn.Schedule;
import dev.scratchnet.nn.Trainer;
import dev.scratchnet.random.NumpyRandom;
import dev.scratchnet.report.ClassificationReport;
import dev.scratchnet.report.ConfusionMatrixPlot;
import dev.scratchnet.report.LineChart;
import dev.scratchnet.report.PlotDirectory;
import dev.scratchnet.report.PythonFormat;
import com.google.gson.JsonObject;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code scratchnet train}: an MLP on a data set of the user's choosing. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a fully connected network (softmax output, cross-entropy) on a data set.",
                "Data: xor, moons[:N[:NOISE]], digits (10 classes), idx:TRAIN_IMAGES,TRAIN_LABELS[,TEST_IMAGES,TEST_LABELS],",
                "fashion-mnist (Debian's dataset-fashion-mnist package).",
                "Ctrl-C or SIGTERM stops after the current batch, writes a checkpoint when --checkpoint is set,",
                "and exits with status 130 or 143."})
final class TrainCommand implements Callable<Integer> {
    static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    @Option(names = "--data", paramLabel = "SPEC", description = "The data set (see above); required unless --resume.")
    String data;

    @Option(names = "--hidden", split = ",", defaultValue = "64", paramLabel = "W[,W...]", description = "Hidden layer widths (default: ${DEFAULT-VALUE}).")
    int[] hidden;

    @Option(names = "--activation", defaultValue = "relu", description = "Hidden activation: relu, sigmoid, tanh, leaky_relu[:SLOPE], identity (default: ${DEFAULT-VALUE}).")
    String activation;

    @Option(names = "--optimizer", defaultValue = "adam", description = "sgd, momentum[:MU], rmsprop[:RHO] or adam (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--lr", defaultValue = "0.001", description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--schedule", defaultValue = "constant", paramLabel = "SPEC",
            description = "Learning rate per epoch: constant, step:EVERY:GAMMA (times GAMMA every EVERY epochs) or "
                    + "cosine[:WARMUP_EPOCHS] (linear warm-up, then a half cosine to 0) (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--weight-decay", defaultValue = "0", paramLabel = "L",
            description = "Decoupled weight decay on the weight matrices: W *= 1 - lr*L before each update. With adam this is AdamW; "
                    + "with sgd it equals L2 regularisation (L/2*|W|^2 in the loss); with momentum and rmsprop it is the "
                    + "decoupled form (SGDW), not L2 through the velocity (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--batch", defaultValue = "128", description = "Rows per batch; 0 for the whole set (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--epochs", defaultValue = "10", description = "Epochs (default: ${DEFAULT-VALUE}; with --resume, the total to reach).")
    int epochs;

    @Option(names = "--init", defaultValue = "he", description = "Weights: he, xavier, fan-in, normal:STD (default: ${DEFAULT-VALUE}).")
    String init;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the weights and the shuffles (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--test-fraction", defaultValue = "0.2", description = "Held out for testing where the data has no test set (default: ${DEFAULT-VALUE}).")
    double testFraction;

    @Option(names = "--validation-fraction", defaultValue = "0", paramLabel = "F",
            description = "Held out of the training rows for validation, apart from the test set (default: ${DEFAULT-VALUE}: none).")
    double validationFraction;

    @Option(names = "--patience", defaultValue = "0", paramLabel = "N",
            description = "Early stopping: stop after N epochs without a lower validation loss and keep the weights of the best "
                    + "epoch (needs --validation-fraction; default: ${DEFAULT-VALUE}: off).")
    int patience;

    @Option(names = "--precision", defaultValue = "fp32", description = "fp32 or fp64 (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--model", paramLabel = "FILE", description = "Start from the weights of a saved model (.safetensors or .npz) "
            + "instead of drawing new ones; its architecture and input normalisation are used.")
    Path model;

    @Option(names = "--save", paramLabel = "FILE", description = "Write the trained network to FILE.safetensors or FILE.npz "
            + "(repeat for both; docs/FORMATS.md).")
    List<Path> save = new ArrayList<>();

    @Option(names = "--checkpoint", paramLabel = "DIR", description = "Write checkpoints (weights, optimizer state, shuffle state, "
            + "history) to DIR.")
    Path checkpoint;

    @Option(names = "--checkpoint-every", defaultValue = "1", paramLabel = "N", description = "Epochs between checkpoints; "
            + "one is also written after the last epoch and on Ctrl-C (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--keep", defaultValue = "3", paramLabel = "K", description = "Checkpoints kept in DIR, newest first (default: ${DEFAULT-VALUE}).")
    int keep;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue from the newest checkpoint in DIR (or a checkpoint "
            + "file), with its settings; --epochs may raise the total.")
    Path resume;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the history and results as JSON.")
    Path json;

    @Option(names = "--plots", paramLabel = "DIR", description = "Write loss, accuracy and confusion-matrix PNGs.")
    Path plots;

    @Mixin
    BackendOptionsMixin backend;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Checkpoint.Loaded resumed = resume == null ? null : Checkpoint.readLatest(resume, err::println);
        if (resumed != null) {
            TrainOptions.apply(this, resumed.options, spec.commandLine().getParseResult());
            if (checkpoint == null) {
                checkpoint = resume.toFile().isDirectory() ? resume : resume.toAbsolutePath().getParent();
            }
        }
        if (data == null) {
            throw new IllegalArgumentException("--data is required (or --resume DIR)");
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("--epochs " + epochs + ": must be at least 1");
        }
        if (checkpointEvery < 1) {
            throw new IllegalArgumentException("--checkpoint-every " + checkpointEvery + ": must be at least 1");
        }
        if (keep < 1) {
            throw new IllegalArgumentException("--keep " + keep + ": must be at least 1");
        }
        if (patience < 0) {
            throw new IllegalArgumentException("--patience " + patience + ": must be at least 1 (or 0 for no early stopping)");
        }
        if (patience > 0 && validationFraction == 0) {
            throw new IllegalArgumentException("--patience needs a validation set: give --validation-fraction (0.1, say)");
        }
        for (Path f : save) {
            ModelFile.formatOf(f, "--save");
            AtomicFile.checkWritable(f, "--save");
        }
        if (checkpoint != null && Files.exists(checkpoint) && !Files.isDirectory(checkpoint)) {
            throw new IllegalArgumentException("--checkpoint " + checkpoint + " is a file: name a directory");
        }
        Schedule sched = Schedule.parse(schedule);
        Activation act = Activation.parse(activation);
        Initializer initializer = Initializer.parse(init);
        SavedModel start = resumed != null ? resumed.model : model == null ? null : ModelFile.read(model, err::println);
        Precision p = start != null && !spec.commandLine().getParseResult().hasMatchedOption("--precision") && resumed == null
                ? start.precision : Precision.parse(precision);
        if (resumed != null && resumed.model.precision != p) {
            throw new IllegalArgumentException("--precision " + p + " differs from the checkpoint's " + resumed.model.precision);
        }
        if (resumed != null && resumed.state.finished(epochs)) {
            throw new IllegalArgumentException(resumed.file + " is the end of a finished run (" + resumed.state.history.epochs()
                    + " epochs" + (resumed.state.history.stoppedEarly() ? ", stopped early" : "") + "): give a larger --epochs to go on");
        }
        TrainData d = TrainData.prepare(data, seed, testFraction, validationFraction, start);
        if (resumed != null && resumed.options.has("data_fingerprint")
                && !resumed.options.get("data_fingerprint").getAsString().equals(d.fingerprint)) {
            throw new IllegalArgumentException("--data " + data + " no longer gives the rows the checkpoint was trained on (fingerprint "
                    + d.fingerprint + ", the checkpoint's " + resumed.options.get("data_fingerprint").getAsString() + ")");
        }
        Dataset train = d.train, test = d.test;
        out.printf("data: %s (%d rows)%s and %s (%d rows), %d features, %d classes%n", train.name(), train.size(),
                d.validation == null ? "" : ", " + d.validation.name() + " (" + d.validation.size() + " rows)", test.name(),
                test.size(), train.featureCount(), train.classes());
        Backends.Selection s = backend.select(out);
        try (Backend be = s.backend) {
            long startNanos = System.nanoTime();
            try (Network net = start != null ? buildFrom(start, be, p) : newNetwork(be, p, train, act, initializer);
                 Optimizer opt = Optimizer.parse(optimizer, lr).weightDecay(weightDecay)) {
                out.printf("network: %s, %d parameters, %s, lr %s%s%s, batch %s, %s%n", net.describe(), net.parameterCount(),
                        opt.describe(), lr, sched.describe().equals("constant") ? "" : " (" + sched.describe() + ")",
                        weightDecay == 0 ? "" : ", weight decay " + weightDecay, batch == 0 ? "all" : Integer.toString(batch), p);
                if (resumed != null) {
                    out.printf("resuming from %s: %d of %d epochs done%s%n", resumed.file, resumed.state.epoch, epochs,
                            resumed.state.batch == 0 ? "" : " and " + resumed.state.batch + " batches of the next");
                }
                Loss loss = start != null ? start.loss : Loss.softmaxCrossEntropy(1e-8);
                SavedModel template = SavedModel.of(net, loss, d.mean, d.scale, d.classNames, info(d));
                JsonObject options = TrainOptions.of(this, d.fingerprint);
                Path[] lastCheckpoint = {null};
                ProgressLine progress = ProgressLine.forStdout(out, epochs);
                Trainer.Builder tb = Trainer.builder().loss(loss).optimizer(opt).epochs(epochs).batchSize(batch)
                        .shuffle(new NumpyRandom(seed + 1)).schedule(sched).patience(patience)
                        .report(e -> {
                            if (progress != null) {
                                progress.clear();
                            }
                            out.println(epochLine(e));
                            out.flush();
                        });
                if (progress != null) {
                    tb.batchListener(progress);
                }
                if (checkpoint != null) {
                    tb.checkpoints(checkpointEvery, state -> lastCheckpoint[0] = Checkpoint.write(checkpoint, state, template, options, keep));
                }
                if (resumed != null) {
                    tb.resume(resumed.state);
                }
                History h;
                Interrupts interrupts = Interrupts.install();
                try {
                    h = tb.stopWhen(interrupts::requested).build().fit(net, train, d.validation, test);
                } finally {
                    interrupts.close();
                }
                if (progress != null) {
                    progress.clear();
                }
                if (h.interrupted()) {
                    out.printf("stopped by %s after %d epochs%s%n", interrupts.signalName(), h.epochs(),
                            lastCheckpoint[0] == null ? "" : " (checkpoint " + lastCheckpoint[0].getFileName() + ")");
                    if (lastCheckpoint[0] != null) {
                        out.println("to continue: scratchnet train --resume " + checkpoint);
                    } else {
                        out.println("no --checkpoint was given, so nothing was saved");
                    }
                    out.flush();
                    return interrupts.exitStatus();
                }
                if (h.stoppedEarly()) {
                    out.printf("early stopping: no lower validation loss in %d epochs; keeping the weights of epoch %d "
                            + "(validation loss %s)%n", patience, h.bestEpoch() + 1, PythonFormat.fixed(h.validationLoss().get(h.bestEpoch()), 4));
                } else if (h.bestEpoch() >= 0 && h.bestEpoch() != h.epochs() - 1) {
                    out.printf("keeping the weights of epoch %d, the lowest validation loss (%s)%n", h.bestEpoch() + 1,
                            PythonFormat.fixed(h.validationLoss().get(h.bestEpoch()), 4));
                }
                report(out, be, p, net, opt, sched, loss, d, h, startNanos);
            }
        }
        return 0;
    }

    private void report(PrintWriter out, Backend be, Precision p, Network net, Optimizer opt, Schedule sched, Loss loss, TrainData d,
                        History h, long startNanos) {
        Dataset train = d.train, test = d.test;
        int[] predicted = net.predictLabels(test.features());
        String[] names = d.classNames;
        ClassificationReport report = new ClassificationReport(test.labels(), predicted, names);
        out.printf("test accuracy %s; training took %.2f s (%.1f ms per epoch)%n", PythonFormat.fixed(report.accuracy(), 4),
                h.trainSeconds(), 1e3 * h.trainSeconds() / h.epochs());
        out.println("confusion matrix (rows: true class, columns: predicted):");
        out.println(PythonFormat.matrix(report.confusionMatrix()));
        for (Path f : save) {
            ModelFile.write(f, SavedModel.of(net, loss, d.mean, d.scale, names, info(d)));
            out.println("wrote " + f);
        }
        if (plots != null) {
            PlotDirectory dir = new PlotDirectory(plots);
            Map<String, List<Double>> losses = new LinkedHashMap<>();
            losses.put("Train Loss", h.trainLoss());
            if (!h.validationLoss().isEmpty()) {
                losses.put("Validation Loss", h.validationLoss());
            }
            losses.put("Test Loss", h.testLoss());
            dir.write("train-loss.png", LineChart.of("Loss (" + train.name() + ")", "Epoch", "Loss", losses, false));
            Map<String, List<Double>> accuracy = new LinkedHashMap<>();
            accuracy.put("Train Accuracy", h.trainAccuracy());
            if (!h.validationAccuracy().isEmpty()) {
                accuracy.put("Validation Accuracy", h.validationAccuracy());
            }
            accuracy.put("Test Accuracy", h.testAccuracy());
            dir.write("train-accuracy.png", LineChart.of("Accuracy (" + train.name() + ")", "Epoch", "Accuracy", accuracy, false));
            dir.write("train-confusion-matrix.png", ConfusionMatrixPlot.of("Confusion Matrix (test set)", report.confusionMatrix(), names));
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
            m.put("schedule", sched.describe());
            m.put("weight_decay", weightDecay);
            m.put("batch", batch);
            m.put("train_loss", h.trainLoss());
            if (!h.validationLoss().isEmpty()) {
                m.put("validation_loss", h.validationLoss());
                m.put("validation_accuracy_curve", h.validationAccuracy());
            }
            m.put("test_loss", h.testLoss());
            m.put("train_accuracy_curve", h.trainAccuracy());
            m.put("test_accuracy_curve", h.testAccuracy());
            m.put("learning_rate", h.learningRate());
            m.put("final_train_loss", h.finalTrainLoss());
            if (patience > 0) {
                m.put("best_epoch", h.bestEpoch() + 1);
                m.put("stopped_early", h.stoppedEarly());
            }
            m.put("test_accuracy", report.accuracy());
            m.put("confusion_matrix", report.confusionMatrix());
            m.put("epoch_seconds", h.epochSeconds());
            m.put("train_seconds", h.trainSeconds());
            m.put("total_seconds", (System.nanoTime() - startNanos) / 1e9);
            WorkshopCommand.writeJson(json, m);
            out.println("wrote " + json);
        }
    }

    private Network newNetwork(Backend be, Precision p, Dataset train, Activation act, Initializer initializer) {
        Network.Builder b = Network.builder(be, p, train.featureCount());
        for (int h : hidden) {
            b.dense(h, act);
        }
        return b.dense(train.classes(), Activation.softmax()).build(initializer, new NumpyRandom(seed));
    }

    /** A saved model's network; --hidden and --activation, when given, must agree with it. */
    private Network buildFrom(SavedModel m, Backend be, Precision p) {
        CommandLine.ParseResult pr = spec.commandLine().getParseResult();
        int[] widths = java.util.Arrays.copyOfRange(m.layerSizes, 1, m.layerSizes.length - 1);
        if (pr.hasMatchedOption("--hidden") && !java.util.Arrays.equals(widths, hidden)) {
            throw new IllegalArgumentException("--hidden " + java.util.Arrays.toString(hidden) + " differs from the model's "
                    + java.util.Arrays.toString(widths) + " (" + m.describe() + ")");
        }
        if (pr.hasMatchedOption("--activation") && m.activations.size() > 1
                && !m.activations.get(0).equals(Activation.parse(activation))) {
            throw new IllegalArgumentException("--activation " + activation + " differs from the model's " + m.activations.get(0));
        }
        return m.build(be, p);
    }

    /** What a saved model records about where it came from. */
    private Map<String, String> info(TrainData d) {
        Map<String, String> i = new LinkedHashMap<>();
        i.put("data", data);
        i.put("seed", Long.toString(seed));
        i.put("test_fraction", Double.toString(testFraction));
        i.put("validation_fraction", Double.toString(validationFraction));
        i.put("input_note", data.startsWith("idx") || data.equals("fashion-mnist") ? "pixels read as value/255 before the normalisation"
                : data.equals("digits") ? "pixel values 0..16; mean and scale are a StandardScaler fitted on the training rows" : "");
        i.put("optimizer", optimizer);
        i.put("lr", Double.toString(lr));
        i.put("schedule", schedule);
        i.put("weight_decay", Double.toString(weightDecay));
        i.put("batch", Integer.toString(batch));
        i.put("epochs", Integer.toString(epochs));
        return i;
    }

    /** One line per epoch (never a carriage return). */
    private static String epochLine(Trainer.Epoch e) {
        StringBuilder sb = new StringBuilder(String.format("epoch %" + Integer.toString(e.epochs).length() + "d/%d  loss %s  accuracy %s",
                e.epoch + 1, e.epochs, PythonFormat.fixed(e.trainLoss, 4), PythonFormat.fixed(e.trainAccuracy, 4)));
        if (!Double.isNaN(e.validationLoss)) {
            sb.append("  val loss ").append(PythonFormat.fixed(e.validationLoss, 4)).append("  val accuracy ")
                    .append(PythonFormat.fixed(e.validationAccuracy, 4));
        }
        sb.append("  test loss ").append(PythonFormat.fixed(e.testLoss, 4)).append("  test accuracy ")
                .append(PythonFormat.fixed(e.testAccuracy, 4));
        sb.append(String.format("  (%.2f s)", e.seconds));
        if (e.best) {
            sb.append("  best");
        }
        return sb.toString();
    }

    /** The train and test sets a --data spec names, as read (digits unscaled: see {@link TrainData}). */
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
                // raw pixels: TrainData fits the StandardScaler on the training rows (or takes a model's)
                return TrainTestSplit.split(Digits.load(), testFraction, seed, true);
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
