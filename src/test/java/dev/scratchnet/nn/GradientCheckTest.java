package dev.scratchnet.nn;

import dev.scratchnet.backend.ActivationKind;
import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.LossKind;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.random.NumpyRandom;
import dev.scratchnet.testing.Reference;
import dev.scratchnet.testing.TestBackends;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backpropagation of whole networks against central differences in fp64: every hidden activation
 * with every loss, every parameter element, relative error below 1e-7.
 */
class GradientCheckTest {

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String backend : TestBackends.NAMES) {
            for (ActivationKind hidden : ActivationKind.values()) {
                if (!hidden.elementwise()) {
                    continue;
                }
                for (LossKind loss : LossKind.values()) {
                    out.add(Arguments.of(backend, hidden, loss));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}: hidden {1}, loss {2}")
    @MethodSource("cases")
    void backpropagationMatchesCentralDifferences(String backendName, ActivationKind hidden, LossKind lossKind) {
        Backend be = TestBackends.open(backendName, Precision.FP64);
        Activation act = hidden == ActivationKind.LEAKY_RELU ? Activation.leakyRelu(0.1) : Activation.of(hidden);
        Activation out;
        int outputs;
        switch (lossKind) {
            case SOFTMAX_CROSS_ENTROPY: out = Activation.softmax(); outputs = 3; break;
            case SIGMOID_BINARY_CROSS_ENTROPY: out = Activation.sigmoid(); outputs = 1; break;
            case BINARY_CROSS_ENTROPY: out = Activation.sigmoid(); outputs = 2; break;
            default: out = Activation.tanh(); outputs = 2; break;
        }
        // epsilon 0 where the analytic gradient ignores it (softmax CE), the notebooks' otherwise
        Loss loss = lossKind == LossKind.SOFTMAX_CROSS_ENTROPY ? Loss.softmaxCrossEntropy(0) : Loss.of(lossKind);
        Random r = new Random(hidden.ordinal() * 31 + lossKind.ordinal());
        Matrix x = Reference.random(r, 6, 4, Precision.FP64);
        Matrix y = lossKind == LossKind.MEAN_SQUARED_ERROR ? Reference.random(r, 6, outputs, Precision.FP64)
                : Reference.oneHot(r, 6, outputs);
        long before = be.bytesInUse();
        try (Network net = Network.builder(be, Precision.FP64, 4).dense(5, act).dense(4, act).dense(outputs, out)
                .build(Initializer.normal(0.7), new NumpyRandom(hidden.ordinal() + 10L * lossKind.ordinal()))) {
            // biases away from zero so that the kinks of ReLU are not on the data
            for (var d : net.layers()) {
                be.copyIn(Reference.random(r, 1, d.outputs(), Precision.FP64), d.bias());
            }
            List<GradientCheck.Result> results = GradientCheck.run(net, x, y, loss, 1e-5, Integer.MAX_VALUE);
            for (GradientCheck.Result res : results) {
                assertTrue(res.relativeError < 1e-7, res + " for " + hidden + " with " + lossKind);
                assertTrue(res.elementsChecked > 0);
            }
        }
        assertTrue(be.bytesInUse() == before, "the check freed what it took");
    }
}
