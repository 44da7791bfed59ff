package dev.scratchnet.backend.tuning;

/**
 * A setting of tile parameters that the device will not run, with the reason in one line: more
 * local (shared) memory than it has, a work-group larger than it allows, more registers than fit,
 * or a kernel that does not compile with those values.
 */
public final class RefusedConfiguration extends Exception {
    private static final long serialVersionUID = 1L;

    public RefusedConfiguration(String reason) {
        super(reason);
    }
}
