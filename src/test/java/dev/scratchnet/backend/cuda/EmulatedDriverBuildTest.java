package dev.scratchnet.backend.cuda;

import dev.scratchnet.backend.BackendOptions;
import dev.scratchnet.backend.KernelSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What native/cuda-emulator/build.sh made: a libcuda.so.1 that defines every driver function
 * JCuda's native library links against (the list it keeps is JCuda's), exports nothing else, and
 * whose modules hold the same kernels with the same launch bounds as nvcc's PTX of the same sources.
 */
class EmulatedDriverBuildTest {
    static final Path LIB = Path.of("target", "cuda-emulator", "lib", "libcuda.so.1");
    static final String JCUDA_DRIVER = "lib/libJCudaDriver-12.6.0-linux-x86_64.so";

    static void requireBuilt() {
        assumeTrue(Files.isRegularFile(LIB), "the emulated CUDA driver was not built (no g++): " + LIB);
    }

    static Set<String> nm(Path lib, String which) throws Exception {
        String out = CudaKernelsOnCpuTest.run(List.of("nm", "-D", which, lib.toString()), 60, Map.of());
        assertTrue(out.startsWith("0\n"), out);
        return out.lines().skip(1).map(l -> l.trim().split("\\s+")).map(f -> f[f.length - 1]).map(s -> s.replaceAll("@.*", ""))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void theDriverDefinesEveryFunctionJCudaLinksAndExportsNothingElse(@TempDir Path tmp) throws Exception {
        requireBuilt();
        Path jcuda = tmp.resolve("libJCudaDriver.so");
        try (InputStream in = EmulatedDriverBuildTest.class.getClassLoader().getResourceAsStream(JCUDA_DRIVER)) {
            assumeTrue(in != null, JCUDA_DRIVER + " is not on the class path (jcuda-natives for linux-x86_64)");
            Files.copy(in, jcuda);
        }
        Set<String> needed = nm(jcuda, "--undefined-only").stream().filter(s -> s.startsWith("cu"))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> listed = Files.readAllLines(Path.of("native", "cuda-emulator", "jcuda-driver-symbols.txt")).stream()
                .filter(l -> !l.startsWith("#") && !l.isBlank()).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(needed, listed, "native/cuda-emulator/jcuda-driver-symbols.txt against " + JCUDA_DRIVER);
        Set<String> exported = nm(LIB, "--defined-only");
        Set<String> missing = new TreeSet<>(needed);
        missing.removeAll(exported);
        assertEquals(Set.of(), missing, "functions JCuda links that the emulated driver lacks");
        Set<String> extra = exported.stream().filter(s -> !needed.contains(s)).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("cuEventElapsedTime_v2", "sn_emu_not_emulated"), extra,
                "only the driver API is exported");
    }

    /** Kernel name to module, from each module's .emu stand-in image. */
    static Map<String, String> emulatedEntries() {
        Map<String, String> out = new TreeMap<>();
        KernelSource source = KernelSource.of(BackendOptions.defaults());
        for (String file : CudaModules.FILES) {
            byte[] emu = source.readBytesOrNull("cuda/" + file + ".emu");
            assertTrue(emu != null, file + ".emu missing from the build");
            String text = new String(emu, StandardCharsets.US_ASCII);
            assertTrue(text.contains("\n.module " + file + "\n"), text);
            for (String line : text.split("\n")) {
                if (line.startsWith(".entry ")) {
                    out.put(line.split(" ")[1], file);
                }
            }
        }
        return out;
    }

    @Test
    @SuppressWarnings("try")
    void theEmulatedModulesHoldNvccsKernelsWithTheSameLaunchBounds() throws IOException {
        requireBuilt();
        EmulatedCuda.require();
        Path built = CudaKernelContractTest.BUILT;
        assumeTrue(Files.isRegularFile(built.resolve("matmul.ptx")), "nvcc not found: the build made no PTX in " + built);
        Pattern entry = Pattern.compile("\\.entry\\s+(\\w+)\\((?:[^)]*)\\)\\s*((?:\\.maxntid\\s+(\\d+),\\s*(\\d+),\\s*(\\d+))?)");
        Map<String, String> ptxModule = new TreeMap<>();
        try (EmulatedCuda.Context ctx = new EmulatedCuda.Context()) {
            for (String file : CudaModules.FILES) {
                jcuda.driver.CUmodule m = new jcuda.driver.CUmodule();
                EmulatedCuda.ok(jcuda.driver.JCudaDriver.cuModuleLoadData(m, EmulatedCuda.image(file)));
                Matcher k = entry.matcher(Files.readString(built.resolve(file + ".ptx")));
                while (k.find()) {
                    ptxModule.put(k.group(1), file);
                    int bound = k.group(3) == null ? 1024
                            : Integer.parseInt(k.group(3)) * Integer.parseInt(k.group(4)) * Integer.parseInt(k.group(5));
                    jcuda.driver.CUfunction f = new jcuda.driver.CUfunction();
                    EmulatedCuda.ok(jcuda.driver.JCudaDriver.cuModuleGetFunction(f, m, k.group(1)));
                    int[] max = new int[1];
                    EmulatedCuda.ok(jcuda.driver.JCudaDriver.cuFuncGetAttribute(max,
                            jcuda.driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, f));
                    assertEquals(bound, max[0], k.group(1) + ": threads a block, nvcc's .maxntid against the emulated driver's");
                }
            }
        }
        assertEquals(ptxModule, emulatedEntries(), "kernels by module: nvcc's PTX against the emulated modules");
    }

    @Test
    void theEmulatedModulesHoldTheContract() throws IOException {
        requireBuilt();
        Set<String> want = new TreeSet<>();
        for (String k : CudaKernelContractTest.openClKernels()) {
            if (!k.startsWith("matmul_")) {
                want.add(k + "_f32");
                want.add(k + "_f64");
            }
        }
        for (String v : CudaBackend.GEMM_VARIANTS) {
            want.add("matmul_" + v + "_f32");
            want.add("matmul_" + v + "_f64");
        }
        want.add("matmul_" + CudaBackend.TF32_VARIANT + "_f32");   // fp32 only
        for (String k : CudaBackend.CUDA_ONLY_KERNELS) {   // the one-launch optimizer steps: no OpenCL counterpart
            want.add(k + "_f32");
            want.add(k + "_f64");
        }
        assertEquals(want, emulatedEntries().keySet());
    }
}
