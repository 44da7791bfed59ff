package dev.scratchnet.backend.cuda;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every CUDA kernel, compiled with g++ against native/cuda-emulator/cuda_on_cpu.h (each CUDA thread a
 * fiber, __syncthreads and the warp shuffles as barriers) and run on the CPU against a plain
 * reference, in float and double, with AddressSanitizer watching every access: the kernels'
 * indexing, bounds, barriers and reductions are checked on machines without a GPU. What only a
 * GPU can show (speed, the driver, PTX) is not.
 */
class CudaKernelsOnCpuTest {

    static String run(List<String> cmd, long timeoutSeconds, java.util.Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = dev.scratchnet.io.ChildProcess.notJava(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd.get(0) + " did not finish in " + timeoutSeconds + " s");
        }
        return p.exitValue() + "\n" + out;
    }

    static boolean available(String tool) {
        try {
            Process p = dev.scratchnet.io.ChildProcess.notJava(tool, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void everyCudaKernelMatchesTheReferenceOnTheCpuEmulation() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("kernels/cuda")), "the repository's kernels/cuda is not beside the tests");
        assumeTrue(available("g++"), "no g++ to build the CUDA kernels for the CPU");
        Path dir = Files.createDirectories(Path.of("target", "cuda-on-cpu"));
        Path exe = dir.resolve("kernels_on_cpu_test");
        List<String> compile = List.of("g++", "-std=c++17", "-O1", "-g", "-fsanitize=address,undefined", "-fno-omit-frame-pointer",
                "-Wall", "-Wno-unused-function", "-Wno-unknown-pragmas", "-I", "kernels/cuda", "-I", "native/cuda-emulator", "-include",
                "cuda_on_cpu.h", "src/test/cuda/kernels_on_cpu_test.cpp", "-o", exe.toString());
        // compiled again only when a source or the command changed (a second test run in CI reuses it)
        StringBuilder inputs = new StringBuilder(String.join(" ", compile));
        for (Path f : List.of(Path.of("src/test/cuda/kernels_on_cpu_test.cpp"), Path.of("native/cuda-emulator/cuda_on_cpu.h"))) {
            inputs.append('\0').append(Files.readString(f));
        }
        try (java.util.stream.Stream<Path> cuda = Files.list(Path.of("kernels/cuda"))) {
            for (Path f : (Iterable<Path>) cuda.sorted()::iterator) {
                inputs.append('\0').append(f.getFileName()).append('\0').append(Files.readString(f));
            }
        }
        Path key = dir.resolve("kernels_on_cpu_test.key");
        String want = CudaModules.sha256(inputs.toString());
        if (!Files.isExecutable(exe) || !Files.isRegularFile(key) || !Files.readString(key).equals(want)) {
            Files.deleteIfExists(key);
            String built = run(compile, 600, java.util.Map.of());
            assertTrue(built.startsWith("0\n"), "g++ failed:\n" + built);
            Files.writeString(key, want);
        }
        String out = run(List.of(exe.toString()), 600,
                java.util.Map.of("ASAN_OPTIONS", "detect_stack_use_after_return=0:detect_leaks=0", "UBSAN_OPTIONS", "halt_on_error=1"));
        String report = out.lines().filter(l -> l.startsWith("FAIL") || l.contains("ERROR") || l.contains("runtime error")
                || l.matches("\\d+ passed.*")).limit(40).reduce("", (a, b) -> a + b + "\n");
        assertTrue(out.startsWith("0\n"), "the CUDA kernels failed on the CPU emulation:\n" + report);
        Matcher m = Pattern.compile("(?m)^(\\d+) passed, (\\d+) failed$").matcher(out);
        assertTrue(m.find(), out);
        assertEquals(0, Integer.parseInt(m.group(2)), report);
        assertTrue(Integer.parseInt(m.group(1)) >= 900, "fewer checks than expected ran: " + m.group());
        assertTrue(!out.contains("ERROR: AddressSanitizer"), "AddressSanitizer: " + report);
    }
}
