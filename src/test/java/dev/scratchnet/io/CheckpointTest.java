package dev.scratchnet.io;

import com.google.gson.JsonObject;
import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.data.Moons;
import dev.scratchnet.nn.Activation;
import dev.scratchnet.nn.History;
import dev.scratchnet.nn.Initializer;
import dev.scratchnet.nn.Loss;
import dev.scratchnet.nn.Network;
import dev.scratchnet.nn.Optimizer;
import dev.scratchnet.nn.Schedule;
import dev.scratchnet.nn.Trainer;
import dev.scratchnet.nn.TrainingState;
import dev.scratchnet.random.NumpyRandom;
import dev.scratchnet.testing.TestBackends;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run stopped between two batches of an epoch, written to a checkpoint file, read back and
 * resumed in a fresh network, optimizer and shuffle stream, ends bit for bit where the
 * uninterrupted run ends: every optimizer, with a schedule, weight decay, a validation set and
 * early stopping, on every backend and in both precisions.
 */
class CheckpointTest {
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String backend : TestBackends.NAMES) {
            for (Precision p : Precision.values()) {
                for (String opt : new String[] {"sgd", "momentum:0.9", "rmsprop:0.9", "adam"}) {
                    out.add(Arguments.of(backend, p, opt));
                }
            }
        }
        return out.stream();
    }

    static final Dataset TRAIN = Moons.make(200, 0.2, 11), VALIDATION = Moons.make(60, 0.2, 12), TEST = Moons.make(80, 0.2, 13);

    static Trainer.Builder trainer(Optimizer opt) {
        return Trainer.builder().loss(Loss.softmaxCrossEntropy(1e-8)).optimizer(opt).epochs(7).batchSize(32)
                .schedule(Schedule.cosine(2)).patience(50).shuffle(new NumpyRandom(21));
    }

    static Network network(Backend be, Precision p, long seed) {
        return Network.builder(be, p, 2).dense(12, Activation.tanh()).dense(2, Activation.softmax())
                .build(Initializer.xavier(), new NumpyRandom(seed));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void aRunStoppedMidEpochResumesBitForBit(String backend, Precision p, String optimizer, @TempDir Path dir) {
        Backend be = TestBackends.open(backend, p);
        double lr = optimizer.startsWith("sgd") || optimizer.startsWith("momentum") ? 0.05 : 0.01;
        History whole;
        List<Matrix> wholeWeights;
        try (Network net = network(be, p, 5); Optimizer opt = Optimizer.parse(optimizer, lr).weightDecay(0.01)) {
            whole = trainer(opt).build().fit(net, TRAIN, VALIDATION, TEST);
            wholeWeights = net.weights();
            wholeWeights.addAll(net.biases());
        }
        // stop after the 17th batch: epoch 2 (7 batches an epoch), batch 3
        int[] batches = {0};
        JsonObject options = new JsonObject();
        try (Network net = network(be, p, 5); Optimizer opt = Optimizer.parse(optimizer, lr).weightDecay(0.01)) {
            SavedModel template = SavedModel.of(net, Loss.softmaxCrossEntropy(1e-8), null, null, null, Map.of());
            History h = trainer(opt).stopWhen(() -> ++batches[0] == 17)
                    .checkpoints(100, s -> Checkpoint.write(dir, s, template, options, 2)).build().fit(net, TRAIN, VALIDATION, TEST);
            assertTrue(h.interrupted());
            assertEquals(2, h.epochs());
        }
        Checkpoint.Loaded ck = Checkpoint.readLatest(dir, w -> { throw new AssertionError(w); });
        assertEquals("checkpoint-000002-000003.safetensors", ck.file.getFileName().toString());
        TrainingState s = ck.state;
        assertEquals(2, s.epoch);
        assertEquals(3, s.batch);
        try (Network net = network(be, p, 99); Optimizer opt = Optimizer.parse(optimizer, lr).weightDecay(0.01)) {
            Trainer.Builder b = trainer(opt).resume(s);
            b.shuffle(new NumpyRandom(12345));   // the checkpoint's stream replaces it
            History h = b.build().fit(net, TRAIN, VALIDATION, TEST);
            assertEquals(whole.trainLoss(), h.trainLoss());
            assertEquals(whole.trainAccuracy(), h.trainAccuracy());
            assertEquals(whole.validationLoss(), h.validationLoss());
            assertEquals(whole.testLoss(), h.testLoss());
            assertEquals(whole.learningRate(), h.learningRate());
            assertEquals(whole.bestEpoch(), h.bestEpoch());
            List<Matrix> w = net.weights();
            w.addAll(net.biases());
            for (int i = 0; i < w.size(); i++) {
                assertArrayEquals(wholeWeights.get(i).data(), w.get(i).data(), 0.0, "parameter " + i);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void weightDecayIsDecoupled(String backend, Precision p, String optimizer) {
        Backend be = TestBackends.open(backend, p);
        // one full-batch step: W(λ) = W(0) − lr·λ·W₀ for every optimizer (the decay is applied beside the update, not through it)
        double lr = 0.1, lambda = 0.5;
        List<Matrix> start, plain, decayed;
        try (Network net = network(be, p, 3)) {
            start = net.weights();
        }
        plain = oneStep(be, p, optimizer, lr, 0);
        decayed = oneStep(be, p, optimizer, lr, lambda);
        double tol = p == Precision.FP32 ? 1e-6 : 1e-14;
        for (int l = 0; l < start.size(); l++) {
            double[] w0 = start.get(l).data(), a = plain.get(l).data(), b = decayed.get(l).data();
            for (int i = 0; i < w0.length; i++) {
                assertEquals(a[i] - lr * lambda * w0[i], b[i], tol, optimizer + " layer " + l + " [" + i + "]");
            }
        }
    }

    private static List<Matrix> oneStep(Backend be, Precision p, String optimizer, double lr, double lambda) {
        try (Network net = network(be, p, 3); Optimizer opt = Optimizer.parse(optimizer, lr).weightDecay(lambda)) {
            Trainer.builder().loss(Loss.softmaxCrossEntropy(1e-8)).optimizer(opt).epochs(1).build().fit(net, TRAIN, null);
            return net.weights();
        }
    }
}
