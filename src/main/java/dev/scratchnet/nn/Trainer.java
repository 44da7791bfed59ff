package dev.scratchnet.nn;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.IndexBuffer;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Tensor;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.random.NumpyRandom;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/**
 * Trains a {@link Network} by gradient descent, full-batch or in mini-batches, and records a
 * {@link History}. The data go to the device once; per batch the rows are gathered there by
 * index (the shuffled order is the only thing that crosses the bus, once per epoch), and the loss
 * and correct count accumulate on the device, read back once per epoch.
 *
 * <p>Per epoch, as the notebooks do it: for each batch, forward, loss and gradient, backward,
 * update; the epoch's training loss and accuracy are those of the batches before their updates.
 * With a test set, its loss and accuracy are taken after the epoch's updates.
 */
public final class Trainer {
    /** Called once per epoch with that epoch's figures (test figures NaN without a test set). */
    public interface EpochListener {
        void onEpoch(int epoch, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy);
    }

    /** One epoch's figures, for listeners that want all of them. */
    public static final class Epoch {
        /** From 0. */
        public final int epoch;
        public final int epochs;
        public final double trainLoss;
        public final double trainAccuracy;
        /** NaN without a validation set. */
        public final double validationLoss;
        public final double validationAccuracy;
        /** NaN without a test set. */
        public final double testLoss;
        public final double testAccuracy;
        public final double seconds;
        public final double learningRate;
        /** Early stopping: whether this epoch's validation loss is the lowest so far. */
        public final boolean best;

        Epoch(int epoch, int epochs, double trainLoss, double trainAccuracy, double validationLoss, double validationAccuracy,
              double testLoss, double testAccuracy, double seconds, double learningRate, boolean best) {
            this.epoch = epoch;
            this.epochs = epochs;
            this.trainLoss = trainLoss;
            this.trainAccuracy = trainAccuracy;
            this.validationLoss = validationLoss;
            this.validationAccuracy = validationAccuracy;
            this.testLoss = testLoss;
            this.testAccuracy = testAccuracy;
            this.seconds = seconds;
            this.learningRate = learningRate;
            this.best = best;
        }
    }

    /** Called after every batch: a progress display. {@code runningLoss} reads the device (a sync): call it sparingly. */
    public interface BatchListener {
        void onBatch(int epoch, int batchesDone, int batches, long rowsDone, DoubleSupplier runningLoss);
    }

    private final int epochs;
    private final int batchSize;
    private final Loss loss;
    private final Optimizer optimizer;
    private final GradientScaling scaling;
    private final NumpyRandom shuffleRandom;
    private final EpochListener listener;
    private final Consumer<Epoch> report;
    private final BatchListener batchListener;
    private final Schedule schedule;
    private final int patience;
    private final BooleanSupplier stopRequested;
    private final int checkpointEvery;
    private final Consumer<TrainingState> checkpoints;
    private final TrainingState resume;

    private Trainer(Builder b) {
        this.epochs = b.epochs;
        this.batchSize = b.batchSize;
        this.loss = Objects.requireNonNull(b.loss, "loss");
        this.optimizer = Objects.requireNonNull(b.optimizer, "optimizer");
        this.scaling = b.scaling;
        this.shuffleRandom = b.shuffleRandom;
        this.listener = b.listener;
        this.report = b.report;
        this.batchListener = b.batchListener;
        this.schedule = b.schedule;
        this.patience = b.patience;
        this.stopRequested = b.stopRequested;
        this.checkpointEvery = b.checkpointEvery;
        this.checkpoints = b.checkpoints;
        this.resume = b.resume;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private int epochs = 1;
        private int batchSize;
        private Loss loss;
        private Optimizer optimizer;
        private GradientScaling scaling = GradientScaling.MEAN;
        private NumpyRandom shuffleRandom;
        private EpochListener listener;
        private Consumer<Epoch> report;
        private BatchListener batchListener;
        private Schedule schedule;
        private int patience;
        private BooleanSupplier stopRequested;
        private int checkpointEvery = 1;
        private Consumer<TrainingState> checkpoints;
        private TrainingState resume;

        public Builder epochs(int epochs) {
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs " + epochs + ": must be at least 1");
            }
            this.epochs = epochs;
            return this;
        }

