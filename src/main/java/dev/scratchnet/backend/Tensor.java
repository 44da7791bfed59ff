package dev.scratchnet.backend;

/**
 * A dense row-major matrix in a backend's memory (a device buffer for the GPU backends, a Java
 * array for the CPU backend). A tensor is {@link AutoCloseable}: closing it returns its memory, and
 * the backend's {@link Backend#bytesInUse()} counts what is still held, so a leak shows in a test.
 *
 * <p>{@link #topRows(int)} gives a view of the first rows that shares the storage: the way a
 * smaller last batch reuses the buffers of a full one. Closing a view does nothing; using a view
 * after its owner is closed is an error.
 */
public abstract class Tensor implements AutoCloseable {
    private final Backend backend;
    private final int rows;
    private final int cols;
    private final Precision precision;
    private final Tensor owner;
    private boolean closed;

    protected Tensor(Backend backend, int rows, int cols, Precision precision, Tensor owner) {
        this.backend = backend;
        this.rows = rows;
        this.cols = cols;
        this.precision = precision;
        this.owner = owner;
    }

    public final Backend backend() {
        return backend;
    }

    public final int rows() {
        return rows;
    }

    public final int cols() {
        return cols;
    }

    public final int size() {
        return rows * cols;
    }

    public final Precision precision() {
        return precision;
    }

    /** Bytes of storage this tensor's elements take. */
    public final long bytes() {
        return (long) size() * precision.bytes();
    }

    public final String shape() {
        return rows + "×" + cols;
    }

    /** True for a view made by {@link #topRows(int)}. */
    public final boolean isView() {
        return owner != null;
    }

    public final boolean isClosed() {
        return owner != null ? owner.isClosed() : closed;
    }

    /** A view of the first {@code n} rows, sharing this tensor's storage. */
    public final Tensor topRows(int n) {
        if (n < 1 || n > rows) {
            throw new IllegalArgumentException("topRows(" + n + ") of a " + shape() + " tensor: expected 1.." + rows);
        }
        if (n == rows) {
            return this;
        }
        return createView(n, owner != null ? owner : this);
    }

    /** Creates a view of the first {@code n} rows whose storage belongs to {@code root}. */
    protected abstract Tensor createView(int n, Tensor root);

    /** The tensor whose storage this one uses: itself, or the owner of a view. */
    protected final Tensor root() {
        return owner != null ? owner : this;
    }

    @Override
    public final void close() {
        if (owner != null || closed) {
            return;
        }
        closed = true;
        backend.release(this);
    }

    @Override
    public String toString() {
        return backend.name() + " " + precision + " tensor " + shape() + (isView() ? " (view)" : "");
    }
}
