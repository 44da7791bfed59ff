package dev.scratchnet.backend.cpu;

/**
 * C = act(alpha·op(A)·op(B) + beta·C + bias) with plain loops: the scalar twin of the Vector API
 * kernels. Each element is summed exactly as they sum it: from zero, one fused multiply-add per
 * step of k in order ({@link Math#fma}, exactly rounded in the interpreter, C1 and C2 alike), k taken
 * in the steps of {@link CpuGemm#steps} with each step's sum stored into C before the next, and the
 * store computed with the same operations. So the backend gives the same bits whether a product
 * ran here or in a vector kernel: this is what it runs where the Vector API is absent, or with
 * {@code -Dscratchnet.cpu.kernels=scalar} ({@link CpuKernels}).
 *
 * <p>Row by row: a row of C accumulates rows of op(B) scaled by the elements of op(A)'s row, so the
 * inner loop runs over a contiguous row (of B, or of the accumulator when B is transposed).
 */
final class SmallGemm {
    private SmallGemm() {
    }

    /** Rows [rowBegin, rowEnd) of C; {@code acc} holds at least n values; bias may be null. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, double[] b,
                     double beta, double[] c, double[] bias, boolean relu, int rowBegin, int rowEnd, double[] acc) {
        int steps = CpuGemm.steps(k);
        for (int i = rowBegin; i < rowEnd; i++) {
            int co = i * n;
            for (int s = 0; s < steps; s++) {
                int k0 = k * s / steps, k1 = k * (s + 1) / steps;
                java.util.Arrays.fill(acc, 0, n, 0.0);
                for (int kk = k0; kk < k1; kk++) {
                    double aik = transA ? a[kk * m + i] : a[i * k + kk];
                    if (transB) {
                        for (int j = 0; j < n; j++) {
                            acc[j] = Math.fma(aik, b[j * k + kk], acc[j]);
                        }
                    } else {
                        int bo = kk * n;
                        for (int j = 0; j < n; j++) {
                            acc[j] = Math.fma(aik, b[bo + j], acc[j]);
                        }
                    }
                }
                double betaStep = s == 0 ? beta : 1;
                boolean last = s == steps - 1;
                for (int j = 0; j < n; j++) {
                    double v = acc[j] * alpha;
                    if (betaStep != 0) {
                        v = v + c[co + j] * betaStep;
                    }
                    if (last && bias != null) {
                        v = v + bias[j];
                    }
                    if (last && relu) {
                        v = v > 0 ? v : 0;
                    }
                    c[co + j] = v;
                }
            }
        }
    }

    static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, float[] b,
                     float beta, float[] c, float[] bias, boolean relu, int rowBegin, int rowEnd, float[] acc) {
        int steps = CpuGemm.steps(k);
        for (int i = rowBegin; i < rowEnd; i++) {
            int co = i * n;
            for (int s = 0; s < steps; s++) {
                int k0 = k * s / steps, k1 = k * (s + 1) / steps;
                java.util.Arrays.fill(acc, 0, n, 0.0f);
                for (int kk = k0; kk < k1; kk++) {
                    float aik = transA ? a[kk * m + i] : a[i * k + kk];
                    if (transB) {
                        for (int j = 0; j < n; j++) {
                            acc[j] = Math.fma(aik, b[j * k + kk], acc[j]);
                        }
                    } else {
                        int bo = kk * n;
                        for (int j = 0; j < n; j++) {
                            acc[j] = Math.fma(aik, b[bo + j], acc[j]);
                        }
                    }
                }
                float betaStep = s == 0 ? beta : 1;
                boolean last = s == steps - 1;
                for (int j = 0; j < n; j++) {
                    float v = acc[j] * alpha;
                    if (betaStep != 0) {
                        v = v + c[co + j] * betaStep;
                    }
                    if (last && bias != null) {
                        v = v + bias[j];
                    }
                    if (last && relu) {
                        v = v > 0 ? v : 0;
                    }
                    c[co + j] = v;
                }
            }
        }
    }
}
