package dev.scratchnet.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code train --profile --trace} and {@code kernels bench --op step --profile --trace} as a user runs them. */
class ProfileCommandTest {

    @Test
    void trainPrintsEachOpsShareAndWritesTheTrace(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("train-trace.json");
        Object[] r = MainTest.run("train", "--data", "moons:300", "--hidden", "8", "--epochs", "2", "--batch", "50",
                "--backend", "cpu", "--profile", "--trace", trace.toString());
        assertEquals(0, r[0], r[1] + "\n" + r[2]);
        String out = (String) r[1];
        // 240 training rows in batches of 50: 5 steps an epoch
        assertTrue(out.contains("profile: cpu fp32, 2 → 8 (relu) → 2 (softmax), batch 50; per training step, the test pass included, 10 steps, wall clock per op"), out);
        assertTrue(out.contains("gemm TN 8×50·50×2") && out.contains("dense_forward 50×2·2×8 +bias relu") && out.contains("by family:"), out);
        assertTrue(out.contains("wrote " + trace), out);
        JsonObject root = JsonParser.parseString(Files.readString(trace)).getAsJsonObject();
        assertTrue(root.getAsJsonArray("traceEvents").size() > 10 * 10, "spans of every op of 10 steps");
    }

    @Test
    void theStepBenchProfilesTheMlpStep(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("step.json");
        Object[] r = MainTest.run("kernels", "bench", "--backend", "cpu", "--op", "step", "--precision", "fp32", "--batch", "16",
                "--min-seconds", "0.05", "--no-baseline", "--profile", "--trace", trace.toString());
        assertEquals(0, r[0], r[1] + "\n" + r[2]);
        String out = (String) r[1];
        assertTrue(out.contains("training step (fp32): 784-256-128-10 ReLU/softmax MLP, batch 16, SGD:"), out);
        for (String op : new String[] {"dense_forward 16×784·784×256 +bias relu", "gemm TN 784×16·16×256", "gemm NT 16×128·128×256",
                "activation_backward relu 16×256", "loss softmax_cross_entropy 16×10", "sum_columns 16×256", "sgd_update ×6 tensors"}) {
            assertTrue(out.contains(op), op + " missing from:\n" + out);
        }
        assertTrue(Files.size(trace) > 0);
        assertFalse(out.contains("NumPy"), "no baseline asked for");
    }

    @Test
    void theWorkshopBenchProfilesEachRecipePerEpochOfEachNetwork() {
        Object[] r = MainTest.run("workshop", "bench", "--backend", "cpu", "--recipes", "moons-init,digits", "--runs", "1",
                "--no-fresh-jvm", "--profile");
        assertEquals(0, r[0], r[1] + "\n" + r[2]);
        String out = (String) r[1];
        // moons-init trains three networks of 500 epochs; digits one of 1000
        assertTrue(out.contains("profile: workshop moons-init on cpu fp64, one run after the timed ones; a step is one epoch of one network,"
                + " 1500 steps, wall clock per op"), out);
        assertTrue(out.contains("profile: workshop digits on cpu fp64, one run after the timed ones; a step is one epoch of one network,"
                + " 1000 steps, wall clock per op"), out);
        for (String op : new String[] {"dense_forward 210×2·2×10 +bias relu", "gemm TN 2×210·210×10", "dense_forward 288×64·64×16 +bias sigmoid",
                "gemm TN 64×288·288×16", "loss sigmoid_bce 288×1", "activation_backward sigmoid 288×16"}) {
            assertTrue(out.contains(op), op + " missing from:\n" + out);
        }
        assertTrue(out.indexOf("profile: workshop moons-init") > out.indexOf("best/NumPy"), "the profiles follow the timings: " + out);
        assertTrue(out.contains("unprofiled, the best run's training loop took"), out);
    }

    @Test
    void aTraceThatCannotBeWrittenIsRefusedBeforeTraining(@TempDir Path dir) {
        Object[] r = MainTest.run("train", "--data", "moons:300", "--epochs", "1", "--backend", "cpu", "--trace", dir.toString());
        assertEquals(1, r[0]);
        assertEquals("scratchnet: --trace " + dir + " is a directory: name a file\n", r[2]);
        assertFalse(((String) r[1]).contains("epoch"), "refused before training: " + r[1]);
    }
}
