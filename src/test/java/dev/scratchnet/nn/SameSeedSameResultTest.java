package dev.scratchnet.nn;

import dev.scratchnet.backend.Backends;
import dev.scratchnet.backend.Probe;
import dev.scratchnet.testing.TestBackends;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Same seed, same data, same options, same thread count: the same bits, whatever the JIT does.
 * {@link TrainingReplay} runs in fresh JVMs under different compilation regimes, and every loss,
 * accuracy and final weight must agree bit for bit:
 * <ul>
 *   <li>the default tiered JIT, where C2 compiles the kernels part-way through the run;</li>
 *   <li>C2 only, compiling in the foreground ({@code -XX:-TieredCompilation -Xbatch}), so the switch
 *       from interpreted to compiled code comes at other points of the run;</li>
 *   <li>the scalar kernels ({@code -Dscratchnet.cpu.kernels=scalar}, what runs without the Vector
 *       API) against the vector kernels;</li>
 *   <li>C1 only ({@code -XX:TieredStopAtLevel=1}), which never intrinsifies the Vector API and runs
 *       its Java fallback throughout (slow, so one epoch, compared with the first epoch of the
 *       others).</li>
 * </ul>
 * The Vector API's {@code EXP} failed this: C2 runs it on SVML and the fallback on
 * {@code Math.exp}, and results depended on when C2 got there.
 */
class SameSeedSameResultTest {
    private static final int EPOCHS = 3;

    /** Runs TrainingReplay in a child JVM; returns its output lines. */
    private static List<String> replay(String backend, int epochs, String... jvmFlags) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(dev.scratchnet.testing.ChildJvm.nativeAccess());
        // the thread count is part of "same options": fix it, so a product splits the same way on any machine
        cmd.addAll(List.of("-XX:ActiveProcessorCount=2", "--add-modules", "jdk.incubator.vector", "-Djava.awt.headless=true",
                "-cp", System.getProperty("java.class.path"), TrainingReplay.class.getName(), backend, Integer.toString(epochs)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("TrainingReplay " + String.join(" ", jvmFlags) + " did not finish");
        }
        assertEquals(0, p.exitValue(), "TrainingReplay " + String.join(" ", jvmFlags) + " failed:\n" + out);
        return out.lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).collect(Collectors.toList());
    }

    /** The lines of the first {@code epochs} epochs of every case (the weights only with all epochs). */
    private static List<String> firstEpochs(List<String> lines, int epochs) {
        return lines.stream().filter(l -> {
            String[] f = l.split(" ");
            return f.length > 4 && f[3].equals("epoch") && Integer.parseInt(f[4]) < epochs;
        }).collect(Collectors.toList());
    }

    /** Fails on the first line that differs, naming both versions of it. */
    private static void assertSameLines(List<String> expected, List<String> actual, String what) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                fail(what + ": line " + (i + 1) + " differs:\n  " + expected.get(i) + "\n  " + actual.get(i));
            }
        }
        assertEquals(expected.size(), actual.size(), what + ": line count\n" + String.join("\n", actual));
    }

    @Test
    void cpuTrainingGivesTheSameBitsWhicheverWayTheJitCompiles() throws Exception {
        List<String> tiered = replay("cpu", EPOCHS);
        assertEquals(TrainingReplay.CASES.size() * (EPOCHS + 1), tiered.size(), String.join("\n", tiered));
        List<String> c2Only = replay("cpu", EPOCHS, "-XX:-TieredCompilation", "-Xbatch");
        assertSameLines(tiered, c2Only, "tiered JIT against C2 only");
        assertSameLines(tiered, replay("cpu", EPOCHS, "-Dscratchnet.cpu.kernels=scalar"), "the scalar kernels against the vector ones");
        List<String> c1Only = replay("cpu", 1, "-XX:TieredStopAtLevel=1");
        assertSameLines(firstEpochs(tiered, 1), firstEpochs(c1Only, 1), "tiered JIT against C1 (the Vector API's Java fallback)");
        assertFalse(firstEpochs(c1Only, 1).isEmpty());
    }

    @Test
    void openClTrainingGivesTheSameBitsInTwoFreshRuns() throws Exception {
        Probe probe = Backends.probe("opencl");
        assumeTrue(probe.available || TestBackends.required("opencl"), "opencl unavailable: " + probe.reason);
        List<String> first = replay("opencl", 2);
        List<String> second = replay("opencl", 2, "-XX:-TieredCompilation", "-Xbatch");
        assertTrue(first.size() > TrainingReplay.CASES.size(), String.join("\n", first));
        assertSameLines(first, second, "two fresh OpenCL runs");
    }
}
