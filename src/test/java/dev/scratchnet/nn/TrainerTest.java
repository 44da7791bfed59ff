package dev.scratchnet.nn;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.data.Moons;
import dev.scratchnet.data.Xor;
import dev.scratchnet.random.NumpyRandom;
import dev.scratchnet.testing.TestBackends;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training runs that must reach their goal, on every backend, and leave nothing allocated. */
class TrainerTest {

    static Stream<Arguments> backendsAndPrecisions() {
        List<Arguments> out = new ArrayList<>();
        for (String name : TestBackends.NAMES) {
            for (Precision p : Precision.values()) {
                out.add(Arguments.of(name, p));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndPrecisions")
    void xorIsLearnedWithASettingThatWorks(String name, Precision p) {
        Backend be = TestBackends.open(name, p);
        Dataset xor = Xor.dataset();
        // a setting that learns XOR: 8 tanh units, Glorot initialisation, sigmoid output, binary cross-entropy
        try (Network net = Network.builder(be, p, 2).dense(8, Activation.tanh()).dense(1, Activation.sigmoid())
                .build(Initializer.xavier(), new NumpyRandom(0));
             Optimizer sgd = Optimizer.sgd(0.5)) {
            History h = Trainer.builder().loss(Loss.sigmoidBinaryCrossEntropy(1e-7)).optimizer(sgd).epochs(2000)
                    .build().fit(net, xor, null);
            assertEquals(1.0, h.trainAccuracy().get(h.epochs() - 1), "final training accuracy");
            assertTrue(h.finalTrainLoss() < 0.05, "loss " + h.finalTrainLoss());
            assertTrue(java.util.Arrays.equals(xor.labels(), net.predictLabels(xor.features())), "predictions");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndPrecisions")
    void thousandMiniBatchStepsLeakNothing(String name, Precision p) {
        Backend be = TestBackends.open(name, p);
        long before = be.bytesInUse();
        Dataset moons = Moons.make(250, 0.1, 1);
        try (Network net = Network.builder(be, p, 2).dense(16, Activation.relu()).dense(2, Activation.softmax())
                .build(Initializer.he(), new NumpyRandom(1));
             Optimizer adam = Optimizer.adam(0.01, 0.9, 0.999, 1e-8)) {
            // 250 rows in batches of 32: 7 full batches and one of 26, 125 epochs = 1000 steps
            History h = Trainer.builder().loss(Loss.softmaxCrossEntropy(1e-8)).optimizer(adam).batchSize(32).epochs(125)
                    .shuffle(new NumpyRandom(2)).build().fit(net, moons, moons);
            assertEquals(125, h.epochs());
            assertTrue(h.testAccuracy().get(124) > 0.95, "moons accuracy " + h.testAccuracy().get(124));
        }
        assertEquals(before, be.bytesInUse(), "bytes held after closing the network and optimizer");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndPrecisions")
    void everyOptimizerLowersTheLoss(String name, Precision p) {
        Backend be = TestBackends.open(name, p);
        Dataset moons = Moons.make(200, 0.1, 4);
        for (String opt : new String[] {"sgd", "momentum:0.9", "rmsprop", "adam"}) {
            try (Network net = Network.builder(be, p, 2).dense(8, Activation.leakyRelu(0.05)).dense(1, Activation.sigmoid())
                    .build(Initializer.he(), new NumpyRandom(5));
                 Optimizer o = Optimizer.parse(opt, opt.equals("sgd") || opt.startsWith("momentum") ? 0.2 : 0.01)) {
                History h = Trainer.builder().loss(Loss.binaryCrossEntropy(1e-7)).optimizer(o).batchSize(50).epochs(40)
                        .shuffle(new NumpyRandom(6)).build().fit(net, moons, null);
                assertTrue(h.finalTrainLoss() < 0.6 * h.trainLoss().get(0),
                        opt + ": loss " + h.trainLoss().get(0) + " → " + h.finalTrainLoss());
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndPrecisions")
    void miniBatchesWithoutShufflingEqualTheirFullBatchWhenThereIsOne(String name, Precision p) {
        Backend be = TestBackends.open(name, p);
        Dataset moons = Moons.make(64, 0.1, 9);
        double[] losses = new double[2];
        for (int run = 0; run < 2; run++) {
            try (Network net = Network.builder(be, p, 2).dense(4, Activation.tanh()).dense(2, Activation.softmax())
                    .build(Initializer.xavier(), new NumpyRandom(8));
                 Optimizer sgd = Optimizer.sgd(0.1)) {
                History h = Trainer.builder().loss(Loss.softmaxCrossEntropy(1e-8)).optimizer(sgd)
                        .batchSize(run == 0 ? 0 : 64).epochs(5).build().fit(net, moons, null);
                losses[run] = h.finalTrainLoss();
            }
        }
        assertEquals(losses[0], losses[1], 0.0, "batch size 64 of 64 rows is the full batch");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndPrecisions")
    void evaluateReportsLossAndAccuracyOfTheData(String name, Precision p) {
        Backend be = TestBackends.open(name, p);
        try (Network net = Network.builder(be, p, 2).dense(1, Activation.sigmoid())
                .build(List.of(Matrix.of(new double[] {2}, new double[] {-2})))) {
            Dataset d = new Dataset("line", Matrix.of(new double[] {1, 0}, new double[] {0, 1}, new double[] {0, 0}),
                    new int[] {1, 0, 0}, 2);
            Trainer.Metrics m = Trainer.evaluate(net, d, Loss.sigmoidBinaryCrossEntropy(1e-7));
            // outputs sigmoid(2), sigmoid(-2), sigmoid(0) = 0.5 (predicted 0: not above 0.5)
            double expected = -(Math.log(1 / (1 + Math.exp(-2))) + Math.log(1 - 1 / (1 + Math.exp(2))) + Math.log(0.5)) / 3;
            assertEquals(expected, m.loss, p == Precision.FP32 ? 1e-6 : 1e-14);
            assertEquals(1.0, m.accuracy, 0.0);
        }
    }
}