        /** Rows per batch; 0 (the default) trains on the whole set at once. */
        public Builder batchSize(int batchSize) {
            if (batchSize < 0) {
                throw new IllegalArgumentException("batch size " + batchSize + ": must be at least 1 (or 0 for the full set)");
            }
            this.batchSize = batchSize;
            return this;
        }

        public Builder loss(Loss loss) {
            this.loss = loss;
            return this;
        }

        public Builder optimizer(Optimizer optimizer) {
            this.optimizer = optimizer;
            return this;
        }

        public Builder gradientScaling(GradientScaling scaling) {
            this.scaling = Objects.requireNonNull(scaling);
            return this;
        }

        /** Shuffles the rows every epoch with {@code np.random.permutation(n)} from this stream. */
        public Builder shuffle(NumpyRandom random) {
            this.shuffleRandom = random;
            return this;
        }

        public Builder listener(EpochListener listener) {
            this.listener = listener;
            return this;
        }

        /** Receives every epoch's figures, validation and timing included. */
        public Builder report(Consumer<Epoch> report) {
            this.report = report;
            return this;
        }

        public Builder batchListener(BatchListener batchListener) {
            this.batchListener = batchListener;
            return this;
        }

        /** Sets the optimizer's learning rate at the start of each epoch (null: constant). */
        public Builder schedule(Schedule schedule) {
            this.schedule = schedule;
            return this;
        }

        /**
         * Early stopping: stop after {@code patience} epochs without a lower validation loss, and
         * end with the weights of the epoch that had the lowest. 0 (the default) turns it off; it
         * needs a validation set.
         */
        public Builder patience(int patience) {
            if (patience < 0) {
                throw new IllegalArgumentException("--patience " + patience + ": must be at least 1 (or 0 for no early stopping)");
            }
            this.patience = patience;
            return this;
        }

        /** Polled after every batch: when true, training stops after that batch (a state goes to the checkpoint sink). */
        public Builder stopWhen(BooleanSupplier stopRequested) {
            this.stopRequested = stopRequested;
            return this;
        }

        /**
         * Gives a {@link TrainingState} to {@code sink} every {@code every} epochs, after the last
         * epoch, when early stopping ends the run, and when a stop request interrupts it.
         */
        public Builder checkpoints(int every, Consumer<TrainingState> sink) {
            if (every < 1) {
                throw new IllegalArgumentException("--checkpoint-every " + every + ": must be at least 1");
            }
            this.checkpointEvery = every;
            this.checkpoints = sink;
            return this;
        }

        /** Continues from {@code state}: its parameters, optimizer state, position and history. */
        public Builder resume(TrainingState state) {
            this.resume = state;
            return this;
        }

