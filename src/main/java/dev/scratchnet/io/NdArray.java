package dev.scratchnet.io;

import dev.scratchnet.backend.Matrix;

import java.util.Arrays;

/**
 * An n-dimensional array as the file formats hold it: an element type, a shape and the values in
 * row-major (C) order. Floating-point values are kept as doubles (an F32 value widens exactly),
 * integers as longs.
 */
public final class NdArray {
    /** The element types scratchnet reads and writes, with their safetensors and NumPy names. */
    public enum DType {
        F32(4, "F32", "f4"),
        F64(8, "F64", "f8"),
        I32(4, "I32", "i4"),
        I64(8, "I64", "i8");

        public final int bytes;
        /** The safetensors dtype string. */
        public final String safetensors;
        /** The NumPy type code without byte order ({@code f4}, {@code i8}, ...). */
        public final String numpy;

        DType(int bytes, String safetensors, String numpy) {
            this.bytes = bytes;
            this.safetensors = safetensors;
            this.numpy = numpy;
        }

        public boolean isFloat() {
            return this == F32 || this == F64;
        }

        public static DType ofSafetensors(String s) {
            for (DType d : values()) {
                if (d.safetensors.equals(s)) {
                    return d;
                }
            }
            return null;
        }

        public static DType ofNumpy(String code) {
            for (DType d : values()) {
                if (d.numpy.equals(code)) {
                    return d;
                }
            }
            return null;
        }
    }

    private final DType dtype;
    private final long[] shape;
    private final double[] floats;
    private final long[] ints;

    private NdArray(DType dtype, long[] shape, double[] floats, long[] ints) {
        this.dtype = dtype;
        this.shape = shape.clone();
        this.floats = floats;
        this.ints = ints;
        long n = elementCount(shape);
        if ((floats != null ? floats.length : ints.length) != n) {
            throw new IllegalArgumentException("an array of shape " + Arrays.toString(shape) + " needs " + n + " values");
        }
    }

    /** A floating-point array (F32 or F64) wrapping {@code values} (not copied). */
    public static NdArray ofFloats(DType dtype, long[] shape, double[] values) {
        if (!dtype.isFloat()) {
            throw new IllegalArgumentException(dtype + " is not a floating-point type");
        }
        return new NdArray(dtype, shape, values, null);
    }

    /** An integer array (I32 or I64) wrapping {@code values} (not copied). */
    public static NdArray ofInts(DType dtype, long[] shape, long[] values) {
        if (dtype.isFloat()) {
            throw new IllegalArgumentException(dtype + " is not an integer type");
        }
        return new NdArray(dtype, shape, null, values);
    }

    /** A 2-D array holding a matrix. */
    public static NdArray of(Matrix m, DType dtype) {
        return ofFloats(dtype, new long[] {m.rows(), m.cols()}, m.data());
    }

    /** A 1-D F64 array. */
    public static NdArray vector(double... values) {
        return ofFloats(DType.F64, new long[] {values.length}, values);
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long size() {
        return floats != null ? floats.length : ints.length;
    }

    /** The values (floating-point arrays only); not a copy. */
    public double[] floats() {
        if (floats == null) {
            throw new IllegalStateException("a " + dtype + " array has no floating-point values");
        }
        return floats;
    }

    /** The values (integer arrays only); not a copy. */
    public long[] ints() {
        if (ints == null) {
            throw new IllegalStateException("a " + dtype + " array has no integer values");
        }
        return ints;
    }

    /** Bytes of data in a file. */
    public long byteSize() {
        return size() * dtype.bytes;
    }

    /** "[784, 256]". */
    public String shapeText() {
        return Arrays.toString(shape);
    }

    /** Product of the dimensions, or -1 when it overflows a long. */
    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                return -1;
            }
            if (d != 0 && n > Long.MAX_VALUE / d) {
                return -1;
            }
            n *= d;
        }
        return n;
    }

    /** Writes the values little-endian into {@code out} at its position. */
    void encode(java.nio.ByteBuffer out) {
        switch (dtype) {
            case F32: {
                float[] f = new float[floats.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) floats[i];
                }
                out.asFloatBuffer().put(f);
                out.position(out.position() + 4 * f.length);
                break;
            }
            case F64:
                out.asDoubleBuffer().put(floats);
                out.position(out.position() + 8 * floats.length);
                break;
            case I32: for (long v : ints) { out.putInt((int) v); } break;
            case I64: for (long v : ints) { out.putLong(v); } break;
            default: throw new IllegalStateException();
        }
    }

    /** Reads {@code count} values of {@code dtype} from {@code in} (its byte order) into a new array. */
    static NdArray decode(java.nio.ByteBuffer in, DType dtype, long[] shape, int count) {
        switch (dtype) {
            case F32: {
                float[] f = new float[count];
                in.asFloatBuffer().get(f);
                in.position(in.position() + count * 4);
                double[] v = new double[count];
                for (int i = 0; i < count; i++) {
                    v[i] = f[i];
                }
                return ofFloats(dtype, shape, v);
            }
            case F64: {
                double[] v = new double[count];
                in.asDoubleBuffer().get(v);
                in.position(in.position() + count * 8);
                return ofFloats(dtype, shape, v);
            }
            case I32: {
                long[] v = new long[count];
                for (int i = 0; i < count; i++) {
                    v[i] = in.getInt();
                }
                return ofInts(dtype, shape, v);
            }
            case I64: {
                long[] v = new long[count];
                for (int i = 0; i < count; i++) {
                    v[i] = in.getLong();
                }
                return ofInts(dtype, shape, v);
            }
            default: throw new IllegalStateException();
        }
    }

    /** This 2-D (or 1-D, as one row) floating-point array as a matrix. */
    public Matrix toMatrix(String what) {
        if (rank() == 1) {
            return new Matrix(1, (int) shape[0], floats().clone());
        }
        if (rank() != 2) {
            throw new IllegalArgumentException(what + " has shape " + shapeText() + ": expected two dimensions");
        }
        return new Matrix((int) shape[0], (int) shape[1], floats().clone());
    }
}
