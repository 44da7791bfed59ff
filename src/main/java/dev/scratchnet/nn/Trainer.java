package dev.scratchnet.nn;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.IndexBuffer;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Tensor;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.random.NumpyRandom;

import java.util.Objects;

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

    private final int epochs;
    private final int batchSize;
    private final Loss loss;
    private final Optimizer optimizer;
    private final GradientScaling scaling;
    private final NumpyRandom shuffleRandom;
    private final EpochListener listener;

    private Trainer(Builder b) {
        this.epochs = b.epochs;
        this.batchSize = b.batchSize;
        this.loss = Objects.requireNonNull(b.loss, "loss");
        this.optimizer = Objects.requireNonNull(b.optimizer, "optimizer");
        this.scaling = b.scaling;
        this.shuffleRandom = b.shuffleRandom;
        this.listener = b.listener;
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
        net.requireCompatible(loss);
        requireFits(net, train);
        if (test != null) {
            requireFits(net, test);
        }
        Backend be = net.backend();
        Precision p = net.precision();
        int n = train.size();
        int outputs = net.outputs();
        int bs = batchSize <= 0 || batchSize >= n ? n : batchSize;
        int batches = (n + bs - 1) / bs;
        boolean gather = shuffleRandom != null || batches > 1;
        int testRows = test == null ? 0 : test.size();
        History history = new History();
        try (Tensor x = be.upload(train.features(), p);
             Tensor y = be.upload(train.targets(outputs), p);
             Tensor xb = gather ? be.zeros(bs, x.cols(), p) : null;
             Tensor yb = gather ? be.zeros(bs, outputs, p) : null;
             IndexBuffer order = gather ? be.indices(n) : null;
             Tensor xt = test == null ? null : be.upload(test.features(), p);
             Tensor yt = test == null ? null : be.upload(test.targets(outputs), p);
             Tensor rowLoss = be.zeros(Math.max(bs, testRows), 1, p);
             Tensor acc = be.zeros(1, 4, p)) {
            net.reserve(Math.max(bs, testRows));
            if (gather && shuffleRandom == null) {
                int[] identity = new int[n];
                for (int i = 0; i < n; i++) {
                    identity[i] = i;
                }
                be.copyIn(identity, order);
            }
            double[] host = new double[4];
            long start = System.nanoTime();
            for (int epoch = 0; epoch < epochs; epoch++) {
                be.fill(acc, 0.0);
                if (shuffleRandom != null) {
                    be.copyIn(shuffleRandom.permutation(n), order);
                }
                for (int b = 0; b < batches; b++) {
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
                }
                if (test != null) {
                    accumulate(net, loss, xt, yt, rowLoss.topRows(testRows), acc, 2, 3);
                }
                be.download(acc, host);
                double trainLoss = host[0] / loss.kind().normalizer(n, outputs);
                double trainAccuracy = host[1] / n;
                double testLoss = test == null ? Double.NaN : host[2] / loss.kind().normalizer(testRows, outputs);
                double testAccuracy = test == null ? Double.NaN : host[3] / testRows;
                if (!Double.isFinite(trainLoss)) {
                    throw new TrainingDivergedException("the training loss became " + trainLoss + " at epoch " + (epoch + 1)
                            + " (learning rate " + optimizer.learningRate() + ", " + p + "): lower the learning rate");
                }
                history.add(trainLoss, trainAccuracy, testLoss, testAccuracy);
                if (listener != null) {
                    listener.onEpoch(epoch, trainLoss, trainAccuracy, testLoss, testAccuracy);
                }
            }
            history.setTrainSeconds((System.nanoTime() - start) / 1e9);
        }
        return history;
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
