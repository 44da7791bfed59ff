package dev.scratchnet.nn;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Backends;
import dev.scratchnet.backend.BackendOptions;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Tensor;
import dev.scratchnet.backend.cpu.CpuBackend;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.data.Xor;
import dev.scratchnet.random.NumpyRandom;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input gets one clear message: what was wrong, where, and what was expected. */
class NetworkTest {
    private final Backend cpu = new CpuBackend();

    private static String message(Runnable r) {
        return assertThrows(RuntimeException.class, r::run).getMessage();
    }

    @Test
    void aLayerOfSizeZeroIsNamed() {
        assertEquals("layer 2 has size 0: every layer needs at least one unit",
                message(() -> Network.builder(cpu, Precision.FP64, 2).dense(4, Activation.relu()).dense(0, Activation.sigmoid())));
        assertEquals("input size 0: a network needs at least one input",
                message(() -> Network.builder(cpu, Precision.FP64, 0)));
    }

    @Test
    void mismatchedShapesAreNamed() {
        try (Tensor a = cpu.zeros(3, 4, Precision.FP64); Tensor b = cpu.zeros(5, 2, Precision.FP64);
             Tensor c = cpu.zeros(3, 2, Precision.FP64); Tensor f = cpu.zeros(3, 2, Precision.FP32)) {
            assertEquals("gemm: op(A) is 3×4 but op(B) is 5×2: inner dimensions 4 and 5 differ",
                    message(() -> cpu.gemm(false, false, 1, a, b, 0, c)));
            assertEquals("gemm: tensors mix fp64 and fp32", message(() -> cpu.gemm(false, true, 1, a, b, 0, f)));
            assertEquals("axpy: shapes 3×4 and 3×2 differ", message(() -> cpu.axpy(1, a, c)));
        }
        try (Network net = Network.builder(cpu, Precision.FP64, 2).dense(1, Activation.sigmoid())
                .build(Initializer.normal(0.01), new NumpyRandom(1))) {
            Dataset wide = new Dataset("wide", new Matrix(4, 3), new int[4], 2);
            assertEquals("wide has 3 features, the network expects 2",
                    message(() -> Trainer.builder().loss(Loss.sigmoidBinaryCrossEntropy(1e-7)).optimizer(Optimizer.sgd(0.1))
                            .build().fit(net, wide, null)));
            assertEquals("loss softmax_cross_entropy needs a softmax output layer, this network's output is sigmoid",
                    message(() -> Trainer.builder().loss(Loss.softmaxCrossEntropy(1e-8)).optimizer(Optimizer.sgd(0.1))
                            .build().fit(net, Xor.dataset(), null)));
        }
    }

    @Test
    void unknownNamesAreNamedWithTheChoices() {
        assertEquals("unknown activation 'swish': expected identity, sigmoid, relu, tanh, leaky_relu or softmax",
                message(() -> Activation.parse("swish")));
        assertEquals("unknown backend 'vulkan': expected auto, cpu, opencl or cuda",
                message(() -> Backends.create("vulkan", BackendOptions.defaults())));
        assertEquals("unknown loss 'hinge': expected softmax_cross_entropy, sigmoid_bce, bce or mse",
                message(() -> Loss.parse("hinge")));
        assertEquals("unknown precision 'fp16': expected fp32 or fp64", message(() -> Precision.parse("fp16")));
        assertEquals("unknown optimizer 'lbfgs': expected sgd, momentum[:MU], rmsprop[:RHO] or adam",
                message(() -> Optimizer.parse("lbfgs", 0.1)));
    }

    @Test
    void nanInInputsIsRejected() {
        try (Network net = Network.builder(cpu, Precision.FP64, 2).dense(1, Activation.sigmoid())
                .build(Initializer.normal(0.01), new NumpyRandom(1))) {
            Matrix x = Matrix.of(new double[] {1, Double.NaN});
            assertEquals("prediction input has NaN at row 0, column 1: inputs must be finite numbers",
                    message(() -> net.predict(x)));
        }
        assertTrue(message(() -> Activation.parse("leaky_relu:abc")).contains("not a number"));
        assertEquals("learning rate NaN: must be a positive number", message(() -> Optimizer.sgd(Double.NaN)));
    }

    @Test
    void softmaxOnlyOnTheOutputLayer() {
        assertEquals("layer 1: softmax belongs on the output layer only",
                message(() -> Network.builder(cpu, Precision.FP64, 2).dense(3, Activation.softmax())
                        .dense(2, Activation.softmax()).build(Initializer.he(), new NumpyRandom(0))));
    }

    @Test
    void aDivergingRunStopsWithTheEpochAndLearningRate() {
        Dataset data = new Dataset("big", Matrix.of(new double[] {1e3, -1e3}, new double[] {-1e3, 1e3}), new int[] {0, 1}, 2);
        try (Network net = Network.builder(cpu, Precision.FP64, 2).dense(8, Activation.relu()).dense(2, Activation.identity())
                .build(Initializer.normal(1.0), new NumpyRandom(3));
             Optimizer sgd = Optimizer.sgd(1e6)) {
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> Trainer.builder()
                    .loss(Loss.meanSquaredError()).optimizer(sgd).epochs(100).build().fit(net, data, null));
            assertTrue(e.getMessage().matches("the training loss became (NaN|Infinity) at epoch \\d+ \\(learning rate 1000000.0, fp64\\): lower the learning rate"),
                    e.getMessage());
        }
    }
}
