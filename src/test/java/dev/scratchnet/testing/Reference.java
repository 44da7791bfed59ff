package dev.scratchnet.testing;

import dev.scratchnet.backend.ActivationKind;
import dev.scratchnet.backend.LossKind;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;

import java.util.Random;

/**
 * The ops of kernels/KERNELS.md written the plainest way, in double precision, on host matrices:
 * what every backend's result is compared with.
 */
public final class Reference {
    private Reference() {
    }

    /** Random values in [-1, 1), representable in {@code p} (so fp32 backends start from the same inputs). */
    public static Matrix random(Random rng, int rows, int cols, Precision p) {
        Matrix m = new Matrix(rows, cols);
        for (int i = 0; i < m.size(); i++) {
            double v = rng.nextDouble() * 2 - 1;
            m.data()[i] = p == Precision.FP32 ? (float) v : v;
        }
        return m;
    }

    /** Random probabilities in (0.02, 0.98), representable in {@code p}. */
    public static Matrix probabilities(Random rng, int rows, int cols, Precision p) {
        Matrix m = new Matrix(rows, cols);
        for (int i = 0; i < m.size(); i++) {
            double v = 0.02 + 0.96 * rng.nextDouble();
            m.data()[i] = p == Precision.FP32 ? (float) v : v;
        }
        return m;
    }

    /** One-hot rows (or a 0/1 column when cols == 1). */
    public static Matrix oneHot(Random rng, int rows, int cols) {
        Matrix m = new Matrix(rows, cols);
        for (int i = 0; i < rows; i++) {
            if (cols == 1) {
                m.set(i, 0, rng.nextInt(2));
            } else {
                m.set(i, rng.nextInt(cols), 1.0);
            }
        }
        return m;
    }

    /**
     * {@code v} as fp32 rounded to TF32 as cvt.rna.tf32.f32 rounds (10 mantissa bits, to nearest,
     * ties away from zero; NaN and Inf kept): what CUDA's matmul_tf32 multiplies.
     */
    public static double tf32(double v) {
        int u = Float.floatToRawIntBits((float) v);
        if ((u & 0x7f800000) == 0x7f800000) {
            return (float) v;
        }
        return Float.intBitsToFloat((u + 0x1000) & 0xffffe000);
    }

    /** A copy of {@code m} with every element rounded to TF32 ({@link #tf32(double)}). */
    public static Matrix tf32(Matrix m) {
        Matrix out = m.copy();
        for (int i = 0; i < out.size(); i++) {
            out.data()[i] = tf32(out.data()[i]);
        }
        return out;
    }

    public static double opA(Matrix a, boolean trans, int i, int k) {
        return trans ? a.get(k, i) : a.get(i, k);
    }

