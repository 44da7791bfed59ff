package dev.scratchnet.backend;

/** A buffer of 32-bit row indices in a backend's memory: what {@code gatherRows} reads. */
public abstract class IndexBuffer implements AutoCloseable {
    private final Backend backend;
    private final int length;
    private boolean closed;

    protected IndexBuffer(Backend backend, int length) {
        this.backend = backend;
        this.length = length;
    }

    public final Backend backend() {
        return backend;
    }

    public final int length() {
        return length;
    }

    public final boolean isClosed() {
        return closed;
    }

    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            backend.release(this);
        }
    }
}
