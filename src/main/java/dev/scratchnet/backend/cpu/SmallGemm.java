package dev.scratchnet.backend.cpu;

/**
 * C = alpha·op(A)·op(B) + beta·C with plain loops, for the small products of the workshop networks
 * (where packing for the vector kernel costs more than it saves) and for narrow outputs (n below a
 * vector's width). Row by row: with B as stored, a row of C accumulates scaled rows of B, so the
 * inner loop runs over contiguous memory and vectorises; with Bᵀ each element is a dot product of two
 * contiguous rows. Each row of C is written once, as alpha·sum + beta·C.
 */
final class SmallGemm {
    private SmallGemm() {
    }

    static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, double[] b,
                     double beta, double[] c, int rowBegin, int rowEnd, double[] acc) {
        for (int i = rowBegin; i < rowEnd; i++) {
            if (transB) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    int bo = j * k;
                    if (transA) {
                        for (int kk = 0; kk < k; kk++) {
                            s += a[kk * m + i] * b[bo + kk];
                        }
                    } else {
                        int ao = i * k;
                        for (int kk = 0; kk < k; kk++) {
                            s += a[ao + kk] * b[bo + kk];
                        }
                    }
                    acc[j] = s;
                }
            } else {
                java.util.Arrays.fill(acc, 0, n, 0.0);
                for (int kk = 0; kk < k; kk++) {
                    double aik = transA ? a[kk * m + i] : a[i * k + kk];
                    int bo = kk * n;
                    for (int j = 0; j < n; j++) {
                        acc[j] += aik * b[bo + j];
                    }
                }
            }
            int co = i * n;
            if (beta == 0) {
                for (int j = 0; j < n; j++) {
                    c[co + j] = alpha * acc[j];
                }
            } else {
                for (int j = 0; j < n; j++) {
                    c[co + j] = alpha * acc[j] + beta * c[co + j];
                }
            }
        }
    }

    static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, float[] b,
                     float beta, float[] c, int rowBegin, int rowEnd, float[] acc) {
        for (int i = rowBegin; i < rowEnd; i++) {
            if (transB) {
                for (int j = 0; j < n; j++) {
                    float s = 0;
                    int bo = j * k;
                    if (transA) {
                        for (int kk = 0; kk < k; kk++) {
                            s += a[kk * m + i] * b[bo + kk];
                        }
                    } else {
                        int ao = i * k;
                        for (int kk = 0; kk < k; kk++) {
                            s += a[ao + kk] * b[bo + kk];
                        }
                    }
                    acc[j] = s;
                }
            } else {
                java.util.Arrays.fill(acc, 0, n, 0.0f);
                for (int kk = 0; kk < k; kk++) {
                    float aik = transA ? a[kk * m + i] : a[i * k + kk];
                    int bo = kk * n;
                    for (int j = 0; j < n; j++) {
                        acc[j] += aik * b[bo + j];
                    }
                }
            }
            int co = i * n;
            if (beta == 0) {
                for (int j = 0; j < n; j++) {
                    c[co + j] = alpha * acc[j];
                }
            } else {
                for (int j = 0; j < n; j++) {
                    c[co + j] = alpha * acc[j] + beta * c[co + j];
                }
            }
        }
    }
}
