package dev.scratchnet.cli;

import dev.scratchnet.backend.BackendOptions;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.opencl.OpenClBackend;
import dev.scratchnet.backend.tuning.TileParams;
import dev.scratchnet.testing.TestBackends;
import dev.scratchnet.testing.TestKernels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kernel lab on PoCL as a user drives it: kernels tune finds parameters that kernels check
 * passes and the next run uses; kernels check survives kernels that write out of bounds, never end
 * or crash their process; the Oclgrind script fails on a finding with status 1.
 */
class KernelLabTest {
    private String oldCache;
    private Path cache;

    @BeforeEach
    void privateCache(@TempDir Path tmp) {
        oldCache = System.getProperty("scratchnet.tuning.cache");
        cache = tmp.resolve("tuning");
        System.setProperty("scratchnet.tuning.cache", cache.toString());
    }

    @AfterEach
    void restoreCache() {
        if (oldCache == null) {
            System.clearProperty("scratchnet.tuning.cache");
        } else {
            System.setProperty("scratchnet.tuning.cache", oldCache);
        }
    }

    static String tunedLine(String out, Precision p) {
        return out.lines().filter(l -> l.startsWith("matmul parameters (" + p + "): ")).findFirst().orElse("(no parameters line)");
    }

    @Test
    void aShortSearchOnPoclFindsParametersThatPassTheChecksAndTheNextRunUses() {
        TestBackends.open("opencl");
        Object[] r = MainTest.run("kernels", "tune", "--backend", "opencl", "--sizes", "96", "--precision", "fp32", "--variants",
                "regblock", "--budget", "12", "--min-seconds", "0.05", "--no-baseline");
        String out = (String) r[1];
        assertEquals(0, r[0], out + r[2]);
        assertTrue(out.contains("regblock fp32: ") && out.contains(" configurations (of "), out);
        assertTrue(out.contains("[  1,") && out.contains("(defaults)"), "progress while searching:\n" + out);
        assertTrue(out.contains("saved to " + cache), out);
        TileParams tuned;
        try (OpenClBackend be = new OpenClBackend(new BackendOptions(null, null, false, null))) {
            tuned = be.params("regblock", Precision.FP32);
            assertTrue(be.paramsOrigin(Precision.FP32).startsWith("tuned "), "a new backend, as training opens it, uses them: "
                    + be.paramsOrigin(Precision.FP32));
            if (be.refusal("regblock", Precision.FP32, dev.scratchnet.backend.opencl.OpenClTuning.REGBLOCK.defaults()
                    .with("BM", 128).with("BN", 128).with("TM", 1).with("TN", 1)) != null) {
                assertTrue(out.contains("refused, work-group size: ") && out.contains("work-items, the device allows"),
                        "configurations the device refuses are skipped with the reason:\n" + out);
            }
        }
        assertTrue(out.lines().anyMatch(l -> l.trim().startsWith("regblock") && l.trim().endsWith(tuned.toString())),
                "the table shows the parameters stored:\n" + out);

        Object[] check = MainTest.run("kernels", "check", "--backend", "opencl", "--small", "--precision", "fp32",
                "--only", "matmul regblock,dense_forward");
        String checkOut = (String) check[1];
        assertEquals(0, check[0], checkOut + check[2]);
        assertTrue(tunedLine(checkOut, Precision.FP32).contains("regblock " + tuned + ";")
                && tunedLine(checkOut, Precision.FP32).contains("— tuned "), checkOut);
        assertTrue(checkOut.matches("(?s).*\\n(\\d+) checks, \\1 passed, 0 failed on opencl.*"), checkOut);

        Object[] bench = MainTest.run("kernels", "bench", "--backend", "opencl", "--op", "matmul", "--sizes", "64", "--precision",
                "fp32", "--variants", "regblock", "--min-seconds", "0.01", "--no-baseline");
        assertEquals(0, bench[0], (String) bench[2]);
        assertTrue(tunedLine((String) bench[1], Precision.FP32).contains("regblock " + tuned + ";"), (String) bench[1]);

        Object[] untuned = MainTest.run("kernels", "bench", "--backend", "opencl", "--op", "matmul", "--sizes", "64", "--precision",
                "fp32", "--variants", "regblock", "--min-seconds", "0.01", "--no-baseline", "--no-tuning");
        assertTrue(tunedLine((String) untuned[1], Precision.FP32).endsWith("— defaults (--no-tuning)"), (String) untuned[1]);
    }

