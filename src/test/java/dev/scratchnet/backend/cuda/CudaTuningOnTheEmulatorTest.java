package dev.scratchnet.backend.cuda;

import dev.scratchnet.backend.BackendOptions;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Tensor;
import dev.scratchnet.backend.tuning.RefusedConfiguration;
import dev.scratchnet.backend.tuning.TileParams;
import dev.scratchnet.backend.tuning.TuningCache;
import dev.scratchnet.backend.tuning.TuningSpace;
import dev.scratchnet.cli.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CUDA backend's tile parameters on scratchnet's emulated driver: a device refuses tiles its
 * limits cannot hold, and the driver runs only the modules its build produced, so tuned modules
 * (matmul.cu compiled with other tile sizes) are refused as a driver refuses PTX, the backend keeps
 * its defaults and says why, and its answers stay right. nvcc is a stand-in script here (the
 * property scratchnet.nvcc), so this runs where the CUDA toolkit is absent; caches are temporary.
 */
class CudaTuningOnTheEmulatorTest {
    @TempDir
    Path tmp;
    private String oldCache;

    @BeforeEach
    void standInNvccAndTemporaryCaches() throws IOException {
        EmulatedCuda.require();
        oldCache = System.getProperty("scratchnet.cuda.cache");
        System.setProperty("scratchnet.cuda.cache", tmp.resolve("cuda-cache").toString());
        Path script = tmp.resolve("fake-nvcc");
        Files.writeString(script, String.join("\n",
                "#!/usr/bin/env bash",
                "if [[ $1 == --version ]]; then echo 'Cuda compilation tools, release 0.0 (a stand-in)'; exit 0; fi",
                "out=''; args=\"$*\"",
                "while (($#)); do case $1 in -o) out=$2; shift 2;; *) shift;; esac; done",
                "printf '//\\n// PTX from a stand-in nvcc: %s\\n//\\n.version 9.0\\n.target sm_75\\n.address_size 64\\n' \"$args\" > \"$out\"",
                ""));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        System.setProperty("scratchnet.nvcc", script.toString());
        forgetNvccLookup();
    }

