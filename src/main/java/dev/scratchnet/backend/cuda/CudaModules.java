package dev.scratchnet.backend.cuda;

import dev.scratchnet.backend.KernelBuildException;
import dev.scratchnet.backend.KernelSource;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Loads the kernel modules of {@code kernels/cuda}, one per file. From the jar: the fatbin nvcc
 * made during the build (machine code for sm_80 and sm_90), else its PTX (NUL-terminated, for the
 * driver to compile). From a directory ({@code --kernels DIR}): each {@code .cu} compiled with nvcc
 * to PTX into a cache keyed by the SHA-256 of the source and common.cuh, so an edited kernel is
 * compiled once and runs on the next start. On scratchnet's emulated driver, a jar built without
 * nvcc offers the stand-in images the emulator's build wrote ({@code kernels/cuda/*.emu}); no other
 * driver is given them.
 */
final class CudaModules {
    /** The kernel files, as in kernels/cuda. */
    static final String[] FILES = {"tensor", "activations", "softmax", "loss", "reduce", "optim", "matmul"};

    private final List<CUmodule> modules = new ArrayList<>();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final Map<String, CUmodule> moduleOf = new HashMap<>();
    private final String origin;
    /** Whether matmul's module carries matmul_tf32's tensor-core code: the jar's fatbin, or the emulation (CPU code). */
    private final boolean tf32Code;

    CudaModules(KernelSource source, boolean emulated) {
        boolean matmulTf32 = false;
        for (String file : FILES) {
            byte[] image;
            String what;
            if (source.directory() != null) {
                Path ptx = compile(source, file);
                image = nulTerminated(readAll(ptx));
                what = ptx.toString();
            } else {
                byte[] fatbin = source.readBytesOrNull("cuda/" + file + ".fatbin");
                byte[] ptx = fatbin != null ? null : source.readBytesOrNull("cuda/" + file + ".ptx");
                byte[] emu = fatbin != null || ptx != null || !emulated ? null : source.readBytesOrNull("cuda/" + file + ".emu");
                if (fatbin == null && ptx == null && emu == null) {
                    throw new IllegalStateException("CUDA kernels not built: this build of scratchnet ran without nvcc, so the jar has"
                            + " no kernels/cuda/" + file + ".fatbin; install the CUDA toolkit and rebuild (mvn package), or start with"
                            + " --kernels DIR to compile them now");
                }
                String kind = fatbin != null ? ".fatbin" : ptx != null ? ".ptx" : ".emu";
                if (file.equals("matmul")) {
                    // the fatbin has sm_80/sm_90 code and compute_80 PTX; the .ptx is compute_75 (matmul_tf32 traps there)
                    matmulTf32 = fatbin != null || emulated;
                }
                image = fatbin != null ? fatbin : nulTerminated(ptx != null ? ptx : emu);
                what = source.origin("cuda/" + file + kind);
            }
            CUmodule module = new CUmodule();
            int result = JCudaDriver.cuModuleLoadData(module, image);
            if (result != CUresult.CUDA_SUCCESS) {
                close();
                throw new IllegalStateException("loading the CUDA module " + what + " failed: " + CudaErrors.explain(result));
            }
            modules.add(module);
            moduleOf.put(file, module);
        }
        origin = source.directory() == null ? "the jar" : source.directory().resolve("cuda").toString();
        tf32Code = matmulTf32;
    }

    /** Whether matmul_tf32 has its tensor-core code here (else it traps: compute_75 PTX). */
    boolean tf32Code() {
        return tf32Code;
    }

    /** Where the kernels come from: "the jar" or the --kernels directory's cuda/. */
    String origin() {
        return origin;
    }

    /** The function {@code name} (with its _f32/_f64 suffix) from the module of {@code file}. */
    CUfunction function(String file, String name) {
        CUfunction f = functions.get(name);
        if (f == null) {
            f = new CUfunction();
            int result = JCudaDriver.cuModuleGetFunction(f, moduleOf.get(file), name);
            if (result != CUresult.CUDA_SUCCESS) {
                throw new IllegalStateException("CUDA kernel '" + name + "' is missing from " + file + ".cu (" + origin + "): "
                        + CudaErrors.explain(result));
            }
            functions.put(name, f);
        }
        return f;
    }

