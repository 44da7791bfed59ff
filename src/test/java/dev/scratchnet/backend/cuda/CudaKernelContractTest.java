package dev.scratchnet.backend.cuda;

import dev.scratchnet.backend.KernelBuildException;
import dev.scratchnet.backend.KernelSource;
import dev.scratchnet.backend.BackendOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CUDA kernels as nvcc built them during this build: the same kernels as kernels/opencl,
 * each as _f32 and _f64 entry points, the matmul variants the backend names, and the kernels only
 * CUDA has ({@link CudaBackend#CUDA_ONLY_KERNELS}: the one-launch optimizer steps, whose arithmetic
 * is checked against the per-tensor kernels' in the PTX; OpenCL keeps one launch per tensor). Also the path an
 * edited kernel takes (--kernels DIR: nvcc into a cache). None of this needs a GPU; it needs nvcc,
 * which the build uses when it is on PATH.
 */
class CudaKernelContractTest {
    static final Path BUILT = Path.of("target", "classes", "kernels", "cuda");

    static Set<String> openClKernels() throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("kernels", "opencl"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Matcher m = Pattern.compile("__kernel\\s+(?:__attribute__\\(\\(.*?\\)\\)\\s+)?void\\s+(\\w+)", Pattern.DOTALL)
                        .matcher(Files.readString(f));
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    static Set<String> ptxEntries() throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.list(BUILT)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".ptx"))::iterator) {
                Matcher m = Pattern.compile("\\.entry\\s+(\\w+)\\(").matcher(Files.readString(f));
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    @Test
    void theBuiltModulesHoldEveryKernelOfTheContractInBothPrecisions() throws IOException {
        assumeTrue(Files.isDirectory(Path.of("kernels", "opencl")), "the repository's kernels/ is not beside the tests");
        assumeTrue(Files.isRegularFile(BUILT.resolve("matmul.ptx")), "nvcc not found: the build made no PTX in " + BUILT);
        for (String file : CudaModules.FILES) {
            assertTrue(Files.isRegularFile(BUILT.resolve(file + ".ptx")), file + ".ptx missing");
            assertTrue(Files.isRegularFile(BUILT.resolve(file + ".fatbin")), file + ".fatbin missing");
        }
        Set<String> cuda = ptxEntries();
        Set<String> expected = new TreeSet<>();
        for (String k : openClKernels()) {
            if (!k.startsWith("matmul_")) {
                expected.add(k);
            }
        }
        for (String v : CudaBackend.GEMM_VARIANTS) {
            expected.add("matmul_" + v);
        }
        for (String k : CudaBackend.CUDA_ONLY_KERNELS) {
            assertTrue(!openClKernels().contains(k), k + " is in kernels/opencl too: take it off CudaBackend.CUDA_ONLY_KERNELS");
            expected.add(k);
        }
        Set<String> wanted = new TreeSet<>();
        for (String k : expected) {
            wanted.add(k + "_f32");
            wanted.add(k + "_f64");
        }
        wanted.add("matmul_" + CudaBackend.TF32_VARIANT + "_f32");   // TF32 has no fp64 form
        assertEquals(wanted, cuda, "the PTX entry points against the OpenCL kernels, CudaBackend.GEMM_VARIANTS, TF32_VARIANT and"
                + " CUDA_ONLY_KERNELS");
        String ptx = Files.readString(BUILT.resolve("tensor.ptx"));
        assertTrue(ptx.contains(".target sm_75"), "PTX for compute_75");
    }

    /** The body of the PTX entry {@code name} in {@code ptx}: from its .entry to the next one (or the end). */
    static String entryBody(String ptx, String name) {
        int at = ptx.indexOf(".entry " + name + "(");
        assertTrue(at >= 0, name + " is not in the PTX");
        int next = ptx.indexOf(".entry ", at + 1);
        return ptx.substring(at, next < 0 ? ptx.length() : next);
    }

    /** The floating-point instructions of a PTX entry, in order (fma.rn.f32, mul.rn.f64, sqrt.rn.f32, ...). */
    static java.util.List<String> floatingPointInstructions(String body) {
        java.util.List<String> ops = new java.util.ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\s*((?:fma|mul|add|sub|div|sqrt|rcp|neg|abs|max|min)\\.[a-z.]*f(?:32|64))\\s").matcher(body);
        while (m.find()) {
            ops.add(m.group(1));
        }
        return ops;
    }

    @Test
    void eachOneLaunchOptimizerStepComputesAsItsPerTensorKernelDoes() throws IOException {
        assumeTrue(Files.isRegularFile(BUILT.resolve("optim.ptx")), "nvcc not found: the build made no PTX in " + BUILT);
        String ptx = Files.readString(BUILT.resolve("optim.ptx"));
        for (String multi : CudaBackend.CUDA_ONLY_KERNELS) {
            String single = multi.substring(0, multi.length() - "_multi".length());
            for (String suffix : new String[] {"_f32", "_f64"}) {
                java.util.List<String> want = floatingPointInstructions(entryBody(ptx, single + suffix));
                assertTrue(!want.isEmpty(), single + suffix + " has floating-point instructions");
                assertEquals(want, floatingPointInstructions(entryBody(ptx, multi + suffix)), multi + suffix + " against " + single + suffix
                        + ": the same element update (optim.cu's NAME_element), the same rounding, so the same bits");
            }
        }
    }

    @Test
    void theTf32KernelTrapsInTheCompute75PtxAndUsesTheTensorCoresFromCompute80(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isRegularFile(BUILT.resolve("matmul.ptx")), "nvcc not found: the build made no PTX in " + BUILT);
        String kernel = "matmul_" + CudaBackend.TF32_VARIANT + "_f32";
        String old = entryBody(Files.readString(BUILT.resolve("matmul.ptx")), kernel);
        assertTrue(old.contains("trap;"), "compute_75 has no TF32 tensor cores: the kernel traps there");
        assertTrue(!old.contains("mma.sync"), "and has no mma");
        // the fatbin's sm_80/sm_90 code and compute_80 PTX come from the same source compiled for compute_80
        Path ptx80 = tmp.resolve("matmul80.ptx");
        String nvcc = CudaModules.nvcc();
        Process p = dev.scratchnet.io.ChildProcess.notJava(nvcc, "-std=c++17", "-ptx", "-arch=compute_80", "-I", "kernels/cuda", "-o", ptx80.toString(),
                "kernels/cuda/matmul.cu").redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), log);
        String body = entryBody(Files.readString(ptx80), kernel);
        assertTrue(!body.contains("trap;"), "compute_80: the real kernel");
        assertTrue(body.contains("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32"), "the m16n8k8 TF32 mma");
        assertTrue(body.contains("cvt.rna.tf32.f32"), "inputs rounded to TF32 with cvt.rna");
    }

    @Test
    void anEditedKernelIsCompiledOnceIntoTheCacheAndABrokenOneNamesItsFile(@TempDir Path tmp) throws IOException {
        assumeTrue(CudaKernelsOnCpuTest.available("nvcc") || Files.isExecutable(Path.of("/usr/local/cuda/bin/nvcc")), "nvcc not found");
        Path kernels = tmp.resolve("kernels");
        Files.createDirectories(kernels.resolve("cuda"));
        for (String f : new String[] {"tensor.cu", "common.cuh"}) {
            Files.copy(Path.of("kernels", "cuda", f), kernels.resolve("cuda").resolve(f));
        }
        String old = System.getProperty("scratchnet.cuda.cache");
        System.setProperty("scratchnet.cuda.cache", tmp.resolve("cache").toString());
        try {
            KernelSource source = KernelSource.of(new BackendOptions(kernels, null));
            Path first = CudaModules.compile(source, "tensor");
            assertTrue(Files.readString(first).contains(".entry fill_f32("), "the PTX holds the kernels");
            long modified = Files.getLastModifiedTime(first).toMillis();
            assertEquals(first, CudaModules.compile(source, "tensor"), "the same source comes from the cache");
            assertEquals(modified, Files.getLastModifiedTime(first).toMillis(), "and is not compiled again");

            Path cu = kernels.resolve("cuda/tensor.cu");
            Files.writeString(cu, Files.readString(cu).replace("x[i] = value;", "x[i] = value * 2;"));
            Path second = CudaModules.compile(source, "tensor");
            assertTrue(!second.equals(first), "an edited source gets a new cache entry");

            Files.writeString(cu, Files.readString(cu).replace("x[i] = value * 2;", "x[i] = undeclared_thing;"));
            KernelBuildException e = assertThrows(KernelBuildException.class, () -> CudaModules.compile(source, "tensor"));
            String line = e.getMessage().split("\n")[0];
            assertTrue(line.startsWith("CUDA kernels failed to build: nvcc could not compile " + cu), line);
            assertTrue(line.contains("undeclared_thing"), line);
        } finally {
            if (old == null) {
                System.clearProperty("scratchnet.cuda.cache");
            } else {
                System.setProperty("scratchnet.cuda.cache", old);
            }
        }
    }

    @Test
    void ptxIsNulTerminatedForTheDriver() {
        assertArrayEquals(new byte[] {'a', 'b', 0}, CudaModules.nulTerminated(new byte[] {'a', 'b'}));
        assertArrayEquals(new byte[] {'a', 0}, CudaModules.nulTerminated(new byte[] {'a', 0}));
    }

    @Test
    void theSoftmaxBlockIsAWholeNumberOfWarpsAtMost256() {
        assertEquals(32, CudaBackend.softmaxBlock(1));
        assertEquals(32, CudaBackend.softmaxBlock(32));
        assertEquals(64, CudaBackend.softmaxBlock(33));
        assertEquals(256, CudaBackend.softmaxBlock(5000));
    }
}
