package dev.scratchnet.backend.cuda;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.cli.Main;
import dev.scratchnet.testing.TestBackends;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CUDA backend from the command line: {@code kernels check} passes on it, and where the driver
 * is scratchnet's emulated one, it says so everywhere a user looks ({@code devices}, what
 * {@code auto} picks), the commands that report speed refuse it, and it is used only when asked
 * for (the probe in a child JVM started without SCRATCHNET_CUDA_DRIVER=emulated refuses it, and
 * one without any libcuda.so.1 says there is none).
 */
class CudaCommandLineTest {
    /** Exit status, standard output, standard error. */
    static Object[] run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Object[] {status, out.toString(), err.toString()};
    }

    /**
     * Runs the command line in a child JVM with this JVM's environment changed by {@code env} (a
     * null value removes the variable) and its coverage agent; returns {exit status, output}.
     */
    static Object[] runInChildJvm(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-javaagent:") || a.startsWith("--add-modules")) {
                cmd.add(a);
            }
        }
        cmd.addAll(dev.scratchnet.testing.ChildJvm.nativeAccess());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (e.getValue() == null) {
                pb.environment().remove(e.getKey());
            } else {
                pb.environment().put(e.getKey(), e.getValue());
            }
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the child JVM did not finish: " + out);
        }
        return new Object[] {p.exitValue(), out.replace("WARNING: Using incubator modules: jdk.incubator.vector\n", "")};
    }

    private static String line(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError(prefix + " missing:\n" + out));
    }

    @Test
    void kernelsCheckPassesOnCuda() {
        Backend be = TestBackends.open("cuda");
        Object[] r = run("kernels", "check", "--backend", "cuda");
        assertEquals(0, r[0], r[1] + "\n" + r[2]);
        String out = (String) r[1];
        assertFalse(out.contains("FAIL"), out);
        for (String v : CudaBackend.GEMM_VARIANTS) {
            assertTrue(out.contains("matmul " + v), v + " not checked:\n" + out);
        }
        // device 0 reports compute capability 9.0: matmul_tf32 is checked too, in fp32 only (TF32's tolerance)
        assertTrue(out.lines().anyMatch(l -> l.contains("matmul " + CudaBackend.TF32_VARIANT + " ") && l.contains("fp32")), out);
        assertFalse(out.lines().anyMatch(l -> l.contains("matmul " + CudaBackend.TF32_VARIANT + " ") && l.contains("fp64")), out);
        assertTrue(out.matches("(?s).*\\n(\\d+) checks, \\1 passed, 0 failed on cuda \\(" + java.util.regex.Pattern.quote(be.deviceName())
                + "\\)\\n"), out);
    }

    @Test
    void tf32RunsOnCudaAndIsRefusedInOneLineWhereItCannot() {
        EmulatedCuda.require();
        Object[] r = run("workshop", "xor-scratch", "--backend", "cuda", "--tf32", "--epochs", "2");
        assertEquals(0, r[0], (String) r[2]);
        assertTrue(((String) r[1]).contains("--tf32: fp32 matrix products use TF32 tensor cores (matmul_tf32: inputs rounded to 10"
                + " mantissa bits, fp32 sums); fp64 products are not affected\n"), (String) r[1]);
        String need = "scratchnet: --tf32: TF32 tensor cores need the cuda backend on a device of compute capability 8.0 or later (";
        String[][] refused = {
                {"this is the cpu backend)", "workshop", "xor-scratch", "--backend", "cpu", "--tf32"},
                {"this is the opencl backend)", "train", "--data", "xor", "--backend", "opencl", "--tf32"},
                {"this one, scratchnet CUDA device 1, emulated on the CPU: 7.5)", "workshop", "xor-scratch", "--backend", "cuda",
                        "--device", "1", "--tf32"},
                {"this one, scratchnet CUDA device 1, emulated on the CPU: 7.5)", "kernels", "check", "--backend", "cuda",
                        "--device", "1", "--tf32"}};
        for (String[] c : refused) {
            String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            r = run(args);
            assertEquals(1, r[0], String.join(" ", args));
            assertEquals(need + c[0] + "\n", r[2], String.join(" ", args));
        }
    }

    @Test
    void tf32FromTheEnvironmentIsNamedSoInItsRefusal() throws Exception {
        EmulatedCuda.require();
        Map<String, String> env = new HashMap<>();
        env.put("SCRATCHNET_TF32", "1");
        Object[] r = runInChildJvm(env, "workshop", "xor-scratch", "--backend", "cpu");
        assertEquals(1, r[0], (String) r[1]);
        assertEquals("scratchnet: SCRATCHNET_TF32=1: TF32 tensor cores need the cuda backend on a device of compute capability 8.0"
                + " or later (this is the cpu backend)\n", r[1]);
    }

    @Test
    void theEmulatedComputeCapabilityIsSettableAndABadOneIsTheProbesOneLine() throws Exception {
        EmulatedCuda.require();
        Map<String, String> env = new HashMap<>();
        env.put("SCRATCHNET_EMULATED_CC", "8.6");
        Object[] r = runInChildJvm(env, "devices");
        assertEquals(0, r[0], (String) r[1]);
        assertTrue(((String) r[1]).contains("compute capability 8.6 (TF32 tensor cores: --tf32)"), (String) r[1]);
        env.put("SCRATCHNET_EMULATED_CC", "9.0,7.5,8.0");
        r = runInChildJvm(env, "devices");
        assertEquals(0, r[0], (String) r[1]);
        assertTrue(line((String) r[1], "cuda ").matches("cuda +unavailable +cuInit failed: CUDA_ERROR_INVALID_VALUE: invalid argument"
                + " \\[scratchnet emulated CUDA driver: SCRATCHNET_EMULATED_CC='9.0,7.5,8.0': 3 compute capabilities for 2 devices"
                + " \\(give one for all, or one per device\\)\\]"), (String) r[1]);
    }

    @Test
    void theEmulatedDriverSaysWhatItIsAndAutoNeverChoosesIt() {
        EmulatedCuda.require();
        Object[] r = run("devices");
        assertEquals(0, r[0], (String) r[2]);
        String out = (String) r[1];
        assertTrue(line(out, "cuda ").matches("cuda +available +2 devices, CUDA driver API 13\\.0, scratchnet's emulated driver"
                + " \\(SCRATCHNET_CUDA_DRIVER=emulated\\)"), out);
        assertTrue(line(out, "    cuda #0").startsWith("    cuda #0  EMU  scratchnet CUDA device 0, emulated on the CPU, 4.0 GiB"), out);
        assertTrue(line(out, "    cuda #1").contains("kernels run on the CPU, nothing about speed"), out);
        assertFalse(line(out, "auto chooses: ").contains("cuda"), out);
        // the line --backend auto prints names it among what it passed over
        r = run("workshop", "xor-scratch", "--backend", "auto", "--epochs", "1");
        assertEquals(0, r[0], (String) r[2]);
        assertTrue(((String) r[1]).contains("passed over cuda (scratchnet CUDA device 0, emulated on the CPU: use --backend cuda"
                + " to run on it)"), (String) r[1]);
    }

    @Test
    void theCommandsThatReportSpeedRefuseTheEmulatedDriver() {
        EmulatedCuda.require();
        for (String[] args : new String[][] {{"kernels", "bench", "--backend", "cuda", "--op", "matmul", "--sizes", "8"},
                {"kernels", "tune", "--backend", "cuda", "--sizes", "8", "--no-save"},
                {"workshop", "bench", "--backend", "cuda", "--recipes", "xor-scratch", "--runs", "1"}}) {
            Object[] r = run(args);
            assertEquals(1, r[0], String.join(" ", args));
            String err = (String) r[2];
            assertEquals(1, err.lines().count(), err);
            assertTrue(err.startsWith("scratchnet: " + args[0] + " " + args[1] + " goes by speed, and scratchnet CUDA device 0,"
                    + " emulated on the CPU"), err);
            assertTrue(err.contains("its timings say nothing about a GPU"), err);
        }
    }

    @Test
    void theEmulatedDriverIsUsedOnlyWhenAskedFor() throws Exception {
        EmulatedCuda.require();
        Map<String, String> env = new HashMap<>();
        env.put("SCRATCHNET_CUDA_DRIVER", null);
        env.put("SCRATCHNET_BACKEND", null);
        Object[] r = runInChildJvm(env, "kernels", "check", "--backend", "cuda");
        assertEquals(1, r[0], (String) r[1]);
        assertEquals("scratchnet: the cuda backend cannot run here: the libcuda.so.1 on LD_LIBRARY_PATH is scratchnet's emulated"
                + " driver (kernels on the CPU, for tests); set SCRATCHNET_CUDA_DRIVER=emulated to use it, or take"
                + " target/cuda-emulator off LD_LIBRARY_PATH\n", r[1]);
    }

    @Test
    void withoutAnyDriverTheProbeSaysThereIsNone() throws Exception {
        EmulatedCuda.require();   // the emulated driver is here only through LD_LIBRARY_PATH: without it there is none
        Map<String, String> env = new HashMap<>();
        env.put("LD_LIBRARY_PATH", null);
        env.put("SCRATCHNET_BACKEND", null);
        Object[] r = runInChildJvm(env, "devices");
        assertEquals(0, r[0], (String) r[1]);
        String out = (String) r[1];
        assertTrue(line(out, "cuda ").matches("cuda +unavailable +no libcuda\\.so\\.1 \\(no NVIDIA driver on this machine\\)"), out);
    }

    @Test
    void aBadEmulatorDeviceListIsTheProbesOneLine() throws Exception {
        EmulatedCuda.require();
        Map<String, String> env = new HashMap<>();
        env.put("SCRATCHNET_CUDA_EMULATOR_DEVICES", "4096,lots");
        Object[] r = runInChildJvm(env, "devices");
        assertEquals(0, r[0], (String) r[1]);
        assertTrue(line((String) r[1], "cuda ").matches("cuda +unavailable +cuInit failed: CUDA_ERROR_INVALID_VALUE: invalid argument"
                + " \\[scratchnet emulated CUDA driver: SCRATCHNET_CUDA_EMULATOR_DEVICES='4096,lots': expected a comma list of device"
                + " memory sizes in MiB, 1 to 1048576\\]"), (String) r[1]);
    }
}