    void close() {
        for (CUmodule m : modules) {
            JCudaDriver.cuModuleUnload(m);
        }
        modules.clear();
        functions.clear();
        tuned.values().forEach(JCudaDriver::cuModuleUnload);
        tuned.clear();
        tunedFunctions.clear();
    }

    // ---- the tuner's modules: one matmul variant in one precision, with its tile parameters ---

    private final Map<String, CUmodule> tuned = new HashMap<>();
    private final Map<String, CUfunction> tunedFunctions = new HashMap<>();

    /**
     * Loads {@code ptx} as the module called {@code key}, replacing the one loaded under that key
     * before; throws with the driver's reason when it does not load.
     */
    void loadTuned(String key, byte[] ptx, Path from) {
        CUmodule module = new CUmodule();
        int result = JCudaDriver.cuModuleLoadData(module, nulTerminated(ptx));
        if (result != CUresult.CUDA_SUCCESS) {
            throw new IllegalStateException("loading " + from + " failed: " + CudaErrors.explain(result));
        }
        CUmodule old = tuned.put(key, module);
        tunedFunctions.keySet().removeIf(k -> k.startsWith(key + "/"));
        if (old != null) {
            JCudaDriver.cuModuleUnload(old);
        }
    }

    /** Where the PTX of matmul.cu from {@code source} compiled with {@code defines} is cached (it may not be there). */
    static Path matmulPtx(KernelSource source, String defines) {
        String key = sha256(source.read("cuda/matmul.cu") + "\0" + source.read("cuda/common.cuh") + "\0" + NVCC_FLAGS + "\0" + defines);
        return cacheDirectory().resolve("matmul-" + key.substring(0, 24) + ".ptx");
    }

    private static Boolean nvccFound;

    /** Whether nvcc runs here (looked up once). */
    static synchronized boolean nvccAvailable() {
        if (nvccFound == null) {
            try {
                nvcc();
                nvccFound = true;
            } catch (IllegalStateException e) {
                nvccFound = false;
            }
        }
        return nvccFound;
    }

    /** The function {@code name} of the module loaded under {@code key}. */
    CUfunction tunedFunction(String key, String name) {
        CUfunction f = tunedFunctions.get(key + "/" + name);
        if (f == null) {
            f = new CUfunction();
            int result = JCudaDriver.cuModuleGetFunction(f, tuned.get(key), name);
            if (result != CUresult.CUDA_SUCCESS) {
                throw new IllegalStateException("CUDA kernel '" + name + "' is missing from the tuned module " + key + ": "
                        + CudaErrors.explain(result));
            }
            tunedFunctions.put(key + "/" + name, f);
        }
        return f;
    }

