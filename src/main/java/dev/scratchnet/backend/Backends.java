package dev.scratchnet.backend;

import dev.scratchnet.backend.cpu.CpuBackend;
import dev.scratchnet.backend.cuda.CudaBackend;
import dev.scratchnet.backend.cuda.CudaProbe;
import dev.scratchnet.backend.opencl.OpenClBackend;
import dev.scratchnet.backend.opencl.OpenClProbe;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which backends exist, which can run here, and which one to use. {@code auto} takes CUDA where a
 * driver and a GPU answer (never scratchnet's emulated driver), else an OpenCL GPU, else the CPU
 * backend, and says in one line what it chose and why it passed over the others. Probing never throws.
 */
public final class Backends {
    public static final List<String> NAMES = List.of("cpu", "opencl", "cuda");

    /** A created backend and the line that explains the choice. */
    public static final class Selection {
        public final Backend backend;
        public final String explanation;

        Selection(Backend backend, String explanation) {
            this.backend = backend;
            this.explanation = explanation;
        }
    }

    private Backends() {
    }

    /** What probing {@code name} finds; never throws. */
    public static Probe probe(String name) {
        switch (checkName(name)) {
            case "cpu":
                return Probe.available("cpu", "always available", List.of(cpuDevice()));
            case "opencl":
                return OpenClProbe.probe();
            case "cuda":
                return CudaProbe.probe();
            default:
                throw new IllegalStateException(name);
        }
    }

    public static List<Probe> probeAll() {
        List<Probe> all = new ArrayList<>();
        for (String name : NAMES) {
            all.add(probe(name));
        }
        return all;
    }

    /**
     * The backend the user asked for: {@code requested} if not null, else {@code SCRATCHNET_BACKEND},
     * else {@code auto}.
     */
    public static Selection select(String requested, BackendOptions options) {
        boolean tf32 = options != null && options.tf32;
        String name = requestedName(requested);
        if (tf32 && !name.equals("auto") && !name.equals("cuda")) {
            throw new IllegalArgumentException(BackendOptions.tf32Refusal("this is the " + name + " backend"));
        }
        Selection s = selectAny(requested, options);
        if (tf32 && !s.backend.name().equals("cuda")) {
            s.backend.close();
            throw new IllegalArgumentException(BackendOptions.tf32Refusal("auto chose the " + s.backend.name() + " backend: "
                    + s.explanation.replaceFirst("^backend: ", "")));
        }
        return s;
    }

    private static Selection selectAny(String requested, BackendOptions options) {
        String name = requestedName(requested);
        if (!name.equals("auto")) {
            Backend b = create(name, options);
            return new Selection(b, "backend: " + name + " (" + b.deviceName() + ")");
        }
        List<String> passed = new ArrayList<>();
        Probe cuda = probe("cuda");
        if (cuda.available && !cuda.hasGpu()) {
            // scratchnet's emulated driver: never chosen unless asked for by name
            passed.add("cuda (" + cuda.devices.get(0).name + ": use --backend cuda to run on it)");
        } else if (cuda.available) {
            try {
                Backend b = create("cuda", options);
                return new Selection(b, "backend: cuda (" + b.deviceName() + ")");
            } catch (RuntimeException | LinkageError e) {
                passed.add("cuda (" + e.getMessage() + ")");
            }
        } else {
            passed.add("cuda (" + cuda.reason + ")");
        }
        Probe opencl = probe("opencl");
        if (opencl.available && opencl.hasGpu()) {
            try {
                Backend b = create("opencl", options);
                return new Selection(b, "backend: opencl (" + b.deviceName() + "); passed over " + String.join(", ", passed));
            } catch (RuntimeException | LinkageError e) {
                passed.add("opencl (" + e.getMessage() + ")");
            }
        } else if (opencl.available) {
            passed.add("opencl (no GPU device; found " + opencl.devices.get(0).name
                    + ": use --backend opencl to run on it)");
        } else {
            passed.add("opencl (" + opencl.reason + ")");
        }
        if (options != null && options.device != null && options.device != 0) {
            throw new IllegalArgumentException("--device " + options.device + ": auto chose the cpu backend, which has one device, 0; "
                    + "passed over " + String.join(", ", passed));
        }
        Backend cpu = new CpuBackend();
        return new Selection(cpu, "backend: cpu (" + cpu.deviceName() + "); passed over " + String.join(", ", passed));
    }

    /**
     * The backend asked for, checked: {@code requested} if given, else {@code SCRATCHNET_BACKEND},
     * else "auto". A bad name is refused in one line that says where it came from.
     */
    public static String requestedName(String requested) {
        String name = requested;
        String from = "";
        if (name == null || name.isBlank()) {
            String env = System.getenv("SCRATCHNET_BACKEND");
            name = env == null || env.isBlank() ? "auto" : env;
            from = env == null || env.isBlank() ? "" : "SCRATCHNET_BACKEND=";
        }
        String key = name.trim().toLowerCase(Locale.ROOT);
        if (!key.equals("auto") && !NAMES.contains(key)) {
            throw new IllegalArgumentException("unknown backend " + (from.isEmpty() ? "'" + name + "'" : from + "'" + name + "'")
                    + ": expected auto, cpu, opencl or cuda");
        }
        return key;
    }

    /** Creates the named backend, or throws with the reason it cannot run here. */
    public static Backend create(String name, BackendOptions options) {
        String key = checkName(name);
        if (key.equals("cpu")) {
            if (options != null && options.device != null && options.device != 0) {
                throw new IllegalArgumentException("--device " + options.device + ": the cpu backend has one device, 0");
            }
            return new CpuBackend();
        }
        Probe p = probe(key);
        if (!p.available) {
            throw new IllegalArgumentException("the " + key + " backend cannot run here: " + p.reason);
        }
        if (key.equals("opencl")) {
            return new OpenClBackend(options);
        }
        return new CudaBackend(options);
    }

    private static String checkName(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (!NAMES.contains(key)) {
            throw new IllegalArgumentException("unknown backend '" + name + "': expected auto, cpu, opencl or cuda");
        }
        return key;
    }

    /** The machine's physical memory (what the operating system reports), or 0 if it cannot be read. */
    public static long physicalMemory() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getTotalMemorySize();
        }
        return 0;
    }

    /** Bytes as "5.9 GiB". */
    public static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    private static DeviceInfo cpuDevice() {
        long physical = physicalMemory();
        long heap = Runtime.getRuntime().maxMemory();
        return new DeviceInfo("cpu", 0, System.getProperty("os.arch") + " CPU", "CPU", physical > 0 ? physical : heap, true,
                "Java " + Runtime.version().feature() + ", " + Runtime.getRuntime().availableProcessors() + " cores, "
                        + "Java heap limit " + gib(heap) + " (-Xmx), "
                        + (CpuBackend.vectorApiAvailable() ? "Vector API matmul"
                        : "plain-loop matmul (start Java with --add-modules jdk.incubator.vector for the fast one)"));
    }
}
