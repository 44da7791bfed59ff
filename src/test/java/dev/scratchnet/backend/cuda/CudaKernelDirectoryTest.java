package dev.scratchnet.backend.cuda;

import dev.scratchnet.backend.BackendOptions;
import dev.scratchnet.backend.KernelBuildException;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Tensor;
import dev.scratchnet.testing.TestKernels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code --kernels DIR} with the CUDA backend on scratchnet's emulated driver: the sources are
 * compiled with nvcc into the cache and loaded, and the emulated driver runs only the kernels
 * compiled into it, so PTX of edited sources is refused as a driver refuses PTX, in the backend's
 * one line. A stand-in nvcc (a shell script) shows the cache and the refusal where the CUDA toolkit
 * is absent; with the real nvcc, an unchanged copy of the kernels runs.
 */
class CudaKernelDirectoryTest {
    @TempDir
    Path tmp;
    private String oldCache;

    @BeforeEach
    void cacheInTmp() {
        oldCache = System.getProperty("scratchnet.cuda.cache");
        System.setProperty("scratchnet.cuda.cache", tmp.resolve("cache").toString());
    }

    @AfterEach
    void restore() {
        System.clearProperty("scratchnet.nvcc");
        if (oldCache == null) {
            System.clearProperty("scratchnet.cuda.cache");
        } else {
            System.setProperty("scratchnet.cuda.cache", oldCache);
        }
    }

    /** A stand-in for nvcc: writes "PTX" naming its source, or fails like nvcc on a source that says BROKEN. */
    private Path fakeNvcc() throws IOException {
        Path script = tmp.resolve("fake-nvcc");
        Files.writeString(script, String.join("\n",
                "#!/usr/bin/env bash",
                "if [[ $1 == --version ]]; then echo 'Cuda compilation tools, release 0.0 (a stand-in)'; exit 0; fi",
                "out=''; src=''",
                "while (($#)); do case $1 in -o) out=$2; shift 2;; *) src=$1; shift;; esac; done",
                "if grep -q BROKEN \"$src\"; then echo \"$src(1): error: identifier \\\"BROKEN\\\" is undefined\"; exit 2; fi",
                "printf '//\\n// PTX from a stand-in nvcc for %s\\n//\\n.version 9.0\\n.target sm_75\\n.address_size 64\\n' \"$src\" > \"$out\"",
                ""));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        System.setProperty("scratchnet.nvcc", script.toString());
        return script;
    }

    @Test
    void ptxTheEmulatedDriverWasNotBuiltWithIsRefusedInOneLine() throws IOException {
        EmulatedCuda.require();
        fakeNvcc();
        Path kernels = TestKernels.copyOfKernels(tmp.resolve("kernels"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new CudaBackend(new BackendOptions(kernels, 0)));
        String line = e.getMessage();
        assertFalse(line.contains("\n"), line);
        assertTrue(line.matches("loading the CUDA module .*/cache/tensor-[0-9a-f]{24}\\.ptx failed: CUDA_ERROR_INVALID_PTX: a PTX JIT"
                + " compilation failed \\[scratchnet emulated CUDA driver: this text \\(PTX\\?\\) image \\(\\d+ bytes, SHA-256"
                + " [0-9a-f]{16}\\.\\.\\.\\) is not one this build produced; the emulation runs only the kernels compiled into it"
                + " \\(rebuild with mvn package after editing kernels/cuda\\)\\]"), line);
        // the sources went through the cache once
        try (Stream<Path> cached = Files.list(tmp.resolve("cache"))) {
            assertEquals(1, cached.filter(p -> p.getFileName().toString().startsWith("tensor-")).count());
        }
        Path cached = CudaModules.compile(dev.scratchnet.backend.KernelSource.of(new BackendOptions(kernels, null)), "tensor");
        assertTrue(Files.readString(cached).contains("stand-in nvcc for " + kernels.resolve("cuda").resolve("tensor.cu")));
    }

    @Test
    void aSourceNvccCannotCompileNamesItsFile() throws IOException {
        EmulatedCuda.require();
        fakeNvcc();
        Path kernels = TestKernels.copyOfKernels(tmp.resolve("kernels"));
        Path cu = kernels.resolve("cuda").resolve("tensor.cu");
        Files.writeString(cu, Files.readString(cu) + "\nBROKEN\n");
        KernelBuildException e = assertThrows(KernelBuildException.class, () -> new CudaBackend(new BackendOptions(kernels, 0)));
        String line = e.getMessage().split("\n")[0];
        assertTrue(line.startsWith("CUDA kernels failed to build: nvcc could not compile " + cu), line);
        assertTrue(line.contains("BROKEN"), line);
    }

    @Test
    void anUnchangedCopyOfTheKernelsRunsThroughNvccOnTheEmulatedDriver() throws IOException {
        EmulatedCuda.require();
        assumeTrue(CudaKernelsOnCpuTest.available("nvcc") || Files.isExecutable(Path.of("/usr/local/cuda/bin/nvcc")), "nvcc not found");
        Path kernels = TestKernels.copyOfKernels(tmp.resolve("kernels"));
        try (CudaBackend be = new CudaBackend(new BackendOptions(kernels, 0)); Tensor t = be.zeros(3, 3, Precision.FP32)) {
            be.fill(t, 5);
            assertEquals(5.0, be.download(t).get(2, 2));
        }
        Path cu = kernels.resolve("cuda").resolve("tensor.cu");
        Files.writeString(cu, Files.readString(cu).replace("x[i] = value;", "x[i] = value * 2;"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new CudaBackend(new BackendOptions(kernels, 0)));
        assertTrue(e.getMessage().contains("CUDA_ERROR_INVALID_PTX") && e.getMessage().contains("is not one this build produced"),
                e.getMessage());
    }
}
