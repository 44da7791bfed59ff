package dev.scratchnet.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as a user meets it: output, exit status, and one-line errors. */
class MainTest {
    /** Exit status, standard output, standard error. */
    static Object[] run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Object[] {status, out.toString(), err.toString()};
    }

    @Test
    void devicesListsEveryBackendAndWhatAutoChooses() {
        Object[] r = run("devices");
        assertEquals(0, r[0]);
        String out = (String) r[1];
        for (String backend : new String[] {"cpu", "opencl", "cuda"}) {
            assertTrue(out.lines().anyMatch(l -> l.startsWith(backend + " ")), backend + " missing from:\n" + out);
        }
        assertTrue(out.contains("auto chooses: "), out);
        assertTrue(out.lines().filter(l -> l.startsWith("cpu ")).findFirst().orElseThrow().contains("available"));
    }

    @Test
    void anUnknownBackendIsOneLineAndExitStatusOne() {
        Object[] r = run("kernels", "check", "--backend", "vulkan");
        assertEquals(1, r[0]);
        String err = (String) r[2];
        assertEquals("scratchnet: unknown backend 'vulkan': expected auto, cpu, opencl or cuda\n", err);
    }

    @Test
    void anUnknownOptionIsOneLineWithWhereToLook() {
        Object[] r = run("devices", "--frobnicate");
        assertEquals(2, r[0]);
        assertEquals("scratchnet: Unknown option: '--frobnicate' (see 'scratchnet devices --help')\n", r[2]);
    }

    @Test
    void verboseAddsTheStackTrace() {
        Object[] r = run("kernels", "check", "--backend", "vulkan", "--verbose");
        assertEquals(1, r[0]);
        String err = (String) r[2];
        assertTrue(err.startsWith("scratchnet: unknown backend 'vulkan'"), err);
        assertTrue(err.contains("\tat dev.scratchnet."), err);
    }

    @Test
    void kernelsCheckOnTheCpuPassesAndSaysSo() {
        Object[] r = run("kernels", "check", "--backend", "cpu", "--small", "--precision", "fp64");
        assertEquals(0, r[0], (String) r[2]);
        String out = (String) r[1];
        assertTrue(out.contains("matmul blocked NN"), out);
        assertTrue(out.matches("(?s).*\\d+ checks, \\d+ passed, 0 failed on cpu.*"), out);
        assertFalse(out.contains("FAIL"), out);
    }

    @Test
    void kernelsBenchRejectsANonsenseSize() {
        Object[] r = run("kernels", "bench", "--backend", "cpu", "--sizes", "0");
        assertEquals(1, r[0]);
        assertEquals("scratchnet: matmul size 0: must be at least 1\n", r[2]);
    }

    @Test
    void workshopListsTheSevenRecipes() {
        Object[] r = run("workshop", "--list");
        assertEquals(0, r[0]);
        String out = (String) r[1];
        for (String name : new String[] {"xor-scratch", "xor-multilayer", "xor-layers", "moons", "moons-gradcheck", "moons-init", "digits"}) {
            assertTrue(out.lines().anyMatch(l -> l.startsWith(name + " ")), name + " missing from:\n" + out);
        }
        assertEquals(7, out.lines().count());
    }

    @Test
    void workshopWritesTheJsonAUserCanPlotFrom(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("out/digits.json");
        Object[] r = run("workshop", "digits", "--backend", "cpu", "--epochs", "30", "--json", json.toString());
        assertEquals(0, r[0], (String) r[2]);
        assertTrue(((String) r[1]).startsWith("backend: cpu ("), (String) r[1]);
        JsonObject o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        for (String key : new String[] {"recipe", "backend", "precision", "train_loss", "final_train_loss", "final_test_loss",
                "train_accuracy", "test_accuracy", "predictions", "confusion_matrix", "classification_report", "train_seconds"}) {
            assertTrue(o.has(key), key + " missing");
        }
        assertEquals("cpu", o.get("backend").getAsString());
        assertEquals("fp64", o.get("precision").getAsString());
        assertEquals(30, o.getAsJsonArray("train_loss").size());
        assertEquals(o.getAsJsonArray("train_loss").get(29).getAsDouble(), o.get("final_train_loss").getAsDouble(), 0.0);
        assertEquals(72, o.getAsJsonArray("predictions").size());
    }

    @Test
    void workshopRejectsAWrongNumberOfHiddenWidthsInOneLine() {
        Object[] r = run("workshop", "digits", "--backend", "cpu", "--hidden", "3");
        assertEquals(1, r[0]);
        assertEquals("scratchnet: --hidden takes 2 widths for this recipe (the notebook's are [16, 8]), got 1\n", r[2]);
        r = run("workshop", "mnist");
        assertEquals(1, r[0]);
        assertTrue(((String) r[2]).startsWith("scratchnet: unknown recipe 'mnist': expected one of xor-scratch,"), (String) r[2]);
    }

    /** Runs the command line in a child JVM with {@code env} added; returns {exit status, output}. */
    static Object[] runInChildJvm(java.util.Map<String, String> env, String... args) throws IOException, InterruptedException {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules", "jdk.incubator.vector"));
        cmd.addAll(dev.scratchnet.testing.ChildJvm.nativeAccess());
        cmd.addAll(java.util.List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        return new Object[] {p.waitFor(), out.replace("WARNING: Using incubator modules: jdk.incubator.vector\n", "")};
    }

    @Test
    void anOpenClLoaderWithNoDriverIsPassedOverWithTheReason() throws Exception {
        dev.scratchnet.backend.NativeLibrary.Lookup loader = dev.scratchnet.backend.NativeLibrary.find("libOpenCL.so.1");
        if (!loader.usable()) {
            // a bare machine (or CI's run with the loader hidden): the probe names the missing loader instead
            Object[] r = runInChildJvm(java.util.Map.of("SCRATCHNET_BACKEND", ""), "kernels", "check", "--backend", "opencl");
            assertEquals(1, r[0]);
            assertEquals("scratchnet: the opencl backend cannot run here: " + loader.reason()
                    + " (install ocl-icd-libopencl1 and pocl-opencl-icd, or a GPU vendor's OpenCL driver)\n", r[1]);
            return;
        }
        java.util.Map<String, String> noDriver = java.util.Map.of("OCL_ICD_VENDORS", "/nonexistent-scratchnet-vendors",
                "SCRATCHNET_BACKEND", "");
        Object[] r = runInChildJvm(noDriver, "devices");
        assertEquals(0, r[0], (String) r[1]);
        String out = (String) r[1];
        assertTrue(out.lines().anyMatch(l -> l.startsWith("opencl  unavailable  no OpenCL platform")), out);
        assertTrue(out.contains("auto chooses: cpu"), out);
        r = runInChildJvm(noDriver, "kernels", "check", "--backend", "opencl");
        assertEquals(1, r[0]);
        assertTrue(((String) r[1]).startsWith("scratchnet: the opencl backend cannot run here: no OpenCL platform"), (String) r[1]);
        assertEquals(1, ((String) r[1]).lines().count(), "one line: " + r[1]);
    }

    @Test
    void trainLearnsMoonsAndWritesItsHistory(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("moons.json");
        Object[] r = run("train", "--data", "moons:400:0.1", "--hidden", "16,16", "--epochs", "40", "--lr", "0.01",
                "--backend", "cpu", "--json", json.toString(), "--plots", dir.toString());
        assertEquals(0, r[0], (String) r[2]);
        String out = (String) r[1];
        assertTrue(out.contains("network: 2 → 16 (relu) → 16 (relu) → 2 (softmax), 354 parameters, adam"), out);
        assertEquals(40, out.lines().filter(l -> l.startsWith("epoch ")).count(), out);
        JsonObject o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertTrue(o.get("test_accuracy").getAsDouble() > 0.95, "moons test accuracy " + o.get("test_accuracy"));
        assertEquals(40, o.getAsJsonArray("train_loss").size());
        for (String png : new String[] {"train-loss.png", "train-accuracy.png", "train-confusion-matrix.png"}) {
            assertTrue(Files.size(dir.resolve(png)) > 1000, png);
        }
        assertTrue(out.contains("\nwrote plots to " + dir + ": train-loss.png, train-accuracy.png, train-confusion-matrix.png\n"), out);
    }

    @Test
    void theGradientCheckWritesItsPlotAndSaysWhichFile(@TempDir Path dir) throws IOException {
        Object[] r = run("workshop", "moons-gradcheck", "--backend", "cpu", "--plots", dir.toString());
        assertEquals(0, r[0], (String) r[2]);
        assertTrue(((String) r[1]).endsWith("wrote plots to " + dir + ": moons-gradcheck-gradient-check.png\n"), (String) r[1]);
        assertTrue(Files.size(dir.resolve("moons-gradcheck-gradient-check.png")) > 1000);
    }

    @Test
    void plotsIntoARegularFileIsOneLineNamingItAndTheFileIsKept(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("plots"), "not a directory");
        for (String[] args : new String[][] {{"workshop", "moons-gradcheck"}, {"train", "--data", "xor", "--epochs", "1"}}) {
            String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                    java.util.stream.Stream.of("--backend", "cpu", "--plots", file.toString())).toArray(String[]::new);
            Object[] r = run(all);
            assertEquals(1, r[0], String.join(" ", args));
            String err = (String) r[2];
            assertEquals(1, err.lines().count(), err);
            assertTrue(err.startsWith("scratchnet: ") && err.contains(file.toString()), err);
            assertEquals("not a directory", Files.readString(file));
        }
    }

    @Test
    void trainNamesABadDataSpecInOneLine() {
        Object[] r = run("train", "--data", "cifar10", "--backend", "cpu");
        assertEquals(1, r[0]);
        assertEquals("scratchnet: unknown --data 'cifar10': expected xor, moons[:N[:NOISE]], digits, "
                + "idx:IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS] or fashion-mnist\n", r[2]);
        r = run("train", "--data", "idx:/nonexistent/images.gz,/nonexistent/labels.gz", "--backend", "cpu");
        assertEquals(1, r[0]);
        assertEquals("scratchnet: /nonexistent/images.gz: no such file\n", r[2]);
        r = run("train", "--data", "moons:many", "--backend", "cpu");
        assertEquals("scratchnet: --data moons:many: 'many' is not a whole number\n", r[2]);
    }
}
