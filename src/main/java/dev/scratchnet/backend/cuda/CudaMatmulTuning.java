package dev.scratchnet.backend.cuda;

import dev.scratchnet.backend.BackendOptions;
import dev.scratchnet.backend.KernelBuildException;
import dev.scratchnet.backend.KernelSource;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.tuning.RefusedConfiguration;
import dev.scratchnet.backend.tuning.TileParams;
import dev.scratchnet.backend.tuning.TuningCache;
import dev.scratchnet.backend.tuning.TuningKey;
import dev.scratchnet.backend.tuning.TuningSpace;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.JCudaDriver;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CUDA backend's tile parameters: which each tunable matmul variant runs with per precision,
 * where they came from, and the modules that carry them. A variant at its defaults runs from the
 * jar's module; a variant with other parameters from a module of its own (matmul.cu compiled with
 * {@link CudaTuning#defines}), loaded from the nvcc cache or compiled into it.
 */
final class CudaMatmulTuning {
    private final CudaModules modules;
    private final KernelSource source;
    private final CUdevice device;
    private final TuningKey key;
    private final TuningCache.Loaded tuned;
    private final int maxThreads;
    private final int maxShared;
    private final List<String> notes = new ArrayList<>();
    private final Map<Precision, Map<String, TileParams>> params = new EnumMap<>(Precision.class);
    private final Map<Precision, String> origins = new EnumMap<>(Precision.class);

    CudaMatmulTuning(CudaModules modules, KernelSource source, CUdevice device, String deviceName, BackendOptions options) {
        this.modules = modules;
        this.source = source;
        this.device = device;
        this.key = key(deviceName, source);
        this.maxThreads = CudaProbe.attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK);
        this.maxShared = CudaProbe.attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK);
        this.tuned = options.noTuning ? TuningCache.Loaded.none("--no-tuning")
                : TuningCache.load(options.tuningCache(), key, CudaTuning::space);
        if (tuned.note != null) {
            notes.add(tuned.note);
        }
        for (Precision p : Precision.values()) {
            Map<String, TileParams> m = new LinkedHashMap<>();
            for (TuningSpace s : CudaTuning.SPACES) {
                m.put(s.variant, s.defaults());
            }
            params.put(p, m);
            origins.put(p, tuned.origin(p));
            for (TuningSpace s : CudaTuning.SPACES) {
                TileParams t = tuned.get(p, s.variant);
                if (t != null) {
                    try {
                        use(s.variant, p, t);
                    } catch (RefusedConfiguration e) {
                        notes.add("note: the tuned " + s.variant + " " + p + " parameters (" + t + ") cannot run: " + e.getMessage()
                                + "; using its defaults");
                        origins.put(p, "defaults for " + s.variant + ", " + tuned.origin(p));
                    }
                }
            }
        }
    }

    TuningKey key() {
        return key;
    }

    /** The key of tuned parameters for a CUDA device: its name, the driver's version, the hash of the kernel sources. */
    static TuningKey key(String deviceName, KernelSource source) {
        int[] version = new int[1];
        JCudaDriver.cuDriverGetVersion(version);
        StringBuilder all = new StringBuilder();
        for (String f : CudaModules.FILES) {
            all.append(f).append('\0').append(source.read("cuda/" + f + ".cu")).append('\0');
        }
        all.append("common.cuh\0").append(source.read("cuda/common.cuh"));
        return new TuningKey("cuda", deviceName, "CUDA driver API " + version[0] / 1000 + "." + (version[0] % 1000) / 10,
                TuningKey.sha256(all.toString()));
    }

    /** Which matmul parameters a CUDA device would run with under {@code options}, per precision (scratchnet devices); never throws. */
    static List<String> describe(String deviceName, BackendOptions options) {
        try {
            TuningCache.Loaded loaded = options.noTuning ? TuningCache.Loaded.none("--no-tuning")
                    : TuningCache.load(options.tuningCache(), key(deviceName, KernelSource.of(options)), CudaTuning::space);
            return TuningCache.describe(loaded, CudaTuning.SPACES, List.of(Precision.FP32, Precision.FP64));
        } catch (RuntimeException | LinkageError e) {
            return List.of("matmul parameters: unknown (" + e.getMessage() + ")");
        }
    }

    List<String> notes() {
        return List.copyOf(notes);
    }

    TileParams params(String variant, Precision p) {
        TileParams t = params.get(p).get(variant);
        if (t == null) {
            throw new IllegalArgumentException("the CUDA matmul variant '" + variant + "' has no tile parameters");
        }
        return t;
    }

    String origin(Precision p) {
        return origins.get(p);
    }

    /** The tunable variant whose module holds {@code kernel} ("matmul_warptile", "dense_forward"), or null. */
    private static String variantOf(String kernel) {
        if (kernel.equals("dense_forward")) {
            return "blocktile";
        }
        String v = kernel.startsWith("matmul_") ? kernel.substring(7) : kernel;
        return CudaTuning.space(v) == null ? null : v;
    }

    /** The function to launch for {@code kernel} (without suffix) in {@code p}: from the variant's own module if tuned, else null. */
    CUfunction function(String kernel, Precision p) {
        String v = variantOf(kernel);
        if (v == null || params.get(p).get(v).equals(CudaTuning.space(v).defaults())) {
            return null;
        }
        return modules.tunedFunction(moduleKey(v, p), kernel + "_" + p.suffix());
    }

    private static String moduleKey(String variant, Precision p) {
        return "matmul:" + variant + ":" + p;
    }

    /** Block size and tile {threads, BM, BN} of {@code variant} (dense_forward: "blocktile") in {@code p}. */
    int[] geometry(String variant, Precision p) {
        TileParams t = params.get(p).get(variant);
        return new int[] {CudaTuning.threads(variant, t), t.get("BM"), t.get("BN")};
    }

    String refusal(String variant, Precision p, TileParams t) {
        int threads = CudaTuning.threads(variant, t);
        if (threads > maxThreads) {
            return "block size: " + threads + " threads, the device allows " + maxThreads;
        }
        long shared = CudaTuning.sharedBytes(t, p);
        if (maxShared > 0 && shared > maxShared) {
            return "shared memory: the tiles need " + shared + " bytes, the device allows " + maxShared + " per block";
        }
        if (!t.equals(CudaTuning.space(variant).defaults()) && !CudaModules.nvccAvailable()
                && !java.nio.file.Files.isRegularFile(CudaModules.matmulPtx(source, CudaTuning.defines(variant, p, t)))) {
            return "not compiled: no nvcc here, and 'kernels tune --backend cuda --compile-only' did not compile it into "
                    + CudaModules.cacheDirectory();
        }
        return null;
    }

    void use(String variant, Precision p, TileParams t) throws RefusedConfiguration {
        TuningSpace space = CudaTuning.space(variant);
        if (space == null) {
            throw new IllegalArgumentException("the CUDA matmul variant '" + variant + "' has no tile parameters");
        }
        String illegal = space.illegal(t);
        if (illegal != null) {
            throw new RefusedConfiguration(illegal);
        }
        String why = refusal(variant, p, t);
        if (why != null) {
            throw new RefusedConfiguration(why);
        }
        if (!t.equals(space.defaults())) {
            Path ptx;
            try {
                ptx = CudaModules.compileMatmul(source, CudaTuning.defines(variant, p, t));
            } catch (KernelBuildException e) {
                throw new RefusedConfiguration("does not compile: " + e.getMessage().split("\n")[0]);
            } catch (IllegalStateException e) {
                throw new RefusedConfiguration("not compiled: " + e.getMessage());
            }
            try {
                modules.loadTuned(moduleKey(variant, p), CudaModules.read(ptx), ptx);
            } catch (IllegalStateException e) {
                throw new RefusedConfiguration("does not load: " + e.getMessage());
            }
            int threads = CudaTuning.threads(variant, t);
            List<String> kernels = variant.equals("blocktile") ? List.of("matmul_blocktile", "dense_forward") : List.of("matmul_" + variant);
            for (String k : kernels) {
                CUfunction f = modules.tunedFunction(moduleKey(variant, p), k + "_" + p.suffix());
                int allowed = attribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK);
                if (allowed > 0 && allowed < threads) {
                    throw new RefusedConfiguration("registers: " + k + " compiled allows " + allowed + " threads per block, the"
                            + " configuration needs " + threads);
                }
                int spill = attribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES);
                if (spill > 0) {
                    throw new RefusedConfiguration("registers: " + k + " spills " + spill + " bytes per thread to local memory ("
                            + attribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_NUM_REGS) + " registers)");
                }
            }
        }
        params.get(p).put(variant, t);
        if (!t.equals(tuned.get(p, variant)) && !t.equals(space.defaults())) {
            origins.put(p, "set by the tuner");
        }
    }

    private static int attribute(CUfunction f, int attribute) {
        int[] v = new int[1];
        return JCudaDriver.cuFuncGetAttribute(v, attribute, f) == 0 ? v[0] : 0;
    }
}
