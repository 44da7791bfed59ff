package dev.scratchnet.backend;

/**
 * Kernel sources did not compile. The message's first line names the backend, precision, device
 * and the first error; the compiler's whole log follows, and the command line prints all of it.
 */
public final class KernelBuildException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KernelBuildException(String message) {
        super(message);
    }

    /** The first line of a compiler log that reports an error, or the first non-blank line. */
    public static String firstError(String log) {
        String first = null;
        for (String line : log.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (first == null) {
                first = line.trim();
            }
            if (line.contains("error")) {
                return line.trim();
            }
        }
        return first == null ? "(the compiler gave no log)" : first;
    }
}
