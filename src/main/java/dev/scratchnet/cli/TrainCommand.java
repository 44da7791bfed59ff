package dev.scratchnet.cli;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Backends;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.data.DataSpec;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.data.TrainTestSplit;
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
import dev.scratchnet.profile.ChromeTrace;
import dev.scratchnet.profile.Profile;
import dev.scratchnet.profile.ProfilingBackend;
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
    static final Path FASHION_MNIST = DataSpec.FASHION_MNIST;
    static final String[] PLOT_FILES = {"train-loss.png", "train-accuracy.png", "train-confusion-matrix.png"};

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

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the weights and the shuffles, 0..4294967295 (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--classes", paramLabel = "N", description = "The number of classes, where the labels do not show it "
            + "(idx data whose labels skip a value, such as 0..9 and 255: default: one more than the largest label, with no gap).")
    Integer classes;

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

    @Option(names = "--bench", description = "Train the same network in a peer too (--bench-peer), one epoch after each of ours, "
            + "and print both speeds in samples/s and their ratio.")
    boolean bench;

    @Option(names = "--bench-peer", paramLabel = "PEER", description = "With --bench: numpy (baselines/numpy_mlp.py, on the CPU) or "
            + "torch (baselines/torch_mlp.py, PyTorch eager, on the GPU with --backend cuda, else on the CPU) "
            + "(default: torch with the cuda backend, numpy otherwise).")
    String benchPeer;

    @Option(names = "--profile", description = "Print each op's share of a training step (device events on OpenCL and CUDA, the wall clock per op on the CPU).")
    boolean profile;

    @Option(names = "--trace", paramLabel = "FILE", description = "Write every op as a Chrome trace-event JSON file (Perfetto, chrome://tracing).")
    Path trace;

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
        Optimizer.parse(optimizer, lr).close();   // checks the name and value; the run's own is made below
        if (checkpointEvery < 1) {
            throw new IllegalArgumentException("--checkpoint-every " + checkpointEvery + ": must be at least 1");
        }
        if (keep < 1) {
            throw new IllegalArgumentException("--keep " + keep + ": must be at least 1");
        }
        if (patience < 0) {
            throw new IllegalArgumentException("--patience " + patience + ": must be at least 1 (or 0 for no early stopping)");
        }
        if (benchPeer != null) {
            if (!bench) {
                throw new IllegalArgumentException("--bench-peer " + benchPeer + " needs --bench");
            }
            TrainBench.Peer.parse(benchPeer);
        }
        if (patience > 0 && validationFraction == 0) {
            throw new IllegalArgumentException("--patience needs a validation set: give --validation-fraction (0.1, say)");
        }
        DataSpec dataSpec = DataSpec.parse(data);
        OutputChecks.file(json, "--json", dataSpec.inputs());
        OutputChecks.directory(plots, "--plots", dataSpec.inputs(), PLOT_FILES);
        OutputChecks.file(trace, "--trace", dataSpec.inputs());
        for (Path f : save) {
            ModelFile.formatOf(f, "--save");
            OutputChecks.file(f, "--save", dataSpec.inputs());
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
        TrainData d = TrainData.prepare(data, seed, testFraction, validationFraction, classes, start);
        if (resumed != null && resumed.options.has("data_fingerprint")
                && !resumed.options.get("data_fingerprint").getAsString().equals(d.fingerprint)) {
            throw new IllegalArgumentException("--data " + data + " no longer gives the rows the checkpoint was trained on (fingerprint "
                    + d.fingerprint + ", the checkpoint's " + resumed.options.get("data_fingerprint").getAsString() + ")");
        }
        Dataset train = d.train, test = d.test;
        out.printf("data: %s (%d rows)%s and %s (%d rows), %d features, %d classes%n", train.name(), train.size(),
                d.validation == null ? "" : ", " + d.validation.name() + " (" + d.validation.size() + " rows)", test.name(),
                test.size(), train.featureCount(), train.classes());
        Backends.Selection s = bench ? backend.select(out) : backend.selectCheckingEditedKernels(out);
        Profile prof = profile || trace != null ? new Profile(trace != null) : null;
        try (Backend be = prof == null ? s.backend : new ProfilingBackend(s.backend, prof)) {
            long startNanos = System.nanoTime();
            try (Network net = start != null ? buildFrom(start, be, p) : newNetwork(be, p, train, act, initializer);
                 Optimizer opt = Optimizer.parse(optimizer, lr).weightDecay(weightDecay);
                 TrainBench peer = bench ? startBench(out, s.backend.name(), train, test, net, opt, p) : null) {
                requireFiniteStart(net, train);
                out.printf("network: %s, %d parameters, %s, lr %s%s%s, batch %s, %s%n", net.describe(), net.parameterCount(),
                        opt.describe(), lr, sched.describe().equals("constant") ? "" : " (" + sched.describe() + ")",
                        weightDecay == 0 ? "" : ", weight decay " + weightDecay, batch == 0 ? "all" : Integer.toString(batch), p);
                if (resumed != null) {
                    out.printf("resuming from %s: %d of %d epochs done%s%n", resumed.file, resumed.state.epoch, epochs,
                            resumed.state.batch == 0 ? "" : " and " + resumed.state.batch + " batches of the next");
                }
                Loss loss = start != null ? start.loss : Loss.softmaxCrossEntropy(1e-8);
                // the model metadata a checkpoint carries (its weights are the state's): only read back when checkpointing
                SavedModel template = checkpoint == null ? null : SavedModel.of(net, loss, d.mean, d.scale, d.classNames, info(d));
                JsonObject options = TrainOptions.of(this, d.fingerprint);
                Path[] lastCheckpoint = {null};
                ProgressLine progress = ProgressLine.forStdout(out, epochs);
                Trainer.Builder tb = Trainer.builder().loss(loss).optimizer(opt).epochs(epochs).batchSize(batch)
                        .shuffle(new NumpyRandom(shuffleSeed(seed))).schedule(sched).patience(patience)
                        .report(e -> {
                            if (progress != null) {
                                progress.clear();
                            }
                            out.println(epochLine(e));
                            out.flush();
                            if (peer != null) {
                                peer.afterOurEpoch(e.epoch + 1, e.epochs, e.seconds, e.learningRate);
                            }
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
                if (prof != null) {
                    prof.stop();
                    int rows = batch <= 0 || batch >= train.size() ? train.size() : batch;
                    prof.addSteps((long) h.epochs() * ((train.size() + rows - 1) / rows));
                    prof.print(out, be.name() + " " + p + ", " + net.describe() + ", batch " + rows
                            + "; per training step, the test pass included");
                    if (trace != null) {
                        ChromeTrace.write(trace, prof, "scratchnet train " + be.name());
                        out.println("wrote " + trace);
                    }
                }
                if (peer != null) {
                    peer.report("scratchnet " + be.name() + " " + p);
                }
                report(out, be, p, net, opt, sched, loss, d, h, startNanos, peer == null ? 0 : peer.secondsSpent());
            }
        }
        return 0;
    }

    /**
     * {@code --bench}: the peer (--bench-peer, else PyTorch beside the CUDA backend and NumPy beside the
     * others) on the same data, network (its hidden widths and activation), batch, optimizer and weight
     * decay; PyTorch on the GPU when the backend is CUDA, else on the CPU.
     */
    private TrainBench startBench(PrintWriter out, String backendName, Dataset train, Dataset test, Network net, Optimizer opt,
                                  Precision p) {
        TrainBench.Peer peer = TrainBench.Peer.choose(benchPeer, backendName);
        // finding a Python with torch imports torch in each candidate: only where PyTorch is the peer
        dev.scratchnet.lab.TorchMlp torch = peer == TrainBench.Peer.TORCH ? new dev.scratchnet.lab.TorchMlp() : null;
        return TrainBench.start(out, peer, torch, backendName.equals("cuda") ? "cuda" : "cpu", train, test,
                hiddenWidths(net), batch, opt.describe(), lr, p, net.activations().get(0).toString(), seed, weightDecay);
    }

    /** {@code benchSeconds}: the time the bench peer's epochs took within the training loop ({@code --bench}), not ours. */
    private void report(PrintWriter out, Backend be, Precision p, Network net, Optimizer opt, Schedule sched, Loss loss, TrainData d,
                        History h, long startNanos, double benchSeconds) {
        double trainSeconds = h.trainSeconds() - benchSeconds;
        Dataset train = d.train, test = d.test;
        int[] predicted = net.predictLabels(test.features());
        String[] names = d.classNames;
        ClassificationReport report = new ClassificationReport(test.labels(), predicted, names);
        out.printf("test accuracy %s; training took %.2f s (%.1f ms per epoch)%n", PythonFormat.fixed(report.accuracy(), 4),
                trainSeconds, 1e3 * trainSeconds / h.epochs());
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
            dir.write(PLOT_FILES[0], LineChart.of("Loss (" + train.name() + ")", "Epoch", "Loss", losses, false));
            Map<String, List<Double>> accuracy = new LinkedHashMap<>();
            accuracy.put("Train Accuracy", h.trainAccuracy());
            if (!h.validationAccuracy().isEmpty()) {
                accuracy.put("Validation Accuracy", h.validationAccuracy());
            }
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
            m.put("train_seconds", trainSeconds);
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
    /** The hidden layers' widths of {@code net}: all but the output layer's. */
    private static int[] hiddenWidths(Network net) {
        int[] w = new int[net.layers().size() - 1];
        for (int l = 0; l < w.length; l++) {
            w[l] = net.layers().get(l).outputs();
        }
        return w;
    }

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

    /** The train and test sets a --data spec names ({@link DataSpec}), as read: digits unscaled (see {@link TrainData}). */
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
