package dev.scratchnet.backend;

import java.util.Locale;

/**
 * Checks, before a large allocation, that it can fit in the Java heap at all, so a size that never
 * could (a header claiming two million images, a layer of 10^8 units) is refused in one line that
 * says what needs how much, instead of an OutOfMemoryError part-way through.
 */
public final class HostMemory {
    private HostMemory() {
    }

    /** The heap limit (-Xmx, or Java's default of a quarter of the machine's memory). */
    public static long heapLimit() {
        return Runtime.getRuntime().maxMemory();
    }

    /** Refuses {@code bytes} more than the heap limit: "{@code context}: {@code what} needs X GiB, ...". */
    public static void require(long bytes, String what, String context) {
        long limit = heapLimit();
        if (bytes > limit || bytes < 0) {
            throw new IllegalArgumentException((context == null ? "" : context + ": ") + what + " needs " + size(bytes < 0 ? Long.MAX_VALUE : bytes)
                    + ", more than Java's heap limit of " + size(limit) + advice());
        }
    }

    /** What a user can do about a heap that is too small. */
    public static String advice() {
        return " (give Java more with -Xmx, e.g. SCRATCHNET_JAVA_OPTS=-Xmx16g ./scratchnet ..., or ask for less)";
    }

    /** Bytes as "5.9 GiB" or "120 MiB". */
    public static String size(long bytes) {
        double gib = bytes / (1024.0 * 1024 * 1024);
        return gib >= 1 ? String.format(Locale.ROOT, "%.1f GiB", gib) : String.format(Locale.ROOT, "%.0f MiB", bytes / (1024.0 * 1024));
    }
}
