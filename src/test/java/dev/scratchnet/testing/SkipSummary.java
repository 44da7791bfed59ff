package dev.scratchnet.testing;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * At the end of a test run, one summary of what was skipped and why, per backend, naming what would
 * run those tests ("opencl: 234 tests skipped: no libOpenCL.so.1 (install ...)"). Registered with
 * the JUnit Platform launcher through {@code META-INF/services}, so every launcher (Surefire, an IDE,
 * the console launcher) runs it. It prints to the process's standard error, which Surefire shows on
 * Maven's console, and writes the same lines to {@code target/test-skips.txt}.
 */
public final class SkipSummary implements TestExecutionListener {
    /** What would run the skipped tests of each backend. */
    static final Map<String, String> WHAT_RUNS_THEM = Map.of(
            "opencl", "an OpenCL loader and driver run them (bash ci/install-deps.sh installs PoCL; CI requires them with SCRATCHNET_REQUIRE=opencl)",
            "cuda", "an NVIDIA GPU with its driver runs them (docs/GPU.md; SCRATCHNET_REQUIRE=cuda makes them required)",
            "cpu", "the CPU backend runs everywhere: a skip here is a bug",
            "other", "see each reason");

    /** backend → reason → count, in a stable order. */
    private final Map<String, Map<String, Integer>> skipped = new TreeMap<>();
    private int tests;

    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
        skipped.clear();
        tests = 0;
    }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        if (id.isTest()) {
            record(id, "disabled: " + reason);
        }
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (!id.isTest()) {
            return;
        }
        finished();
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            String reason = result.getThrowable().map(Throwable::getMessage).orElse("no reason given");
            record(id, reason == null ? "no reason given" : reason);
        }
    }

    private void record(TestIdentifier id, String rawReason) {
        String where = id.getSource().filter(s -> s instanceof MethodSource)
                .map(s -> ((MethodSource) s).getClassName()).orElse(id.getUniqueId());
        record(rawReason, where);
    }

    /** Counts one skipped test of class (or unique id) {@code where} with its assumption's message. */
    void record(String rawReason, String where) {
        String reason = rawReason.replaceFirst("^Assumption failed: ", "").strip();
        String backend = backendOf(reason, where);
        String prefix = backend + " unavailable: ";
        if (reason.startsWith(prefix)) {
            reason = reason.substring(prefix.length());
        }
        skipped.computeIfAbsent(backend, k -> new TreeMap<>()).merge(reason, 1, Integer::sum);
    }

    /** The backend a skip belongs to: named first in its reason, else by the test's package. */
    static String backendOf(String reason, String where) {
        String first = reason.split("[ (:]", 2)[0].toLowerCase(Locale.ROOT);
        if (WHAT_RUNS_THEM.containsKey(first) && !first.equals("other")) {
            return first;
        }
        if (where.contains(".cuda.") || where.toLowerCase(Locale.ROOT).contains("cuda")) {
            return "cuda";
        }
        if (where.contains(".opencl.") || where.toLowerCase(Locale.ROOT).contains("opencl")) {
            return "opencl";
        }
        return "other";
    }

    /** Counts one finished test. */
    void finished() {
        tests++;
    }

    /** The summary's lines. */
    List<String> lines() {
        List<String> out = new ArrayList<>();
        int total = skipped.values().stream().flatMap(m -> m.values().stream()).mapToInt(Integer::intValue).sum();
        out.add("[scratchnet] skipped tests: " + (total == 0 ? "none" : total + " of " + tests + ", by backend:"));
        skipped.forEach((backend, reasons) -> {
            int n = reasons.values().stream().mapToInt(Integer::intValue).sum();
            List<String> why = new ArrayList<>();
            reasons.forEach((r, c) -> why.add(reasons.size() == 1 ? r : r + " (" + c + ")"));
            out.add("[scratchnet]   " + backend + ": " + n + " test" + (n == 1 ? "" : "s") + " skipped: " + String.join("; ", why)
                    + "; " + WHAT_RUNS_THEM.get(backend));
        });
        return out;
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        if (tests == 0) {
            return;
        }
        List<String> lines = lines();
        // FileDescriptor.err, not System.err: Surefire replaces System.err inside the test JVM
        PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);
        err.println();   // Surefire's last console line may not have ended yet
        lines.forEach(err::println);
        err.flush();
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            try {
                Files.write(target.resolve("test-skips.txt"), lines, StandardCharsets.UTF_8);
            } catch (IOException ignored) {
                // the console has the summary
            }
        }
    }
}
