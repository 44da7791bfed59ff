package dev.scratchnet.backend.cpu;

/**
 * Chooses how the CPU backend multiplies: the packed Vector API kernels ({@link DoubleGemm},
 * {@link FloatGemm}) for products large and wide enough to fill the vector tiles, the plain loops of
 * {@link SmallGemm} otherwise. The Vector API is an incubator module; without
 * {@code --add-modules jdk.incubator.vector} every product takes the plain loops (correct, slower),
 * and {@code scratchnet devices} says so.
 */
final class CpuGemm {
    /** Products with fewer multiply-adds than this take the plain loops. */
    static final long BLOCKED_MIN_WORK = 1L << 18;
    /** Products with fewer multiply-adds than this stay on one thread in the plain loops. */
    static final long PARALLEL_MIN_WORK = 1L << 21;

    private static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private DoubleGemm doubles;
    private FloatGemm floats;
    private final double[][] accD = new double[CpuThreads.COUNT][0];
    private final float[][] accF = new float[CpuThreads.COUNT][0];

    private double[] accD(int thread, int n) {
        if (accD[thread].length < n) {
            accD[thread] = new double[n];
        }
        return accD[thread];
    }

    private float[] accF(int thread, int n) {
        if (accF[thread].length < n) {
            accF[thread] = new float[n];
        }
        return accF[thread];
    }

    static boolean vectorApiAvailable() {
        return VECTOR_API;
    }

    void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, double[] b,
              double beta, double[] c) {
        long work = (long) m * n * k;
        if (VECTOR_API && work >= BLOCKED_MIN_WORK && n >= 8) {
            if (doubles == null) {
                doubles = new DoubleGemm();
            }
            doubles.gemm(transA, transB, m, n, k, alpha, a, b, beta, c);
            return;
        }
        int parts = work >= PARALLEL_MIN_WORK ? Math.min(CpuThreads.COUNT, m) : 1;
        if (parts == 1) {
            SmallGemm.gemm(transA, transB, m, n, k, alpha, a, b, beta, c, 0, m, accD(0, n));
            return;
        }
        CpuThreads.parallelFor(parts, t -> {
            SmallGemm.gemm(transA, transB, m, n, k, alpha, a, b, beta, c, m * t / parts, m * (t + 1) / parts, accD(t, n));
        });
    }

    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, float[] b,
              float beta, float[] c) {
        long work = (long) m * n * k;
        if (VECTOR_API && work >= BLOCKED_MIN_WORK && n >= 16) {
            if (floats == null) {
                floats = new FloatGemm();
            }
            floats.gemm(transA, transB, m, n, k, alpha, a, b, beta, c);
            return;
        }
        int parts = work >= PARALLEL_MIN_WORK ? Math.min(CpuThreads.COUNT, m) : 1;
        if (parts == 1) {
            SmallGemm.gemm(transA, transB, m, n, k, alpha, a, b, beta, c, 0, m, accF(0, n));
            return;
        }
        CpuThreads.parallelFor(parts, t -> {
            SmallGemm.gemm(transA, transB, m, n, k, alpha, a, b, beta, c, m * t / parts, m * (t + 1) / parts, accF(t, n));
        });
    }
}