    /** CudaModules looks for nvcc once a JVM: forget the answer, so the stand-in is found here and the real one after. */
    private static void forgetNvccLookup() {
        try {
            java.lang.reflect.Field f = CudaModules.class.getDeclaredField("nvccFound");
            f.setAccessible(true);
            f.set(null, null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @AfterEach
    void restore() {
        System.clearProperty("scratchnet.nvcc");
        forgetNvccLookup();
        if (oldCache == null) {
            System.clearProperty("scratchnet.cuda.cache");
        } else {
            System.setProperty("scratchnet.cuda.cache", oldCache);
        }
    }

    private CudaBackend small(Path tuningCache) {
        return new CudaBackend(new BackendOptions(null, EmulatedCuda.SMALL, false, tuningCache));
    }

    /** A legal configuration of the space other than its defaults. */
    private static TileParams other(TuningSpace s) {
        return s.enumerate().stream().filter(t -> !t.equals(s.defaults())).findFirst().orElseThrow();
    }

    @Test
    void aDeviceRefusesTilesItsLimitsCannotHold() {
        try (CudaBackend be = small(tmp.resolve("tuning"))) {
            TileParams wide = CudaTuning.WARPTILE.defaults().with("BM", 256).with("BN", 256).with("WM", 32).with("WN", 32);
            assertEquals("block size: 2048 threads, the device allows 1024", be.refusal("warptile", Precision.FP32, wide));
            TileParams deep = CudaTuning.BLOCKTILE.defaults().with("BM", 128).with("BN", 128).with("BK", 64).with("TM", 8).with("TN", 8);
            assertEquals("shared memory: the tiles need 131072 bytes, the device allows 49152 per block",
                    be.refusal("blocktile", Precision.FP64, deep));
            assertNull(be.refusal("warptile", Precision.FP32, CudaTuning.WARPTILE.defaults()));
            assertNull(be.refusal("vectorized", Precision.FP32, other(CudaTuning.VECTORIZED)), "nvcc (the stand-in) is here");
        }
    }

    @Test
    void tilesTheDriverWasNotBuiltWithAreRefusedAndTheDefaultsStay() {
        try (CudaBackend be = small(tmp.resolve("tuning"))) {
            for (TuningSpace s : be.tuningSpaces()) {
                TileParams t = other(s);
                RefusedConfiguration e = assertThrows(RefusedConfiguration.class, () -> be.useParams(s.variant, Precision.FP32, t));
                assertTrue(e.getMessage().startsWith("does not load: loading " + tmp.resolve("cuda-cache")), e.getMessage());
                assertTrue(e.getMessage().contains("CUDA_ERROR_INVALID_PTX: a PTX JIT compilation failed [scratchnet emulated CUDA"
                        + " driver: this text (PTX?) image"), e.getMessage());
                assertEquals(s.defaults(), be.params(s.variant, Precision.FP32));
                // the cached PTX is reused: the second refusal compiles nothing new
                long cached = count(tmp.resolve("cuda-cache"));
                assertThrows(RefusedConfiguration.class, () -> be.useParams(s.variant, Precision.FP32, t));
                assertEquals(cached, count(tmp.resolve("cuda-cache")));
            }
            TileParams illegal = CudaTuning.BLOCKTILE.defaults().with("TM", 3);
            RefusedConfiguration e = assertThrows(RefusedConfiguration.class, () -> be.useParams("blocktile", Precision.FP64, illegal));
            assertEquals(CudaTuning.BLOCKTILE.illegal(illegal), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> be.useParams("naive", Precision.FP64, CudaTuning.BLOCKTILE.defaults()));
            // and the defaults compute what they should
            try (Tensor a = be.upload(dev.scratchnet.backend.Matrix.of(new double[][] {{1, 2}, {3, 4}}), Precision.FP32);
                 Tensor c = be.zeros(2, 2, Precision.FP32)) {
                be.gemm(false, false, 1, a, a, 0, c);
                assertEquals(22.0, be.download(c).get(1, 1));
            }
        }
    }

    private static long count(Path dir) {
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            return s.count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aTunedEntryTheDriverCannotLoadIsPassedOverWithANote() {
        Path cache = tmp.resolve("tuning");
        TileParams tuned = other(CudaTuning.WARPTILE);
        try (CudaBackend first = small(cache)) {
            Map<Precision, Map<String, TileParams>> params = new EnumMap<>(Precision.class);
            params.put(Precision.FP32, Map.of("warptile", tuned));
            TuningCache.store(cache, first.tuningKey(), CudaTuning::space, params, List.of());
        }
        try (CudaBackend be = small(cache)) {
            String notes = String.join("\n", be.notes());
            assertTrue(notes.startsWith("note: the tuned warptile fp32 parameters (" + tuned + ") cannot run: does not load: "), notes);
            assertTrue(notes.endsWith("; using its defaults"), notes);
            assertEquals(CudaTuning.WARPTILE.defaults(), be.params("warptile", Precision.FP32));
            assertTrue(be.paramsOrigin(Precision.FP32).startsWith("defaults for warptile"), be.paramsOrigin(Precision.FP32));
        }
    }

    /**
     * A stand-in nvcc that hands back the build's own matmul module whatever the tile sizes asked
     * for: the emulated driver loads it, so what the backend checks after loading (the threads a
     * block each kernel allows) and keeps (the parameters, where they came from) can be seen.
     */
    private void nvccReturningTheBuiltModule() throws IOException {
        Path built = CudaKernelContractTest.BUILT;
        Path image = Files.isRegularFile(built.resolve("matmul.ptx")) ? built.resolve("matmul.ptx") : built.resolve("matmul.emu");
        Path script = tmp.resolve("nvcc-built-module");
        Files.writeString(script, String.join("\n",
                "#!/usr/bin/env bash",
                "if [[ $1 == --version ]]; then echo 'Cuda compilation tools, release 0.0 (a stand-in)'; exit 0; fi",
                "out=''",
                "while (($#)); do case $1 in -o) out=$2; shift 2;; *) shift;; esac; done",
                "cp '" + image.toAbsolutePath() + "' \"$out\"",
                ""));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        System.setProperty("scratchnet.nvcc", script.toString());
    }

    @Test
    void aLoadedModuleIsHeldToTheThreadsItsKernelsAllow() throws IOException {
        nvccReturningTheBuiltModule();
        TuningSpace s = CudaTuning.WARPTILE;
        TileParams more = null, fewer = null;
        for (TileParams t : s.enumerate()) {
            int threads = CudaTuning.threads("warptile", t);
            if (more == null && threads > 256 && threads <= 1024 && CudaTuning.sharedBytes(t, Precision.FP32) <= 48 * 1024) {
                more = t;
            }
            if (fewer == null && threads <= 256 && !t.equals(s.defaults()) && CudaTuning.sharedBytes(t, Precision.FP32) <= 48 * 1024) {
                fewer = t;
            }
        }
        TileParams tooMany = more, fits = fewer;
        try (CudaBackend be = small(tmp.resolve("tuning"))) {
            // the module's matmul_warptile is built for 256 threads a block (__launch_bounds__)
            RefusedConfiguration e = assertThrows(RefusedConfiguration.class, () -> be.useParams("warptile", Precision.FP32, tooMany));
            assertEquals("registers: matmul_warptile compiled allows 256 threads per block, the configuration needs "
                    + CudaTuning.threads("warptile", tooMany), e.getMessage());
            assertEquals(s.defaults(), be.params("warptile", Precision.FP32));
            try {
                be.useParams("warptile", Precision.FP32, fits);
            } catch (RefusedConfiguration r) {
                throw new AssertionError(r.getMessage());
            }
            assertEquals(fits, be.params("warptile", Precision.FP32));
            assertEquals("set by the tuner", be.paramsOrigin(Precision.FP32));
            assertTrue(be.describeParams(List.of(Precision.FP32)).get(0).contains("warptile " + fits), be.describeParams(List.of(Precision.FP32)).toString());
        }
    }

    @Test
    void compileOnlyFillsTheCacheWithoutADevice() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.run(new String[] {"kernels", "tune", "--backend", "cuda", "--compile-only", "1", "--precision", "fp32"},
                new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, status, err.toString());
        String o = out.toString();
        assertTrue(o.contains("compiling up to 1 candidates per variant and precision into " + tmp.resolve("cuda-cache")), o);
        assertTrue(o.trim().endsWith("3 candidates compiled"), o);
    }
}
