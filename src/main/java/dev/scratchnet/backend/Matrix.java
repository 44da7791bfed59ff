package dev.scratchnet.backend;

import java.util.Arrays;

/**
 * A dense row-major matrix of doubles on the host: data sets, parameters read back from a device,
 * expected values in tests. Device-side data lives in {@link Tensor}s.
 */
public final class Matrix {
    private final int rows;
    private final int cols;
    private final double[] data;

    public Matrix(int rows, int cols) {
        this(rows, cols, new double[checkedSize(rows, cols)]);
    }

    /** Wraps {@code data} (not copied); it must hold exactly {@code rows * cols} values. */
    public Matrix(int rows, int cols, double[] data) {
        int size = checkedSize(rows, cols);
        if (data.length != size) {
            throw new IllegalArgumentException("a " + rows + "×" + cols + " matrix needs " + size
                    + " values, got " + data.length);
        }
        this.rows = rows;
        this.cols = cols;
        this.data = data;
    }

    private static int checkedSize(int rows, int cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("matrix shape " + rows + "×" + cols + ": both sizes must be at least 1");
        }
        long size = (long) rows * cols;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("matrix shape " + rows + "×" + cols + " is too large for one array");
        }
        return (int) size;
    }

    /** A matrix from rows of equal length. */
    public static Matrix of(double[]... rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("a matrix needs at least one row");
        }
        int cols = rows[0].length;
        Matrix m = new Matrix(rows.length, cols);
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, row 0 has " + cols);
            }
            System.arraycopy(rows[i], 0, m.data, i * cols, cols);
        }
        return m;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public int size() {
        return data.length;
    }

    /** The backing array, row-major (not a copy). */
    public double[] data() {
        return data;
    }

    public double get(int row, int col) {
        return data[row * cols + col];
    }

    public void set(int row, int col, double value) {
        data[row * cols + col] = value;
    }

    public double[] row(int row) {
        return Arrays.copyOfRange(data, row * cols, (row + 1) * cols);
    }

    public Matrix copy() {
        return new Matrix(rows, cols, data.clone());
    }

    public Matrix transpose() {
        Matrix t = new Matrix(cols, rows);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t.data[j * rows + i] = data[i * cols + j];
            }
        }
        return t;
    }

    /** The rows at the given indices, in that order. */
    public Matrix selectRows(int[] indices) {
        Matrix m = new Matrix(indices.length, cols);
        for (int r = 0; r < indices.length; r++) {
            int src = indices[r];
            if (src < 0 || src >= rows) {
                throw new IndexOutOfBoundsException("row index " + src + " outside 0.." + (rows - 1));
            }
            System.arraycopy(data, src * cols, m.data, r * cols, cols);
        }
        return m;
    }

    /**
     * Throws with the first non-finite value's position, naming the matrix as {@code what}.
     * Training on NaN or infinity silently produces garbage, so inputs are checked on the way in.
     */
    public Matrix requireFinite(String what) {
        for (int i = 0; i < data.length; i++) {
            if (!Double.isFinite(data[i])) {
                throw new IllegalArgumentException(what + " has " + data[i] + " at row " + (i / cols)
                        + ", column " + (i % cols) + ": inputs must be finite numbers");
            }
        }
        return this;
    }

    /** Largest absolute element-wise difference to {@code other} (same shape). */
    public double maxAbsDifference(Matrix other) {
        requireSameShape(other);
        double max = 0;
        for (int i = 0; i < data.length; i++) {
            max = Math.max(max, Math.abs(data[i] - other.data[i]));
        }
        return max;
    }

    public void requireSameShape(Matrix other) {
        if (rows != other.rows || cols != other.cols) {
            throw new IllegalArgumentException("shape " + shape() + " differs from " + other.shape());
        }
    }

    public String shape() {
        return rows + "×" + cols;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Matrix ").append(shape()).append(" [");
        int shown = Math.min(rows, 6);
        for (int i = 0; i < shown; i++) {
            sb.append(i == 0 ? "" : ", ").append(Arrays.toString(row(i)));
        }
        return sb.append(rows > shown ? ", ...]" : "]").toString();
    }
}