    /**
     * matmul.cu (with common.cuh) from {@code source} compiled to PTX with {@code defines}: from the
     * cache if it holds it (keyed by the sources, the flags and the defines), else compiled now with
     * nvcc. Throws with the reason (no nvcc and not cached; nvcc's first error).
     */
    static Path compileMatmul(KernelSource source, String defines) {
        String cu = source.read("cuda/matmul.cu");
        String common = source.read("cuda/common.cuh");
        Path cached = matmulPtx(source, defines);
        if (Files.isRegularFile(cached)) {
            return cached;
        }
        String nvcc;
        try {
            nvcc = nvcc();
        } catch (IllegalStateException e) {
            throw new IllegalStateException("no PTX for it in " + cacheDirectory() + " and no nvcc to compile it (install the CUDA"
                    + " toolkit, or compile candidates where nvcc is with 'scratchnet kernels tune --backend cuda --compile-only')");
        }
        try {
            Path src = cacheDirectory().resolve("src-" + sha256(cu + "\0" + common).substring(0, 24));
            Files.createDirectories(src);
            if (!Files.isRegularFile(src.resolve("matmul.cu")) || !Files.isRegularFile(src.resolve("common.cuh"))) {
                dev.scratchnet.io.AtomicFile.writeString(src.resolve("common.cuh"), common);
                dev.scratchnet.io.AtomicFile.writeString(src.resolve("matmul.cu"), cu);
            }
            Path tmp = Files.createTempFile(cached.getParent(), "matmul", ".ptx.tmp");
            List<String> cmd = new ArrayList<>(List.of(nvcc));
            cmd.addAll(NVCC_FLAGS);
            cmd.addAll(List.of(defines.trim().split("\\s+")));
            cmd.addAll(List.of("-I", src.toString(), "-o", tmp.toString(), src.resolve("matmul.cu").toString()));
            Process p = dev.scratchnet.io.ChildProcess.notJava(cmd).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                Files.deleteIfExists(tmp);
                throw new IllegalStateException("nvcc did not finish within 300 s");
            }
            if (p.exitValue() != 0) {
                Files.deleteIfExists(tmp);
                throw new KernelBuildException("nvcc could not compile matmul.cu with " + defines + ": "
                        + KernelBuildException.firstError(log) + "\n" + log.strip());
            }
            Files.move(tmp, cached, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return cached;
        } catch (IOException e) {
            throw new UncheckedIOException("compiling matmul.cu with " + defines + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while nvcc compiled matmul.cu", e);
        }
    }

    // ---- nvcc for --kernels DIR --------------------------------------------------------------

    static final List<String> NVCC_FLAGS = List.of("-std=c++17", "-ptx", "-arch=compute_75", "--Werror", "all-warnings");

    /** DIR/cuda/FILE.cu compiled to PTX in the cache (compiled only when the cache lacks it). */
    static Path compile(KernelSource source, String file) {
        Path dir = source.directory().resolve("cuda");
        Path cu = dir.resolve(file + ".cu");
        String key = sha256(source.read("cuda/" + file + ".cu") + "\0" + source.read("cuda/common.cuh") + "\0" + NVCC_FLAGS);
        Path cached = cacheDirectory().resolve(file + "-" + key.substring(0, 24) + ".ptx");
        if (Files.isRegularFile(cached)) {
            return cached;
        }
        String nvcc = nvcc();
        try {
            Files.createDirectories(cached.getParent());
            Path tmp = Files.createTempFile(cached.getParent(), file, ".ptx.tmp");
            List<String> cmd = new ArrayList<>(List.of(nvcc));
            cmd.addAll(NVCC_FLAGS);
            cmd.addAll(List.of("-I", dir.toString(), "-o", tmp.toString(), cu.toString()));
            Process p = dev.scratchnet.io.ChildProcess.notJava(cmd).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("nvcc did not finish compiling " + cu + " within 300 s");
            }
            if (p.exitValue() != 0) {
                Files.deleteIfExists(tmp);
                throw new KernelBuildException("CUDA kernels failed to build: nvcc could not compile " + cu + ": "
                        + KernelBuildException.firstError(log) + "\n" + log.strip());
            }
            Files.move(tmp, cached, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return cached;
        } catch (IOException e) {
            throw new UncheckedIOException("compiling " + cu + " with " + nvcc + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while nvcc compiled " + cu, e);
        }
    }

    /** The nvcc command to try first: $NVCC, else "nvcc". */
    static String nvcc0() {
        String env = System.getenv("NVCC");
        return env == null || env.isBlank() ? "nvcc" : env;
    }

    /** The nvcc to run: the property scratchnet.nvcc, else $NVCC, else nvcc on PATH, else /usr/local/cuda/bin/nvcc. */
    static String nvcc() {
        for (String candidate : new String[] {System.getProperty("scratchnet.nvcc"), System.getenv("NVCC"), "nvcc",
                "/usr/local/cuda/bin/nvcc"}) {
            if (candidate == null || candidate.isBlank()) {
                continue;
            }
            try {
                Process p = dev.scratchnet.io.ChildProcess.notJava(candidate, "--version").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
            } catch (IOException e) {
                // try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("--kernels DIR with the CUDA backend compiles DIR/cuda/*.cu with nvcc, and there is no"
                + " nvcc on PATH (install the CUDA toolkit, or set NVCC)");
    }

    /** $XDG_CACHE_HOME/scratchnet/cuda, else ~/.cache/scratchnet/cuda (the property scratchnet.cuda.cache overrides). */
    static Path cacheDirectory() {
        String property = System.getProperty("scratchnet.cuda.cache");
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("scratchnet").resolve("cuda");
    }

    static byte[] read(Path p) {
        return readAll(p);
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readAll(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + p + ": " + e.getMessage(), e);
        }
    }

    /** PTX is text; cuModuleLoadData wants it NUL-terminated. */
    static byte[] nulTerminated(byte[] ptx) {
        if (ptx.length > 0 && ptx[ptx.length - 1] == 0) {
            return ptx;
        }
        byte[] out = java.util.Arrays.copyOf(ptx, ptx.length + 1);
        out[ptx.length] = 0;
        return out;
    }
}
