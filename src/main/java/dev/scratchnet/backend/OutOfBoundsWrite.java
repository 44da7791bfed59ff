package dev.scratchnet.backend;

/**
 * A kernel wrote outside one of its buffers: found in the guard zones a backend puts on both sides
 * of every buffer while {@code scratchnet kernels check} runs. The message names the kernel and the
 * argument: "scale wrote past the end of argument x (...)".
 */
public final class OutOfBoundsWrite extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public OutOfBoundsWrite(String message) {
        super(message);
    }
}
