package dev.scratchnet.backend.cuda;

import dev.scratchnet.backend.BackendOptions;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Tensor;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.data.Moons;
import dev.scratchnet.nn.Activation;
import dev.scratchnet.nn.Initializer;
import dev.scratchnet.nn.Loss;
import dev.scratchnet.nn.Network;
import dev.scratchnet.nn.Optimizer;
import dev.scratchnet.nn.Trainer;
import dev.scratchnet.random.NumpyRandom;
import dev.scratchnet.testing.TestBackends;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one-launch optimizer step on the CUDA backend (optim.cu's NAME_update_multi): one kernel
 * launch per step for a 3-layer network whatever the optimizer (on a GPU too); and, on the emulated
 * driver's small device, the table of tensors uploaded once and reused, dropped when its tensors are
 * freed, and everything given back (bytesInUse and the driver's memory) when the network, the
 * optimizer and the backend close.
 */
class CudaOptimizerStepTest {
    private static CudaBackend small() {
        return new CudaBackend(new BackendOptions(null, EmulatedCuda.SMALL));
    }

    private static Network mlp(dev.scratchnet.backend.Backend be) {
        return Network.builder(be, Precision.FP32, 20).dense(16, Activation.relu()).dense(12, Activation.relu())
                .dense(3, Activation.softmax()).build(Initializer.he(), new NumpyRandom(1));
    }

    @Test
    void oneOptimizerStepOfAThreeLayerNetworkIsOneLaunchForEveryOptimizer() {
        CudaBackend be = (CudaBackend) TestBackends.open("cuda");
        try (Network net = mlp(be)) {
            for (String name : new String[] {"sgd", "momentum", "rmsprop", "adam"}) {
                try (Optimizer opt = Optimizer.parse(name, 0.01)) {
                    opt.step(net);   // the first step makes the state buffers and uploads the table
                    for (int i = 0; i < 3; i++) {
                        long before = be.launches();
                        opt.step(net);
                        assertEquals(1, be.launches() - before, name + ": kernel launches in one step of a 3-layer network"
                                + " (6 parameter tensors)");
                    }
                    opt.weightDecay(1e-3);
                    long before = be.launches();
                    opt.step(net);
                    assertEquals(1 + 3, be.launches() - before, name + " with weight decay: one scale per weight matrix, then the"
                            + " update");
                    be.synchronize();
                }
            }
        }
    }

    @Test
    void theTableIsReusedAcrossStepsAndDroppedWhenItsTensorsAreFreed() {
        EmulatedCuda.require();
        try (CudaBackend be = small()) {
            long bytesBefore = be.bytesInUse();
            try (Network net = mlp(be)) {
                try (Optimizer adam = Optimizer.adam(0.01, 0.9, 0.999, 1e-8)) {
                    for (int i = 0; i < 5; i++) {
                        adam.step(net);
                    }
                    assertEquals(1, be.optimTables(), "one table for five steps over the same tensors");
                    try (Optimizer sgd = Optimizer.sgd(0.1)) {
                        sgd.step(net);
                        assertEquals(2, be.optimTables(), "another list of tensors, another table");
                    }
                    assertEquals(2, be.optimTables(), "SGD's table points at the network only: it lives while the network does");
                }
                assertEquals(1, be.optimTables(), "Adam's state freed: its table is dropped");
                be.synchronize();
            }
            assertEquals(0, be.optimTables(), "the network freed: no table is left");
            assertEquals(bytesBefore, be.bytesInUse(), "every tensor given back");
        }
    }

    @Test
    @SuppressWarnings("try")
    void trainingWithTheOneLaunchStepGivesTheDriverEverythingBackOnClose() {
        EmulatedCuda.require();
        try (EmulatedCuda.Context held = new EmulatedCuda.Context()) {   // keeps the context alive after the backend closes
            long before = CudaBackendTest.driverBytesInUse();
            Dataset moons = Moons.make(64, 0.1, 3);
            try (CudaBackend be = small()) {
                try (Network net = Network.builder(be, Precision.FP64, 2).dense(8, Activation.tanh()).dense(8, Activation.relu())
                        .dense(2, Activation.softmax()).build(Initializer.he(), new NumpyRandom(1));
                     Optimizer rms = Optimizer.rmsprop(0.01, 0.9, 1e-8)) {
                    Trainer.builder().loss(Loss.softmaxCrossEntropy(1e-8)).optimizer(rms).batchSize(16).epochs(3)
                            .shuffle(new NumpyRandom(2)).build().fit(net, moons, moons);
                    assertEquals(1, be.optimTables(), "one table for the whole run");
                }
                assertEquals(0, be.optimTables());
            }
            assertEquals(before, CudaBackendTest.driverBytesInUse(), "closing the backend gave the driver back every block,"
                    + " the optimizer table's too");
        }
    }

    @Test
    void aTableEntryGetsItsOwnTensorsSizeOfSlice() {
        EmulatedCuda.require();
        try (CudaBackend be = small(); Tensor p1 = be.upload(Matrix.of(new double[][] {{1, 2, 3}}), Precision.FP32);
             Tensor g1 = be.upload(Matrix.of(new double[][] {{1, 1, 1}}), Precision.FP32);
             Tensor p2 = be.zeros(300, 1, Precision.FP32); Tensor g2 = be.zeros(300, 1, Precision.FP32)) {
            be.fill(g2, 2);
            be.sgdUpdate(List.of(p1, p2), List.of(g1, g2), 0.5);
            assertEquals(List.of(0.5, 1.5, 2.5), List.of(be.download(p1).data()[0], be.download(p1).data()[1], be.download(p1).data()[2]));
            double[] second = be.download(p2).data();
            for (double v : second) {
                assertEquals(-1.0, v, "every element of the 300-element tensor, across its two blocks");
            }
            assertTrue(second.length == 300);
        }
    }
}
