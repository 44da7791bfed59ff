package dev.scratchnet.backend;

import java.nio.file.Path;

/**
 * Settings a backend is created with: where kernel sources come from and which device to use.
 * Each has an environment variable that a command-line option overrides.
 */
public final class BackendOptions {
    /** {@code --kernels DIR} / {@code SCRATCHNET_KERNELS}: kernel sources to load instead of the jar's. */
    public final Path kernelsDirectory;
    /** {@code --device N} / {@code SCRATCHNET_OPENCL_DEVICE} or {@code SCRATCHNET_CUDA_DEVICE}; null: the first suitable. */
    public final Integer device;
    /**
     * {@code --no-tuning} / {@code SCRATCHNET_NO_TUNING=1}: run the matmul kernels with their default
     * tile parameters even where {@code scratchnet kernels tune} stored better ones.
     */
    public final boolean noTuning;
    /** Where tuned parameters are kept; null: {@link dev.scratchnet.backend.tuning.TuningCache#directory()}. */
    public final Path tuningDirectory;
    /**
     * {@code --tf32} / {@code SCRATCHNET_TF32=1}: fp32 matrix products on the cuda backend use TF32
     * tensor cores (inputs rounded to 10 mantissa bits, fp32 accumulation), as PyTorch's allow_tf32.
     * Only the cuda backend on a device of compute capability 8.0 or later accepts it; fp64 products
     * are not affected.
     */
    public final boolean tf32;

    public BackendOptions(Path kernelsDirectory, Integer device) {
        this(kernelsDirectory, device, envNoTuning(), null, envTf32());
    }

    public BackendOptions(Path kernelsDirectory, Integer device, boolean noTuning, Path tuningDirectory) {
        this(kernelsDirectory, device, noTuning, tuningDirectory, false);
    }

    public BackendOptions(Path kernelsDirectory, Integer device, boolean noTuning, Path tuningDirectory, boolean tf32) {
        this.kernelsDirectory = kernelsDirectory;
        this.device = device;
        this.noTuning = noTuning;
        this.tuningDirectory = tuningDirectory;
        this.tf32 = tf32;
    }

    /** These options with tuning off ({@code noTuning}) or on, and the cache in {@code tuningDirectory} (null: the default). */
    public BackendOptions withTuning(boolean noTuning, Path tuningDirectory) {
        return new BackendOptions(kernelsDirectory, device, noTuning, tuningDirectory, tf32);
    }

    /** These options with TF32 tensor cores asked for ({@code tf32}) or not. */
    public BackendOptions withTf32(boolean tf32) {
        return new BackendOptions(kernelsDirectory, device, noTuning, tuningDirectory, tf32);
    }

    /** How the user asked for TF32, for messages: {@code SCRATCHNET_TF32=...} where the environment did, else {@code --tf32}. */
    public static String tf32Name() {
        return envTf32() ? "SCRATCHNET_TF32=" + System.getenv("SCRATCHNET_TF32").trim() : "--tf32";
    }

    /** The one line refusing TF32 where it cannot run: {@code where} says what this is ("the cpu backend", "this one: 7.5"). */
    public static String tf32Refusal(String where) {
        return tf32Name() + ": TF32 tensor cores need the cuda backend on a device of compute capability 8.0 or later (" + where + ")";
    }

    private static boolean envTf32() {
        return envFlag("SCRATCHNET_TF32");
    }

    /** The directory of tuned parameters these options use. */
    public Path tuningCache() {
        return tuningDirectory != null ? tuningDirectory : dev.scratchnet.backend.tuning.TuningCache.directory();
    }

    private static boolean envNoTuning() {
        return envFlag("SCRATCHNET_NO_TUNING");
    }

    /** An environment variable that is on when set to anything but blank or 0. */
    private static boolean envFlag(String name) {
        String env = System.getenv(name);
        return env != null && !env.isBlank() && !env.trim().equals("0");
    }

    /** The environment's settings, each replaced by the given value where that is not null. */
    public static BackendOptions fromEnvironment(Path kernelsDirectory, Integer device) {
        Path dir = kernelsDirectory;
        if (dir == null) {
            String env = System.getenv("SCRATCHNET_KERNELS");
            if (env != null && !env.isBlank()) {
                dir = Path.of(env);
            }
        }
        return new BackendOptions(dir, device);
    }

    public static BackendOptions defaults() {
        return fromEnvironment(null, null);
    }

    /** The device index for a backend: the option, else its environment variable, else null. */
    public Integer deviceFor(String backend) {
        if (device != null) {
            return device;
        }
        String env = System.getenv("SCRATCHNET_" + backend.toUpperCase(java.util.Locale.ROOT) + "_DEVICE");
        if (env == null || env.isBlank()) {
            return null;
        }
        try {
            return Integer.parseInt(env.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("SCRATCHNET_" + backend.toUpperCase(java.util.Locale.ROOT)
                    + "_DEVICE='" + env + "' is not a device number");
        }
    }
}
