package dev.scratchnet.lab;

import dev.scratchnet.backend.Precision;

/** One timed case: an op's variant (or a library) at a size, its median time and its rate. */
public final class BenchResult {
    public final String op;
    /** The kernel variant, or the library name for a baseline. */
    public final String variant;
    public final Precision precision;
    /** The problem size as printed: "1024" for a square matmul, "4096×1024" otherwise. */
    public final String size;
    public final double millis;
    /** GFLOP/s for matmul, GB/s for the memory-bound ops. */
    public final double rate;
    public final String unit;
    public final boolean baseline;

    public BenchResult(String op, String variant, Precision precision, String size, double millis, double rate,
                       String unit, boolean baseline) {
        this.op = op;
        this.variant = variant;
        this.precision = precision;
        this.size = size;
        this.millis = millis;
        this.rate = rate;
        this.unit = unit;
        this.baseline = baseline;
    }
}