        public Trainer build() {
            return new Trainer(this);
        }
    }

    /** Loss and accuracy of a network on a data set. */
    public static final class Metrics {
        public final double loss;
        public final double accuracy;

        Metrics(double loss, double accuracy) {
            this.loss = loss;
            this.accuracy = accuracy;
        }
    }

    /** Trains on {@code train}; evaluates {@code test} (may be null) after every epoch. */
    public History fit(Network net, Dataset train, Dataset test) {
        return fit(net, train, null, test);
    }

    /**
     * Trains on {@code train}; after every epoch evaluates {@code validation} (may be null; early
     * stopping watches its loss) and {@code test} (may be null).
     */
    public History fit(Network net, Dataset train, Dataset validation, Dataset test) {
        net.requireCompatible(loss);
        requireFits(net, train);
        if (test != null) {
            requireFits(net, test);
        }
        if (validation != null) {
            requireFits(net, validation);
        }
        if (patience > 0 && validation == null) {
            throw new IllegalArgumentException("early stopping (--patience) needs a validation set: give --validation-fraction");
        }
        Backend be = net.backend();
        Precision p = net.precision();
        int n = train.size();
        int outputs = net.outputs();
        int bs = batchSize <= 0 || batchSize >= n ? n : batchSize;
        int batches = (n + bs - 1) / bs;
        boolean gather = shuffleRandom != null || batches > 1;
        int testRows = test == null ? 0 : test.size();
        int validationRows = validation == null ? 0 : validation.size();
        boolean early = patience > 0;
        History history = resume == null ? new History() : resume.history.copy();
        List<Tensor> best = new ArrayList<>();
        try (Tensor x = be.upload(train.features(), p);
             Tensor y = be.upload(train.targets(outputs), p);
             Tensor xb = gather ? be.zeros(bs, x.cols(), p) : null;
             Tensor yb = gather ? be.zeros(bs, outputs, p) : null;
             IndexBuffer order = gather ? be.indices(n) : null;
             Tensor xt = test == null ? null : be.upload(test.features(), p);
             Tensor yt = test == null ? null : be.upload(test.targets(outputs), p);
             Tensor xv = validation == null ? null : be.upload(validation.features(), p);
             Tensor yv = validation == null ? null : be.upload(validation.targets(outputs), p);
             Tensor rowLoss = be.zeros(Math.max(bs, Math.max(testRows, validationRows)), 1, p);
             Tensor acc = be.zeros(1, 6, p)) {
            net.reserve(Math.max(bs, Math.max(testRows, validationRows)));
            if (early) {
                for (Dense d : net.layers()) {
                    best.add(be.zeros(d.inputs(), d.outputs(), p));
                    best.add(be.zeros(1, d.outputs(), p));
                }
            }
            if (gather && shuffleRandom == null) {
                int[] identity = new int[n];
                for (int i = 0; i < n; i++) {
                    identity[i] = i;
                }
                be.copyIn(identity, order);
            }
            int startEpoch = 0, startBatch = 0, waited = 0;
            double bestLoss = Double.POSITIVE_INFINITY;
            if (resume != null) {
                net.setParameters(resume.weights, resume.biases);
                optimizer.importState(net, resume.optimizerState, resume.optimizerSteps);
                startEpoch = resume.epoch;
                startBatch = resume.batch;
                if (shuffleRandom != null && resume.shuffle != null) {
                    shuffleRandom.restore(resume.shuffle);
                }
                bestLoss = resume.bestValidationLoss;
                waited = resume.epochsWithoutImprovement;
                if (early && resume.bestWeights != null) {
                    for (int l = 0; l < net.layers().size(); l++) {
                        be.copyIn(resume.bestWeights.get(l), best.get(2 * l));
                        be.copyIn(resume.bestBiases.get(l), best.get(2 * l + 1));
                    }
                }
            }
            double[] host = new double[6];
            long start = System.nanoTime();
            double secondsBefore = history.trainSeconds();
            boolean stopped = false;
            for (int epoch = startEpoch; epoch < epochs && !history.stoppedEarly(); epoch++) {
                long epochStart = System.nanoTime();
                double rate = schedule == null ? optimizer.learningRate() : schedule.rate(optimizer.baseLearningRate(), epoch, epochs);
                optimizer.setLearningRate(rate);
                be.fill(acc, 0.0);
                NumpyRandom.State before = shuffleRandom == null ? null : shuffleRandom.state();
                if (shuffleRandom != null) {
                    be.copyIn(shuffleRandom.permutation(n), order);
                }
                int firstBatch = 0;
                if (epoch == startEpoch && startBatch > 0) {
                    firstBatch = startBatch;
                    be.copyIn(new Matrix(1, 6, new double[] {resume.accumulators[0], resume.accumulators[1], 0, 0, 0, 0}), acc);
                }
                for (int b = firstBatch; b < batches; b++) {
                    int first = b * bs;
                    int rows = Math.min(bs, n - first);
                    Tensor xin = x, yin = y;
                    if (gather) {
                        xin = xb.topRows(rows);
                        yin = yb.topRows(rows);
                        be.gatherRows(x, order, first, xin);
                        be.gatherRows(y, order, first, yin);
                    }
                    step(net, xin, yin, rowLoss.topRows(rows), acc);
                    long done = (long) first + rows;
                    if (batchListener != null) {
                        batchListener.onBatch(epoch, b + 1, batches, done, () -> {
                            double[] h = new double[6];
                            be.download(acc, h);
                            return h[0] / loss.kind().normalizer((int) done, outputs);
                        });
                    }
                    if (b + 1 < batches && stopRequested != null && stopRequested.getAsBoolean()) {
                        be.download(acc, host);
                        history.setInterrupted(true);
                        history.setTrainSeconds(secondsBefore + (System.nanoTime() - start) / 1e9);
                        if (checkpoints != null) {
                            checkpoints.accept(snapshot(net, epoch, b + 1, before, new double[] {host[0], host[1]}, history,
                                    bestLoss, waited, best));
                        }
                        return history;
                    }
                }
                if (test != null) {
                    accumulate(net, loss, xt, yt, rowLoss.topRows(testRows), acc, 2, 3);
                }
                if (validation != null) {
                    accumulate(net, loss, xv, yv, rowLoss.topRows(validationRows), acc, 4, 5);
                }
                be.download(acc, host);
                double trainLoss = host[0] / loss.kind().normalizer(n, outputs);
                double trainAccuracy = host[1] / n;
                double testLoss = test == null ? Double.NaN : host[2] / loss.kind().normalizer(testRows, outputs);
                double testAccuracy = test == null ? Double.NaN : host[3] / testRows;
                double validationLoss = validation == null ? Double.NaN : host[4] / loss.kind().normalizer(validationRows, outputs);
                double validationAccuracy = validation == null ? Double.NaN : host[5] / validationRows;
                if (!Double.isFinite(trainLoss)) {
                    throw new TrainingDivergedException("the training loss became " + trainLoss + " at epoch " + (epoch + 1)
                            + " (learning rate " + optimizer.learningRate() + ", " + p + "): lower the learning rate");
                }
                boolean improved = false;
                if (early) {
                    if (validationLoss < bestLoss) {
                        bestLoss = validationLoss;
                        waited = 0;
                        improved = true;
                        history.setBestEpoch(epoch);
                        for (int l = 0; l < net.layers().size(); l++) {
                            be.copy(net.layers().get(l).weights(), best.get(2 * l));
                            be.copy(net.layers().get(l).bias(), best.get(2 * l + 1));
                        }
                    } else {
                        waited++;
                    }
                }
                double seconds = (System.nanoTime() - epochStart) / 1e9;
                history.add(trainLoss, trainAccuracy, validationLoss, validationAccuracy, testLoss, testAccuracy, seconds, rate);
                history.setTrainSeconds(secondsBefore + (System.nanoTime() - start) / 1e9);
                if (listener != null) {
                    listener.onEpoch(epoch, trainLoss, trainAccuracy, testLoss, testAccuracy);
                }
                if (report != null) {
                    report.accept(new Epoch(epoch, epochs, trainLoss, trainAccuracy, validationLoss, validationAccuracy, testLoss,
                            testAccuracy, seconds, rate, improved));
                }
                boolean stopEarly = early && waited >= patience && epoch + 1 < epochs;
                stopped = stopRequested != null && stopRequested.getAsBoolean() && epoch + 1 < epochs;
                if (stopEarly) {
                    history.setStoppedEarly(true);
                }
                if (stopped) {
                    history.setInterrupted(true);
                }
                boolean due = (epoch + 1) % checkpointEvery == 0 || epoch + 1 == epochs || stopEarly || stopped;
                if (checkpoints != null && due) {
                    checkpoints.accept(snapshot(net, epoch + 1, 0, shuffleRandom == null ? null : shuffleRandom.state(), null,
                            history, bestLoss, waited, best));
                }
                if (stopped) {
                    break;
                }
            }
            if (early && !stopped && history.bestEpoch() >= 0) {
                for (int l = 0; l < net.layers().size(); l++) {
                    be.copy(best.get(2 * l), net.layers().get(l).weights());
                    be.copy(best.get(2 * l + 1), net.layers().get(l).bias());
                }
            }
            history.setTrainSeconds(secondsBefore + (System.nanoTime() - start) / 1e9);
        } finally {
            best.forEach(Tensor::close);
        }
        return history;
    }

    private TrainingState snapshot(Network net, int epoch, int batch, NumpyRandom.State shuffle, double[] accumulators,
                                   History history, double bestLoss, int waited, List<Tensor> best) {
        Backend be = net.backend();
        List<Matrix> bestWeights = null, bestBiases = null;
        if (!best.isEmpty() && history.bestEpoch() >= 0) {
            bestWeights = new ArrayList<>();
            bestBiases = new ArrayList<>();
            for (int l = 0; l < best.size() / 2; l++) {
                bestWeights.add(be.download(best.get(2 * l)));
                bestBiases.add(be.download(best.get(2 * l + 1)));
            }
        }
        return new TrainingState(epoch, batch, shuffle, accumulators, history.copy(), net.weights(), net.biases(),
                optimizer.steps(), optimizer.exportState(net), bestLoss, waited, bestWeights, bestBiases);
    }

    /** One batch: forward, loss and gradient, backward, update; loss and correct count into acc. */
    private void step(Network net, Tensor x, Tensor y, Tensor rowLoss, Tensor acc) {
        Backend be = net.backend();
        int rows = x.rows();
        double norm = loss.kind().normalizer(rows, net.outputs());
        Tensor out = net.forward(x);
        be.lossAndGradient(loss.kind(), loss.epsilon(), out, y, scaling.lossGradientScale(norm),
                net.outputGradient(rows), rowLoss);
        be.sumInto(rowLoss, 1.0, acc, 0);
        be.countCorrect(out, y, acc, 1);
        net.backward(x, loss.kind().gradientIsPreActivation(), scaling.parameterScale(norm));
        optimizer.step(net);
    }

    /** Forward and loss on (x, y) without training: summed row losses into lossSlot, correct count into countSlot. */
    private static void accumulate(Network net, Loss loss, Tensor x, Tensor y, Tensor rowLoss, Tensor acc, int lossSlot,
                                   int countSlot) {
        Backend be = net.backend();
        Tensor out = net.forward(x);
        be.lossAndGradient(loss.kind(), loss.epsilon(), out, y, 1.0, net.outputGradient(x.rows()), rowLoss);
        be.sumInto(rowLoss, 1.0, acc, lossSlot);
        be.countCorrect(out, y, acc, countSlot);
    }

    /** The loss (as the notebook reports it) and accuracy of {@code net} on {@code data}. */
    public static Metrics evaluate(Network net, Dataset data, Loss loss) {
        requireFits(net, data);
        Backend be = net.backend();
        Precision p = net.precision();
        int outputs = net.outputs();
        try (Tensor x = be.upload(data.features(), p);
             Tensor y = be.upload(data.targets(outputs), p);
             Tensor rowLoss = be.zeros(data.size(), 1, p);
             Tensor acc = be.zeros(1, 2, p)) {
            accumulate(net, loss, x, y, rowLoss, acc, 0, 1);
            double[] host = new double[2];
            be.download(acc, host);
            return new Metrics(host[0] / loss.kind().normalizer(data.size(), outputs), host[1] / data.size());
        }
    }

    private static void requireFits(Network net, Dataset data) {
        if (data.featureCount() != net.inputs()) {
            throw new IllegalArgumentException(data.name() + " has " + data.featureCount()
                    + " features, the network expects " + net.inputs());
        }
        if (net.outputs() > 1 && data.classes() > net.outputs()) {
            throw new IllegalArgumentException(data.name() + " has " + data.classes() + " classes, the network has "
                    + net.outputs() + " outputs");
        }
        if (net.outputs() == 1 && data.classes() > 2) {
            throw new IllegalArgumentException(data.name() + " has " + data.classes()
                    + " classes: a network with one output can only tell two apart");
        }
    }
}