    @Test
    void aCorruptedCacheIsOneLineForTheUserAndTheDefaultsRun() throws IOException {
        TestBackends.open("opencl");
        Path file;
        try (OpenClBackend be = new OpenClBackend(new BackendOptions(null, null, false, null))) {
            file = cache.resolve(be.tuningKey().fileName());
        }
        Files.createDirectories(cache);
        Files.write(file, new byte[] {'{', 0, (byte) 0xff, '"'});
        Object[] r = MainTest.run("kernels", "bench", "--backend", "opencl", "--op", "matmul", "--sizes", "32", "--precision", "fp32",
                "--variants", "regblock", "--min-seconds", "0.01", "--no-baseline");
        String out = (String) r[1];
        assertEquals(0, r[0], out + r[2]);
        assertEquals(1, out.lines().filter(l -> l.startsWith("note: ignoring the tuning cache " + file)).count(), out);
        assertTrue(tunedLine(out, Precision.FP32).contains("defaults (" + file + " is unreadable)"), out);
        assertEquals("", ((String) r[2]).replaceAll("(?m)^WARNING: Using incubator.*\\n", ""), "no stack trace");
    }

    @Test
    void nonsenseOptionsAreOneLineEach() {
        String[][] cases = {
            {"the cpu backend has no tunable kernels", "kernels", "tune", "--backend", "cpu", "--budget", "1"},
            {"--budget -1.0: must be a number of seconds", "kernels", "tune", "--backend", "cpu", "--budget", "-1"},
            {"--budget NaN: must be a number of seconds", "kernels", "tune", "--backend", "cpu", "--budget", "NaN"},
            {"--compile-only is for --backend cuda", "kernels", "tune", "--backend", "opencl", "--compile-only", "3"},
            {"matmul size 0: must be at least 1", "kernels", "tune", "--backend", "cpu", "--sizes", "0"},
            {"--timeout 0.0: must be a number of seconds above 0", "kernels", "check", "--backend", "cpu", "--timeout", "0"},
            {"unknown backend 'vulkan'", "kernels", "tune", "--backend", "vulkan"},
        };
        for (String[] c : cases) {
            String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            Object[] r = MainTest.run(args);
            String err = ((String) r[2]).replaceAll("(?m)^WARNING: Using incubator.*\\n", "");
            assertEquals(1, r[0], String.join(" ", args) + "\n" + r[1] + err);
            assertTrue(err.startsWith("scratchnet: ") && err.contains(c[0]) && err.lines().count() == 1, String.join(" ", args) + ": " + err);
        }
    }

    /** A copy of the repository's kernels/ with out-of-bounds writes, a hang and a crash planted in four kernels. */
    static Path planted(Path dir) throws IOException {
        TestKernels.copyOfKernels(dir);
        Path tensor = dir.resolve("opencl/tensor.cl");
        String t = Files.readString(tensor);
        t = plant(t, "        x[i] = alpha * x[i];\n    }\n", "    if (i == n - 1) {\n        x[n + 1] = 7;\n    }\n");
        t = plant(t, "        y[i] = alpha * x[i] + y[i];\n    }\n", "    if (i == 0) {\n        y[-3] = 7;\n    }\n");
        t = plant(t, "        x[i] = value;\n    }\n", "    if (n == 91) {\n        for (;;) {\n            x[i % n] += value;\n        }\n    }\n");
        Files.writeString(tensor, t);
        Path optim = dir.resolve("opencl/optim.cl");
        Files.writeString(optim, plant(Files.readString(optim), "        p[i] -= lr * g[i];\n    }\n",
                "    if (n == 91) {\n        p[i + (1 << 28)] = 1;\n    }\n"));
        return dir;
    }

    @Test
    void trainingOnEditedKernelsStopsWithOneLineWhenOneWritesPastItsBuffer(@TempDir Path tmp) throws IOException {
        TestBackends.open("opencl");
        Path copy = TestKernels.copyOfKernels(tmp.resolve("copy"));
        Path bad = TestKernels.copyOfKernels(tmp.resolve("bad"));
        Path optim = bad.resolve("opencl/optim.cl");
        Files.writeString(optim, plant(Files.readString(optim), "        p[i] -= lr * g[i];\n    }\n",
                "    if (i == n - 1) {\n        p[n] = 7;\n    }\n"));

        Path plain = tmp.resolve("plain.json"), edited = tmp.resolve("edited.json");
        Object[] a = MainTest.run("workshop", "moons", "--backend", "opencl", "--epochs", "50", "--json", plain.toString());
        Object[] b = MainTest.run("workshop", "moons", "--backend", "opencl", "--epochs", "50", "--json", edited.toString(),
                "--kernels", copy.toString());
        assertEquals(0, a[0], a[1] + "" + a[2]);
        assertEquals(0, b[0], b[1] + "" + b[2]);
        assertFalse(((String) a[1]).contains("guard zones"), "the jar's kernels run without them: " + a[1]);
        assertTrue(((String) b[1]).contains("guard zones: kernels from " + copy + ", so every buffer has "), (String) b[1]);
        assertEquals(withoutTimes(plain), withoutTimes(edited), "guard zones change no result");

        Path out = tmp.resolve("bad.json");
        Object[] r = MainTest.run("workshop", "moons", "--backend", "opencl", "--epochs", "50", "--json", out.toString(),
                "--kernels", bad.toString());
        String err = ((String) r[2]).replaceAll("(?m)^WARNING: Using incubator.*\\n", "");
        assertEquals(1, r[0], r[1] + err);
        assertTrue(err.startsWith("scratchnet: sgd_update wrote past the end of argument p (") && err.lines().count() == 1, err);
        assertFalse(Files.exists(out), "no results from a run whose kernel wrote out of bounds");
    }

