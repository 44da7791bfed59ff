package dev.scratchnet.cli;

import dev.scratchnet.backend.Precision;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.lab.NumpyMlp;
import dev.scratchnet.lab.TorchMlp;
import dev.scratchnet.testing.TestBackends;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code train --bench}: a peer (NumPy, or PyTorch with --bench-peer torch and by default beside the
 * CUDA backend) trains the same network on the same data, epoch for epoch, and both speeds are printed.
 */
class TrainBenchTest {

    @Test
    void trainBenchPrintsBothSidesAndTheRatio() {
        NumpyMlp numpy = new NumpyMlp();
        assumeTrue(numpy.available(), numpy.describe());
        Object[] r = MainTest.run("train", "--data", "digits", "--hidden", "32", "--epochs", "3", "--batch", "32",
                "--optimizer", "sgd", "--lr", "0.1", "--backend", "cpu", "--bench");
        assertEquals(0, r[0], r[1] + "\n" + r[2]);
        String out = (String) r[1];
        assertEquals(3, out.lines().filter(l -> l.trim().startsWith("NumPy      loss")).count(), out);
        assertTrue(out.contains("bench: epochs with their test pass, interleaved (3 each), samples/s = 1437 training rows / epoch time"), out);
        assertTrue(out.lines().anyMatch(l -> l.trim().startsWith("scratchnet cpu fp32")), out);
        assertTrue(out.lines().anyMatch(l -> l.trim().startsWith("NumPy ")), out);
        assertTrue(out.contains("scratchnet / NumPy samples/s: best "), out);
        // NumPy learns too: its last test accuracy on digits is well above chance
        String last = out.lines().filter(l -> l.trim().startsWith("NumPy      loss")).reduce((a, b) -> b).orElseThrow();
        double accuracy = Double.parseDouble(last.replaceAll(".*test accuracy ([0-9.]+).*", "$1"));
        assertTrue(accuracy > 0.8, last);
    }

    @Test
    void theStepBenchPrintsNumpyBeside() {
        NumpyMlp numpy = new NumpyMlp();
        assumeTrue(numpy.available(), numpy.describe());
        Object[] r = MainTest.run("kernels", "bench", "--backend", "cpu", "--op", "step", "--precision", "fp64", "--batch", "8",
                "--min-seconds", "0.05");
        assertEquals(0, r[0], r[1] + "\n" + r[2]);
        String out = (String) r[1];
        assertTrue(out.lines().anyMatch(l -> l.matches("  NumPy .*: [0-9.]+ ms; scratchnet cpu / NumPy speed: [0-9.]+×")), out);
    }

    /** The last value of {@code key} (e.g. "test accuracy") on the peer's epoch lines starting with {@code label}. */
    static double lastPeerFigure(String out, String label, String key) {
        String last = out.lines().filter(l -> l.trim().startsWith(label)).reduce((a, b) -> b).orElseThrow();
        return Double.parseDouble(last.replaceAll(".*" + key + " ([0-9.]+).*", "$1"));
    }

    @Test
    void trainBenchWithPytorchOnTheCpu() {
        TorchMlp torch = new TorchMlp();
        assumeTrue(torch.available(), torch.describe());
        Object[] r = MainTest.run("train", "--data", "digits", "--hidden", "32", "--epochs", "3", "--batch", "32",
                "--optimizer", "momentum:0.9", "--lr", "0.02", "--backend", "cpu", "--bench", "--bench-peer", "torch");
        assertEquals(0, r[0], r[1] + "\n" + r[2]);
        String out = (String) r[1];
        assertTrue(out.lines().anyMatch(l -> l.matches("bench: PyTorch \\S+ eager on CPU, \\d+ threads? \\(PyTorch through .*\\), "
                + "one PyTorch epoch after each of ours")), out);
        assertEquals(3, out.lines().filter(l -> l.trim().startsWith("PyTorch    loss")).count(), out);
        assertTrue(out.lines().anyMatch(l -> l.trim().startsWith("PyTorch ") && l.contains(" eager on CPU")), out);
        assertTrue(out.contains("scratchnet / PyTorch samples/s: best "), out);
        assertTrue(lastPeerFigure(out, "PyTorch    loss", "test accuracy") > 0.8, out);
    }

    @Test
    void theCudaBackendBenchesAgainstPytorchOnTheGpu() {
        TestBackends.open("cuda");   // here the emulated driver, in the suite
        TorchMlp torch = new TorchMlp();
        assumeTrue(torch.available(), torch.describe());
        Object[] r = MainTest.run("train", "--data", "xor", "--hidden", "4", "--epochs", "1", "--backend", "cuda", "--bench");
        String out = (String) r[1], err = (String) r[2];
        if ((int) r[0] == 0) {
            // a PyTorch built with CUDA, on a machine with a GPU
            assertTrue(out.contains("one PyTorch epoch after each of ours"), out);
        } else {
            // PyTorch without CUDA (Debian's python3-torch): one line, before any training
            assertEquals(1, r[0], out + err);
            assertTrue(err.matches("scratchnet: --bench: torch_mlp.py: PyTorch \\S+ here has no CUDA device \\(torch.cuda.is_available\\(\\) "
                    + "is false\\): use --bench-peer numpy, or a PyTorch built with CUDA\\R"), err);
            assertTrue(out.lines().noneMatch(l -> l.startsWith("epoch ")), out);
        }
    }

    @Test
    void thePeerIsTorchBesideCudaAndNumpyElsewhereUnlessNamed() {
        assertEquals(TrainBench.Peer.TORCH, TrainBench.Peer.choose(null, "cuda"));
        assertEquals(TrainBench.Peer.NUMPY, TrainBench.Peer.choose(null, "cpu"));
        assertEquals(TrainBench.Peer.NUMPY, TrainBench.Peer.choose(null, "opencl"));
        assertEquals(TrainBench.Peer.NUMPY, TrainBench.Peer.choose("numpy", "cuda"));
        assertEquals(TrainBench.Peer.TORCH, TrainBench.Peer.choose("PyTorch", "cpu"));
    }

    @Test
    void withoutTorchTheBenchIsOneLineNamingThePackage() {
        Dataset xor = TrainCommand.load("xor", 0, 0.2).train;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainBench.start(
                new PrintWriter(new StringWriter()), TrainBench.Peer.TORCH, new TorchMlp(List.of("/nonexistent/python3")), "cpu", xor,
                xor, new int[] {4}, 4, "sgd", 0.1, Precision.FP32, "relu", 0, 0));
        assertEquals("--bench: the PyTorch baseline is unavailable: no Python with torch (install python3-torch, or set "
                + "SCRATCHNET_PYTHON)", e.getMessage());
    }

    @Test
    void aBenchPeerOptionNeedsBenchAndAKnownPeer() {
        Object[] r = MainTest.run("train", "--data", "xor", "--epochs", "1", "--backend", "cpu", "--bench-peer", "torch");
        assertEquals(1, r[0]);
        assertEquals("scratchnet: --bench-peer torch needs --bench", ((String) r[2]).strip());
        r = MainTest.run("train", "--data", "xor", "--epochs", "1", "--backend", "cpu", "--bench", "--bench-peer", "jax");
        assertEquals(1, r[0]);
        assertEquals("scratchnet: --bench-peer 'jax': expected numpy or torch", ((String) r[2]).strip());
    }
}
