package dev.scratchnet.backend;

import java.util.Locale;

/** The floating-point type a tensor is stored and computed in. */
public enum Precision {
    /** 32-bit IEEE float: for speed. */
    FP32(4, "float"),
    /** 64-bit IEEE double: for gradient checking and for matching NumPy's numbers. */
    FP64(8, "double");

    private final int bytes;
    private final String cType;

    Precision(int bytes, String cType) {
        this.bytes = bytes;
        this.cType = cType;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The C type the kernels are built with ({@code -D REAL=float|double}). */
    public String cType() {
        return cType;
    }

    /** Short suffix used in kernel names and on the command line: {@code f32} or {@code f64}. */
    public String suffix() {
        return this == FP32 ? "f32" : "f64";
    }

    /** The machine epsilon of this precision. */
    public double epsilon() {
        return this == FP32 ? Math.ulp(1.0f) : Math.ulp(1.0);
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code fp32|fp64} (also {@code f32, float, f64, double}). */
    public static Precision parse(String text) {
        switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "fp32": case "f32": case "float": case "float32": return FP32;
            case "fp64": case "f64": case "double": case "float64": return FP64;
            default:
                throw new IllegalArgumentException("unknown precision '" + text + "': expected fp32 or fp64");
        }
    }
}
