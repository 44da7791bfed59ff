package dev.scratchnet.cli;

import dev.scratchnet.lab.NumpyMlp;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code train --bench}: NumPy trains the same network on the same data, epoch for epoch, and both speeds are printed. */
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
}
