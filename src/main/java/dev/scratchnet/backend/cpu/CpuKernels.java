package dev.scratchnet.backend.cpu;

import java.util.Locale;

/**
 * Which kernels the CPU backend runs: the Vector API kernels ({@link DoubleGemm}, {@link DoubleSmallGemm},
 * {@link VectorMath} and their fp32 twins) or the scalar loops ({@link SmallGemm}, {@link ScalarMath}).
 * The two give the same bits for the same inputs (each sum is the same chain of fused
 * multiply-adds, each function the same operations), so the choice changes only the time. The
 * scalar loops run where the Vector API module is absent, and everywhere with
 * {@code -Dscratchnet.cpu.kernels=scalar}; otherwise the Vector API is used where it is present.
 *
 * <p>The choice is fixed for the JVM's life. Starting on the scalar loops and switching once C2
 * has compiled the vector kernels was tried (a daemon thread warming them up on small problems of
 * its own): on two cores that thread, the main thread and the compiler threads competed, and a
 * fresh JVM's digits recipe trained in 1.6 s against 0.8–0.9 s with either kernel set alone (see
 * docs/BENCHMARKS.md).
 */
final class CpuKernels {
    private static final boolean VECTOR = CpuGemm.vectorApiAvailable()
            && !System.getProperty("scratchnet.cpu.kernels", "vector").trim().toLowerCase(Locale.ROOT).equals("scalar");

    private CpuKernels() {
    }

    /** Whether the Vector API kernels are in use. */
    static boolean vector() {
        return VECTOR;
    }
}