    private static String withoutTimes(Path json) throws IOException {
        return Files.readString(json).replaceAll("\"train_seconds\":[0-9.eE+-]+", "");
    }

    private static String plant(String source, String after, String code) {
        int at = source.indexOf(after);
        assertTrue(at >= 0, "the kernel to plant into has changed: " + after);
        return source.substring(0, at + after.length()) + code + source.substring(at + after.length());
    }

    @Test
    void kernelsThatWriteOutOfBoundsNeverEndOrCrashFailTheirChecksAndTheRestGoOn(@TempDir Path tmp) throws IOException {
        TestBackends.open("opencl");
        Path dir = planted(tmp);
        long start = System.nanoTime();
        Object[] r = MainTest.run("kernels", "check", "--backend", "opencl", "--kernels", dir.toString(), "--small", "--precision",
                "fp32", "--timeout", "20", "--only", "scale,axpy,fill,sgd_update");
        double seconds = (System.nanoTime() - start) / 1e9;
        String out = (String) r[1];
        assertEquals(1, r[0], out + r[2]);
        List<String> fails = out.lines().filter(l -> l.contains(" FAIL ")).toList();
        for (String shape : new String[] {"1×1", "7×13", "17×9"}) {
            assertTrue(fails.stream().anyMatch(l -> l.startsWith("scale ") && l.contains(shape)
                    && l.contains("FAIL scale wrote past the end of argument x (")), out);
            assertTrue(fails.stream().anyMatch(l -> l.startsWith("axpy ") && l.contains(shape)
                    && l.contains("FAIL axpy wrote before the start of argument y (")), out);
        }
        assertTrue(fails.stream().anyMatch(l -> l.startsWith("fill ") && l.contains("7×13") && l.contains("FAIL timed out: still running after 20 s")),
                out);
        assertTrue(fails.stream().anyMatch(l -> l.startsWith("sgd_update ") && l.contains("7×13") && l.contains("FAIL crashed the checking process")),
                out);
        assertEquals(8, fails.size(), out);
        java.util.regex.Matcher report = java.util.regex.Pattern.compile("the JVM's report: (\\S+)").matcher(out);
        while (report.find()) {
            Files.deleteIfExists(Path.of(report.group(1)));   // the crashed child's fatal-error file, named in the result
        }
        assertTrue(out.contains("12 checks, 4 passed, 8 failed on opencl"), "the checks after each failure ran:\n" + out);
        assertTrue(seconds < 20 + 2 * CheckSupervisor.STARTUP_SECONDS, "took " + seconds + " s");
    }

    @Test
    void theOclgrindScriptExitsOneOnAFinding(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isRegularFile(Path.of("ci/oclgrind-check.sh")), "ci/oclgrind-check.sh is not beside the tests");
        TestBackends.open("opencl");   // Oclgrind is a driver behind the OpenCL loader
        assumeTrue(Stream.of("/usr/lib", "/usr/local/lib").map(Path::of).filter(Files::isDirectory).anyMatch(d -> {
            try (Stream<Path> s = Files.walk(d, 4)) {
                return s.anyMatch(p -> p.getFileName().toString().equals("liboclgrind-rt-icd.so"));
            } catch (IOException | java.io.UncheckedIOException e) {
                return false;
            }
        }), "Oclgrind is not installed (apt-get install oclgrind)");
        Path dir = planted(tmp.resolve("kernels"));
        ProcessBuilder pb = new ProcessBuilder("bash", "ci/oclgrind-check.sh", "--kernels", dir.toString(), "--precision", "fp32",
                "--only", "scale").redirectErrorStream(true);
        pb.environment().put("SCRATCHNET_CP", System.getProperty("java.class.path"));
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "the script did not finish");
        assertEquals(1, p.exitValue(), log);
        assertTrue(log.contains("Invalid write") && log.contains("oclgrind-check: FAILED"), log);
        assertFalse(log.contains("no out-of-bounds access"), log);
    }
}
