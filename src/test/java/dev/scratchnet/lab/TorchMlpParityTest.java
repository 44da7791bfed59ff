package dev.scratchnet.lab;

import com.google.gson.JsonObject;
import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.data.Digits;
import dev.scratchnet.nn.Activation;
import dev.scratchnet.nn.History;
import dev.scratchnet.nn.Initializer;
import dev.scratchnet.nn.Loss;
import dev.scratchnet.nn.Network;
import dev.scratchnet.nn.Optimizer;
import dev.scratchnet.nn.Trainer;
import dev.scratchnet.random.NumpyRandom;
import dev.scratchnet.testing.TestBackends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * PyTorch ({@code baselines/torch_mlp.py}, the {@code train --bench} peer) and scratchnet's CPU
 * backend train the same network: from the same initial parameters, over the same row orders, in
 * fp64, every epoch's training loss agrees within 1e-10 relative and its training accuracy exactly,
 * for each optimizer, hidden activation and with weight decay. Needs a Python with torch (Debian:
 * python3-torch); skips otherwise.
 */
class TorchMlpParityTest {
    static final int EPOCHS = 3;
    static final int BATCH = 32;

    /** The digits training rows (seed 0, 20 % held out), pixels scaled to 0..1. */
    static Dataset digits() {
        Dataset d = Digits.load();
        Matrix x = d.features();
        double[] scaled = x.data().clone();
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] /= 16;
        }
        int[] rows = new int[1000];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i;
        }
        return new Dataset("digits", new Matrix(x.rows(), x.cols(), scaled), d.labels(), d.classes()).subset("digits[:1000]", rows);
    }

    @ParameterizedTest(name = "{0}, {1}, lr {2}, weight decay {3}")
    @CsvSource({"sgd, relu, 0.1, 0", "momentum:0.9, relu, 0.02, 0", "rmsprop:0.9, tanh, 0.001, 0", "adam, relu, 0.002, 0",
            "adam, leaky_relu:0.1, 0.002, 0.01", "sgd, sigmoid, 2.0, 0.001"})
    void pytorchTrainsAsTheCpuBackendDoes(String optimizer, String activation, double lr, double weightDecay) throws IOException {
        TorchMlp torch = new TorchMlp();
        assumeTrue(torch.available(), torch.describe());
        Backend cpu = TestBackends.open("cpu");
        Dataset train = digits();
        Activation act = Activation.parse(activation);
        try (Network net = Network.builder(cpu, Precision.FP64, train.featureCount()).dense(32, act).dense(16, act)
                .dense(train.classes(), Activation.softmax()).build(Initializer.parse("he"), new NumpyRandom(5));
             Optimizer opt = Optimizer.parse(optimizer, lr).weightDecay(weightDecay)) {
            List<Matrix> weights = net.weights(), biases = net.biases();
            NumpyRandom orders = new NumpyRandom(6);
            int[][] order = new int[EPOCHS][];
            for (int e = 0; e < EPOCHS; e++) {
                order[e] = orders.permutation(train.size());
            }
            History ours = Trainer.builder().loss(Loss.softmaxCrossEntropy(1e-8)).optimizer(opt).epochs(EPOCHS).batchSize(BATCH)
                    .shuffle(new NumpyRandom(6)).build().fit(net, train, null);
            List<JsonObject> theirs = torch.replay(weights, biases, train, train.classes(), order, BATCH, opt.describe(), lr,
                    Precision.FP64, act.toString(), weightDecay);
            assertEquals(EPOCHS, theirs.size(), theirs.toString());
            for (int e = 0; e < EPOCHS; e++) {
                double a = ours.trainLoss().get(e), b = theirs.get(e).get("train_loss").getAsDouble();
                assertTrue(Math.abs(a - b) <= 1e-10 * Math.abs(a), "epoch " + (e + 1) + ": scratchnet " + a + ", PyTorch " + b);
                assertEquals(ours.trainAccuracy().get(e), theirs.get(e).get("train_accuracy").getAsDouble(), 1e-12,
                        "epoch " + (e + 1) + " accuracy");
            }
            // the losses move: the comparison is of training, not of three copies of the first loss
            assertTrue(ours.trainLoss().get(EPOCHS - 1) < 0.9 * ours.trainLoss().get(0), ours.trainLoss().toString());
        }
    }

    @Test
    void aSettingTheScriptDoesNotKnowIsItsOneLine() {
        TorchMlp torch = new TorchMlp();
        assumeTrue(torch.available(), torch.describe());
        Dataset train = digits();
        // one hidden layer, so that the activation is used
        List<Matrix> w = List.of(new Matrix(train.featureCount(), 8), new Matrix(8, train.classes()));
        List<Matrix> b = List.of(new Matrix(1, 8), new Matrix(1, train.classes()));
        int[][] order = {new NumpyRandom(1).permutation(train.size())};
        IOException e = assertThrows(IOException.class, () -> torch.replay(w, b, train, train.classes(), order,
                BATCH, "nesterov", 0.1, Precision.FP64, "relu", 0));
        assertEquals("torch_mlp.py: unknown optimizer nesterov: expected sgd, momentum[:MU], rmsprop[:RHO] or adam", e.getMessage());
        e = assertThrows(IOException.class, () -> torch.replay(w, b, train, train.classes(), order, BATCH, "sgd",
                0.1, Precision.FP64, "swish", 0));
        assertEquals("torch_mlp.py: unknown activation swish: expected relu, sigmoid, tanh, identity or leaky_relu[:SLOPE]",
                e.getMessage());
    }

    @Test
    void withoutTorchTheBaselineSaysWhatToInstall() {
        TorchMlp none = new TorchMlp(List.of("/nonexistent/python3"));
        assertFalse(none.available());
        assertEquals("the PyTorch baseline is unavailable: no Python with torch (install python3-torch, or set SCRATCHNET_PYTHON)",
                none.describe());
        IOException e = assertThrows(IOException.class, () -> none.replay(List.of(), List.of(), digits(), 10, new int[0][], BATCH,
                "sgd", 0.1, Precision.FP64, "relu", 0));
        assertEquals(none.describe(), e.getMessage());
    }
}
