package dev.scratchnet.backend;

/** One device a backend found, as {@code scratchnet devices} lists it. */
public final class DeviceInfo {
    public final String backend;
    /** The index {@code --device N} selects. */
    public final int index;
    public final String name;
    /** GPU, CPU, accelerator. */
    public final String type;
    public final long memoryBytes;
    public final boolean fp64;
    /** Platform, driver, compute capability: whatever else is worth a glance. */
    public final String details;

    public DeviceInfo(String backend, int index, String name, String type, long memoryBytes, boolean fp64, String details) {
        this.backend = backend;
        this.index = index;
        this.name = name;
        this.type = type;
        this.memoryBytes = memoryBytes;
        this.fp64 = fp64;
        this.details = details;
    }

    public boolean isGpu() {
        return "GPU".equals(type);
    }

    @Override
    public String toString() {
        return String.format("%s #%d  %-4s %s, %.1f GiB, fp64 %s%s", backend, index, type, name,
                memoryBytes / (1024.0 * 1024 * 1024), fp64 ? "yes" : "no", details.isEmpty() ? "" : " (" + details + ")");
    }
}
