package dev.scratchnet.backend.cpu;

/**
 * Chooses how the CPU backend multiplies. With the Vector API: the packed, cache-blocked kernels
 * ({@link DoubleGemm}, {@link FloatGemm}) for products whose output is several panels wide, the
 * narrow kernels ({@link DoubleSmallGemm}, {@link FloatSmallGemm}) for the rest, which is most of
 * a small network's work. Large narrow products split their rows between the cores.
 *
 * <p>The Vector API is an incubator module; without {@code --add-modules jdk.incubator.vector}
 * every product takes the plain loops of {@link SmallGemm} (correct, slower), and
 * {@code scratchnet devices} says so; also with {@code -Dscratchnet.cpu.kernels=scalar} ({@link CpuKernels}).
 * All of these give the same bits for the same product.
 */
final class CpuGemm {
    /** Products with fewer multiply-adds than this stay on one thread. */
    static final long PARALLEL_MIN_WORK = 1L << 20;
    /** Products with at least this many multiply-adds and a wide output take the packed kernels. */
    static final long BLOCKED_MIN_WORK = 1L << 16;
    /** Every kernel takes k in even steps of at most KC, storing each step's sum into C ({@link #steps}). */
    static final int KC = 512;

    /**
     * How many steps every CPU kernel takes k in: ⌈k / KC⌉, step s covering k·s/steps to
     * k·(s+1)/steps. The packed kernel needs the steps to keep its panels of B in cache; the others
     * take the same steps so that which kernel runs a product never changes a bit of its result.
     */
    static int steps(int k) {
        return (k + KC - 1) / KC;
    }

    private static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private DoubleGemm doubles;
    private FloatGemm floats;
    private final Object[] smallScratch = new Object[CpuThreads.COUNT];
    private final double[][] accD = new double[CpuThreads.COUNT][0];
    private final float[][] accF = new float[CpuThreads.COUNT][0];

    static boolean vectorApiAvailable() {
        return VECTOR_API;
    }

    /** {@link #gemmBias}: nothing done (the caller multiplies and adds the bias itself). */
    static final int NOT_FUSED = 0;
    /** {@link #gemmBias}: c = a·b + bias done; the activation is still to apply. */
    static final int FUSED_BIAS = 1;
    /** {@link #gemmBias}: c = relu(a·b + bias) done. */
    static final int FUSED_RELU = 2;

    private static int parts(long work, int m) {
        return work >= PARALLEL_MIN_WORK ? Math.min(CpuThreads.COUNT, Math.max(1, m / 16)) : 1;
    }

    private static int threads(long work) {
        return work >= PARALLEL_MIN_WORK ? CpuThreads.COUNT : 1;
    }

    /** Whether a product takes the packed kernel: at least two panels wide and not tiny. */
    private static boolean packed(int n, int nr, long work) {
        return n >= 2 * nr && work >= BLOCKED_MIN_WORK;
    }

    private DoubleGemm doubles() {
        if (doubles == null) {
            doubles = new DoubleGemm();
        }
        return doubles;
    }

    private FloatGemm floats() {
        if (floats == null) {
            floats = new FloatGemm();
        }
        return floats;
    }

    /**
     * c = act(a·b + bias) (bias broadcast over rows) where a kernel can add the bias, and for ReLU
     * apply it, as it stores; returns what it did ({@link #NOT_FUSED}: nothing, the caller
     * multiplies and adds the bias itself).
     */
    int gemmBias(int m, int n, int k, double[] a, double[] b, double[] bias, double[] c, boolean relu) {
        long work = (long) m * n * k;
        if (n == 1) {
            return NOT_FUSED;
        }
        if (!CpuKernels.vector()) {
            scalar(false, false, m, n, k, 1, a, b, 0, c, bias, relu, work);
            return relu ? FUSED_RELU : FUSED_BIAS;
        }
        if (packed(n, DoubleGemm.NR, work)) {
            doubles().gemm(false, false, m, n, k, 1, a, b, 0, c, bias, relu, threads(work));
            return relu ? FUSED_RELU : FUSED_BIAS;
        }
        if (parts(work, m) > 1) {
            return NOT_FUSED;
        }
        DoubleSmallGemm.Scratch s0 = smallD(0);
        int np = DoubleSmallGemm.packB(false, n, k, b, s0);
        DoubleSmallGemm.rows(false, m, n, k, 1, a, 0, c, bias, s0.bp, np, s0.tile, 0, m);
        return FUSED_BIAS;
    }

