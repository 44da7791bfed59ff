package dev.scratchnet.nn;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Tensor;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.data.Moons;
import dev.scratchnet.random.NumpyRandom;
import dev.scratchnet.testing.TestBackends;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An optimizer step is one list-form update over every parameter (one kernel launch on CUDA): a
 * whole training run gives the bits it gave when each parameter had its own update, on every
 * backend, for every optimizer, with weight decay too. The reference here is that earlier step,
 * written as an {@link Optimizer} that calls the per-tensor ops.
 */
class OptimizerStepTest {
    private static final String[] OPTIMIZERS = {"sgd", "momentum:0.8", "rmsprop:0.95", "adam"};

    static Stream<Arguments> backendsPrecisionsAndOptimizers() {
        return TestBackends.withEachPrecisionAnd((Object[]) OPTIMIZERS);
    }

    /** {@code Optimizer.parse(text, lr)} as it stepped before the list forms: one backend op per parameter tensor. */
    static Optimizer perTensor(String text, double lr) {
        Optimizer listed = Optimizer.parse(text, lr);
        String kind = text.split(":")[0];
        double value = text.contains(":") ? Double.parseDouble(text.split(":")[1]) : 0;
        return new Optimizer(lr) {
            @Override
            protected int stateBuffers() {
                return listed.stateBuffersPerParameter();
            }

            @Override
            protected void update(Backend backend, List<Tensor> ps, List<Tensor> gs, List<List<Tensor>> state, int step) {
                for (int i = 0; i < ps.size(); i++) {
                    Tensor p = ps.get(i), g = gs.get(i);
                    switch (kind) {
                        case "sgd": backend.sgdUpdate(p, g, learningRate); break;
                        case "momentum": backend.momentumUpdate(p, g, state.get(0).get(i), learningRate, value); break;
                        case "rmsprop": backend.rmspropUpdate(p, g, state.get(0).get(i), learningRate, value, 1e-8); break;
                        default:
                            backend.adamUpdate(p, g, state.get(0).get(i), state.get(1).get(i), learningRate, 0.9, 0.999, 1e-8, step);
                            break;
                    }
                }
            }

            @Override
            public String describe() {
                return listed.describe() + " per tensor";
            }
        };
    }

    /** Trains a 2-16-8-2 network on moons with {@code opt} (and weight decay), returning the losses and the final weights. */
    private static List<Matrix> train(Backend be, Precision p, Optimizer opt, List<Double> losses) {
        Dataset moons = Moons.make(96, 0.2, 4);
        try (Network net = Network.builder(be, p, 2).dense(16, Activation.tanh()).dense(8, Activation.relu())
                .dense(2, Activation.softmax()).build(Initializer.he(), new NumpyRandom(3))) {
            opt.weightDecay(1e-3);
            History h = Trainer.builder().loss(Loss.softmaxCrossEntropy(1e-8)).optimizer(opt).batchSize(20).epochs(4)
                    .shuffle(new NumpyRandom(5)).build().fit(net, moons, moons);
            losses.addAll(h.trainLoss());
            return net.weights();
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("backendsPrecisionsAndOptimizers")
    void aTrainingRunGivesTheBitsOfOneUpdatePerTensor(String name, Precision p, String optimizer) {
        Backend be = TestBackends.open(name, p);
        double lr = optimizer.equals("sgd") ? 0.1 : 0.01;
        long before = be.bytesInUse();
        List<Double> wantLosses = new ArrayList<>(), gotLosses = new ArrayList<>();
        List<Matrix> want, got;
        try (Optimizer reference = perTensor(optimizer, lr)) {
            want = train(be, p, reference, wantLosses);
        }
        try (Optimizer listed = Optimizer.parse(optimizer, lr)) {
            got = train(be, p, listed, gotLosses);
        }
        assertEquals(wantLosses, gotLosses, optimizer + " on " + name + " " + p + ": the losses of each epoch");
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            assertArrayEquals(want.get(i).data(), got.get(i).data(), 0.0, optimizer + " on " + name + " " + p + ": weights " + i);
        }
        assertEquals(before, be.bytesInUse(), "everything given back");
    }
}