    /** alpha·op(A)·op(B) + beta·C; the second matrix holds Σ|terms| for the tolerance. */
    public static Matrix[] gemm(boolean transA, boolean transB, double alpha, Matrix a, Matrix b, double beta, Matrix c) {
        int m = transA ? a.cols() : a.rows();
        int k = transA ? a.rows() : a.cols();
        int n = transB ? b.rows() : b.cols();
        Matrix out = new Matrix(m, n), mag = new Matrix(m, n);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0, abs = 0;
                for (int kk = 0; kk < k; kk++) {
                    double t = opA(a, transA, i, kk) * opA(b, transB, kk, j);
                    s += t;
                    abs += Math.abs(t);
                }
                double prior = beta == 0 ? 0 : beta * c.get(i, j);
                out.set(i, j, alpha * s + prior);
                mag.set(i, j, Math.abs(alpha) * abs + Math.abs(prior));
            }
        }
        return new Matrix[] {out, mag};
    }

    public static Matrix addRowVector(Matrix bias, Matrix c) {
        Matrix out = c.copy();
        for (int i = 0; i < c.rows(); i++) {
            for (int j = 0; j < c.cols(); j++) {
                out.set(i, j, c.get(i, j) + bias.get(0, j));
            }
        }
        return out;
    }

    public static Matrix activation(ActivationKind kind, double param, Matrix z) {
        if (kind == ActivationKind.SOFTMAX) {
            return softmax(z);
        }
        Matrix out = new Matrix(z.rows(), z.cols());
        for (int i = 0; i < z.size(); i++) {
            out.data()[i] = kind.apply(z.data()[i], param);
        }
        return out;
    }

    public static Matrix activationBackward(ActivationKind kind, double param, Matrix a, Matrix dA) {
        Matrix out = new Matrix(a.rows(), a.cols());
        if (kind == ActivationKind.SOFTMAX) {
            for (int i = 0; i < a.rows(); i++) {
                double dot = 0;
                for (int j = 0; j < a.cols(); j++) {
                    dot += dA.get(i, j) * a.get(i, j);
                }
                for (int j = 0; j < a.cols(); j++) {
                    out.set(i, j, a.get(i, j) * (dA.get(i, j) - dot));
                }
            }
            return out;
        }
        for (int i = 0; i < a.size(); i++) {
            out.data()[i] = dA.data()[i] * kind.derivativeFromOutput(a.data()[i], param);
        }
        return out;
    }

    public static Matrix softmax(Matrix z) {
        Matrix out = new Matrix(z.rows(), z.cols());
        for (int i = 0; i < z.rows(); i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < z.cols(); j++) {
                max = Math.max(max, z.get(i, j));
            }
            double sum = 0;
            for (int j = 0; j < z.cols(); j++) {
                sum += Math.exp(z.get(i, j) - max);
            }
            for (int j = 0; j < z.cols(); j++) {
                out.set(i, j, Math.exp(z.get(i, j) - max) / sum);
            }
        }
        return out;
    }

    /**
     * {rowLoss (rows×1), gradient}. The clipping bounds of sigmoid_bce are ε and 1−ε as the
     * precision stores them (in fp32, 1 − 1e-7 rounds to 1 − 1.19e-7).
     */
    public static Matrix[] loss(LossKind kind, double eps, Matrix out, Matrix y, double scale, Precision p) {
        double lo = p == Precision.FP32 ? (float) eps : eps;
        double hi = p == Precision.FP32 ? (float) (1.0f - (float) eps) : 1 - eps;
        Matrix rows = new Matrix(out.rows(), 1), grad = new Matrix(out.rows(), out.cols());
        for (int i = 0; i < out.rows(); i++) {
            double l = 0;
            for (int j = 0; j < out.cols(); j++) {
                double a = out.get(i, j), t = y.get(i, j), g;
                switch (kind) {
                    case SOFTMAX_CROSS_ENTROPY:
                        if (t != 0) {
                            l -= t * Math.log(a + eps);
                        }
                        g = a - t;
                        break;
                    case SIGMOID_BINARY_CROSS_ENTROPY: {
                        double c = Math.min(Math.max(a, lo), hi);
                        l -= t * Math.log(c) + (1 - t) * Math.log(1 - c);
                        g = a - t;
                        break;
                    }
                    case BINARY_CROSS_ENTROPY:
                        l -= t * Math.log(a + eps) + (1 - t) * Math.log(1 - a + eps);
                        g = -(t / (a + eps) - (1 - t) / (1 - a + eps));
                        break;
                    default:
                        l += (a - t) * (a - t);
                        g = 2 * (a - t);
                }
                grad.set(i, j, g * scale);
            }
            rows.set(i, 0, l);
        }
        return new Matrix[] {rows, grad};
    }

    public static Matrix sumColumns(double alpha, Matrix a, double beta, Matrix out) {
        Matrix r = new Matrix(1, a.cols());
        for (int j = 0; j < a.cols(); j++) {
            double s = 0;
            for (int i = 0; i < a.rows(); i++) {
                s += a.get(i, j);
            }
            r.set(0, j, alpha * s + (beta == 0 ? 0 : beta * out.get(0, j)));
        }
        return r;
    }

    public static double sum(Matrix m) {
        double s = 0;
        for (double v : m.data()) {
            s += v;
        }
        return s;
    }

    public static double absSum(Matrix m) {
        double s = 0;
        for (double v : m.data()) {
            s += Math.abs(v);
        }
        return s;
    }

    public static int label(Matrix m, int row) {
        if (m.cols() == 1) {
            return m.get(row, 0) > 0.5 ? 1 : 0;
        }
        int best = 0;
        for (int j = 1; j < m.cols(); j++) {
            if (m.get(row, j) > m.get(row, best)) {
                best = j;
            }
        }
        return best;
    }

    public static int countCorrect(Matrix out, Matrix y) {
        int c = 0;
        for (int i = 0; i < out.rows(); i++) {
            if (label(out, i) == label(y, i)) {
                c++;
            }
        }
        return c;
    }
}
