package dev.scratchnet.nn;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.BackendOptions;
import dev.scratchnet.backend.Backends;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.data.Digits;
import dev.scratchnet.data.StandardScaler;
import dev.scratchnet.data.TrainTestSplit;
import dev.scratchnet.random.NumpyRandom;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * A training run whose every figure is printed as its bits, for {@link SameSeedSameResultTest} to
 * run in fresh JVMs under different JIT settings and compare. Digits (64 features) through a
 * 64-256-128-10 network at batch 64, shuffled, so the products are large enough to be split
 * between threads, the hidden layers use exp (sigmoid) and tanh and the output softmax, and the
 * optimizers cover Adam's square roots.
 *
 * <p>Usage: {@code TrainingReplay BACKEND EPOCHS}. Prints, per case and epoch, the train and test
 * loss and accuracy as hexadecimal bits, then a SHA-256 of every final weight's bits.
 */
public final class TrainingReplay {
    /** precision, hidden activation, optimizer. */
    static final List<String[]> CASES = List.of(
            new String[] {"fp32", "sigmoid", "sgd"},
            new String[] {"fp64", "tanh", "adam"},
            new String[] {"fp32", "tanh", "adam"},
            new String[] {"fp64", "sigmoid", "sgd"});

    private TrainingReplay() {
    }

    public static void main(String[] args) throws Exception {
        String backendName = args[0];
        int epochs = Integer.parseInt(args[1]);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Dataset digits = Digits.load();
        TrainTestSplit.Split s = TrainTestSplit.split(digits, 0.2, 42, true);
        StandardScaler scaler = StandardScaler.fit(s.train.features());
        Dataset train = s.train.withFeatures(scaler.transform(s.train.features()));
        Dataset test = s.test.withFeatures(scaler.transform(s.test.features()));
        try (Backend be = Backends.create(backendName, BackendOptions.defaults())) {
            for (String[] c : CASES) {
                Precision p = Precision.parse(c[0]);
                if (!be.supports(p)) {
                    out.println(String.join(" ", c) + " unsupported");
                    continue;
                }
                Activation act = Activation.parse(c[1]);
                try (Network net = Network.builder(be, p, train.featureCount()).dense(256, act).dense(128, act)
                        .dense(10, Activation.softmax()).build(Initializer.xavier(), new NumpyRandom(7));
                     Optimizer opt = Optimizer.parse(c[2], c[2].equals("sgd") ? 0.1 : 0.001)) {
                    String label = String.join(" ", c);
                    Trainer.builder().loss(Loss.softmaxCrossEntropy(1e-8)).optimizer(opt).epochs(epochs).batchSize(64)
                            .shuffle(new NumpyRandom(8))
                            .listener((epoch, trainLoss, trainAcc, testLoss, testAcc) -> out.println(label + " epoch " + epoch
                                    + " " + bits(trainLoss) + " " + bits(trainAcc) + " " + bits(testLoss) + " " + bits(testAcc)))
                            .build().fit(net, train, test);
                    out.println(label + " weights " + digest(net.weights()));
                }
            }
        }
    }

    private static String bits(double v) {
        return Long.toHexString(Double.doubleToRawLongBits(v));
    }

    private static String digest(List<Matrix> weights) throws NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (Matrix w : weights) {
            for (double v : w.data()) {
                long b = Double.doubleToRawLongBits(v);
                for (int i = 0; i < 8; i++) {
                    md.update((byte) (b >>> (8 * i)));
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        for (byte x : md.digest()) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }
}