    void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, double[] b,
              double beta, double[] c) {
        long work = (long) m * n * k;
        if (!CpuKernels.vector()) {
            scalar(transA, transB, m, n, k, alpha, a, b, beta, c, null, false, work);
            return;
        }
        if (packed(n, DoubleGemm.NR, work)) {
            doubles().gemm(transA, transB, m, n, k, alpha, a, b, beta, c, null, false, threads(work));
            return;
        }
        if (n == 1 && m > 1) {
            // a column is laid out as a row: compute Cᵀ = op(B)ᵀ·op(A)ᵀ, one row of m (the same sums, term by term)
            gemm(!transB, !transA, 1, m, k, alpha, b, a, beta, c);
            return;
        }
        DoubleSmallGemm.Scratch s0 = smallD(0);
        int np = DoubleSmallGemm.packB(transB, n, k, b, s0);
        double[] bp = s0.bp;
        int parts = parts(work, m);
        if (parts == 1) {
            DoubleSmallGemm.rows(transA, m, n, k, alpha, a, beta, c, bp, np, s0.tile, 0, m);
            return;
        }
        CpuThreads.parallelFor(parts, t -> DoubleSmallGemm.rows(transA, m, n, k, alpha, a, beta, c, bp, np, smallD(t).tile,
                m * t / parts / 4 * 4, t == parts - 1 ? m : m * (t + 1) / parts / 4 * 4));
    }

    private DoubleSmallGemm.Scratch smallD(int t) {
        if (!(smallScratch[t] instanceof DoubleSmallGemm.Scratch)) {
            smallScratch[t] = new DoubleSmallGemm.Scratch();
        }
        return (DoubleSmallGemm.Scratch) smallScratch[t];
    }

    /** The plain loops of {@link SmallGemm}, rows split between the cores for large products. */
    private void scalar(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, double[] b,
                        double beta, double[] c, double[] bias, boolean relu, long work) {
        int parts = parts(work, m);
        CpuThreads.parallelFor(parts, t -> {
            if (accD[t].length < n) {
                accD[t] = new double[n];
            }
            SmallGemm.gemm(transA, transB, m, n, k, alpha, a, b, beta, c, bias, relu, m * t / parts, m * (t + 1) / parts, accD[t]);
        });
    }

    /**
     * c = act(a·b + bias) (bias broadcast over rows) where a kernel can add the bias, and for ReLU
     * apply it, as it stores; returns what it did ({@link #NOT_FUSED}: nothing, the caller
     * multiplies and adds the bias itself).
     */
    int gemmBias(int m, int n, int k, float[] a, float[] b, float[] bias, float[] c, boolean relu) {
        long work = (long) m * n * k;
        if (n == 1) {
            return NOT_FUSED;
        }
        if (!CpuKernels.vector()) {
            scalar(false, false, m, n, k, 1, a, b, 0, c, bias, relu, work);
            return relu ? FUSED_RELU : FUSED_BIAS;
        }
        if (packed(n, FloatGemm.NR, work)) {
            floats().gemm(false, false, m, n, k, 1, a, b, 0, c, bias, relu, threads(work));
            return relu ? FUSED_RELU : FUSED_BIAS;
        }
        if (parts(work, m) > 1) {
            return NOT_FUSED;
        }
        FloatSmallGemm.Scratch s0 = smallF(0);
        int np = FloatSmallGemm.packB(false, n, k, b, s0);
        FloatSmallGemm.rows(false, m, n, k, 1, a, 0, c, bias, s0.bp, np, s0.tile, 0, m);
        return FUSED_BIAS;
    }

    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, float[] b,
              float beta, float[] c) {
        long work = (long) m * n * k;
        if (!CpuKernels.vector()) {
            scalar(transA, transB, m, n, k, alpha, a, b, beta, c, null, false, work);
            return;
        }
        if (packed(n, FloatGemm.NR, work)) {
            floats().gemm(transA, transB, m, n, k, alpha, a, b, beta, c, null, false, threads(work));
            return;
        }
        if (n == 1 && m > 1) {
            // a column is laid out as a row: compute Cᵀ = op(B)ᵀ·op(A)ᵀ, one row of m (the same sums, term by term)
            gemm(!transB, !transA, 1, m, k, alpha, b, a, beta, c);
            return;
        }
        FloatSmallGemm.Scratch s0 = smallF(0);
        int np = FloatSmallGemm.packB(transB, n, k, b, s0);
        float[] bp = s0.bp;
        int parts = parts(work, m);
        if (parts == 1) {
            FloatSmallGemm.rows(transA, m, n, k, alpha, a, beta, c, bp, np, s0.tile, 0, m);
            return;
        }
        CpuThreads.parallelFor(parts, t -> FloatSmallGemm.rows(transA, m, n, k, alpha, a, beta, c, bp, np, smallF(t).tile,
                m * t / parts / 4 * 4, t == parts - 1 ? m : m * (t + 1) / parts / 4 * 4));
    }

    private FloatSmallGemm.Scratch smallF(int t) {
        if (!(smallScratch[t] instanceof FloatSmallGemm.Scratch)) {
            smallScratch[t] = new FloatSmallGemm.Scratch();
        }
        return (FloatSmallGemm.Scratch) smallScratch[t];
    }

    /** The plain loops of {@link SmallGemm}, rows split between the cores for large products. */
    private void scalar(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, float[] b,
                        float beta, float[] c, float[] bias, boolean relu, long work) {
        int parts = parts(work, m);
        CpuThreads.parallelFor(parts, t -> {
            if (accF[t].length < n) {
                accF[t] = new float[n];
            }
            SmallGemm.gemm(transA, transB, m, n, k, alpha, a, b, beta, c, bias, relu, m * t / parts, m * (t + 1) / parts, accF[t]);
        });
    }
}
