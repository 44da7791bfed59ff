package dev.scratchnet.backend.opencl;

import dev.scratchnet.cli.Main;
import dev.scratchnet.testing.ChildJvm;
import dev.scratchnet.testing.TestBackends;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * PoCL's LLVM installs its own SIGSEGV and SIGBUS handlers (SA_RESETHAND) over the JVM's, which raises
 * SIGSEGV on purpose (safepoint polls, implicit null checks): a JVM that had compiled OpenCL kernels once
 * died in CI with "Segmentation fault" and no error report. The JDK's signal-chaining library (libjsig,
 * preloaded by the launcher and, for the tests, by Maven) keeps the JVM's handlers first. Seen through
 * {@code -Xcheck:jni}, whose periodic check prints "SIGSEGV handler modified!" when a library replaced one.
 */
class SignalChainingTest {
    private static final Path JSIG = Path.of(System.getProperty("java.home"), "lib", "libjsig.so");

    @Test
    void theTestJvmRunsWithSignalChaining() throws IOException {
        assumeTrue(Files.isRegularFile(JSIG), "this JDK has no " + JSIG);
        assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "no /proc/self/maps to look in");
        assertTrue(Files.readString(Path.of("/proc/self/maps")).contains("libjsig.so"),
                "the test JVM must have " + JSIG + " preloaded (pom.xml: LD_PRELOAD, profile signal-chaining)");
    }

    @Test
    void withLibjsigOpenClLeavesTheJvmsSignalHandlersInPlace() throws Exception {
        TestBackends.open("opencl");
        assumeTrue(Files.isRegularFile(JSIG), "this JDK has no " + JSIG);
        String chained = devicesUnderCheckJni(JSIG.toString());
        assertTrue(chained.lines().anyMatch(l -> l.startsWith("opencl ") && l.contains("available")), chained);
        assertFalse(chained.contains("handler modified"), chained);
        // the hazard itself, where the OpenCL driver is PoCL (NVIDIA's installs no handlers)
        String bare = devicesUnderCheckJni("");
        if (bare.contains("Portable Computing Language")) {
            assertTrue(bare.contains("Warning: SIGSEGV handler modified!"), "without libjsig, PoCL's LLVM replaces it:\n" + bare);
        }
    }

    /** {@code scratchnet devices} in a child JVM with -Xcheck:jni and LD_PRELOAD as given (empty: none). */
    private static String devicesUnderCheckJni(String preload) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xcheck:jni"));
        cmd.addAll(ChildJvm.nativeAccess());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "devices"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (preload.isEmpty()) {
            pb.environment().remove("LD_PRELOAD");
        } else {
            pb.environment().put("LD_PRELOAD", preload);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }
}
