package dev.scratchnet.backend.cpu;

import dev.scratchnet.backend.AbstractBackend;
import dev.scratchnet.backend.ActivationKind;
import dev.scratchnet.backend.IndexBuffer;
import dev.scratchnet.backend.LossKind;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Tensor;

import java.util.List;

/**
 * The pure-Java backend: the reference every kernel is checked against, and the backend a
 * machine without a GPU trains on. fp64 tensors are {@code double[]}, fp32 tensors {@code float[]};
 * element-wise work is done in double and rounded once on store, so in fp32 this backend is at
 * least as accurate as a kernel computing in float. Matrix products use {@link CpuGemm}.
 *
 * <p>A CpuBackend is meant to be driven from one thread at a time (as a GPU queue is); it uses
 * every core inside the large matrix products.
 */
public final class CpuBackend extends AbstractBackend {
    /** The matmul variants: the tuned one first, then the textbook triple loop. */
    public static final List<String> GEMM_VARIANTS = List.of("blocked", "naive");

    private final CpuGemm gemm = new CpuGemm();

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String deviceName() {
        return "Java " + Runtime.version().feature() + " on " + CpuThreads.COUNT + " cores"
                + (CpuGemm.vectorApiAvailable() ? ", Vector API " + jdk.incubator.vector.DoubleVector.SPECIES_PREFERRED.vectorBitSize() + "-bit"
                : ", no Vector API (add --add-modules jdk.incubator.vector for fast matmul)");
    }

    /** Whether the fast matmul kernels are in use. */
    public static boolean vectorApiAvailable() {
        return CpuGemm.vectorApiAvailable();
    }

    @Override
    public boolean supports(Precision precision) {
        return true;
    }

    @Override
    public List<String> gemmVariants() {
        return GEMM_VARIANTS;
    }

    @Override
    public void synchronize() {
        // every op has finished when it returns
    }

    private static CpuTensor t(Tensor t) {
        return (CpuTensor) t;
    }

    // ---- memory ---------------------------------------------------------------------------

    @Override
    protected Tensor doAllocate(int rows, int cols, Precision precision) {
        return new CpuTensor(this, rows, cols, precision);
    }

    @Override
    protected void doFree(Tensor t) {
        // the garbage collector takes the array
    }

    @Override
    protected void doCopyIn(double[] src, Tensor dst) {
        CpuTensor d = t(dst);
        int n = dst.size();
        if (d.isDouble()) {
            System.arraycopy(src, 0, d.d, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                d.f[i] = (float) src[i];
            }
        }
    }

    @Override
    protected void doDownload(Tensor t, double[] dst) {
        CpuTensor s = t(t);
        int n = t.size();
        if (s.isDouble()) {
            System.arraycopy(s.d, 0, dst, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                dst[i] = s.f[i];
            }
        }
    }

    @Override
    protected IndexBuffer doAllocateIndices(int length) {
        return new CpuIndexBuffer(this, length);
    }

    @Override
    protected void doFreeIndices(IndexBuffer b) {
        // the garbage collector takes the array
    }

    @Override
    protected void doCopyIn(int[] values, IndexBuffer dst) {
        System.arraycopy(values, 0, ((CpuIndexBuffer) dst).values, 0, values.length);
    }

    @Override
    protected void doClose() {
        // nothing held outside the Java heap
    }

    // ---- matrix products ------------------------------------------------------------------

    @Override
    protected void doGemm(String variant, boolean transA, boolean transB, int m, int n, int k, double alpha,
                          Tensor a, Tensor b, double beta, Tensor c) {
        CpuTensor ta = t(a), tb = t(b), tc = t(c);
        if (variant.equals("naive")) {
            naiveGemm(transA, transB, m, n, k, alpha, ta, tb, beta, tc);
        } else if (tc.isDouble()) {
            gemm.gemm(transA, transB, m, n, k, alpha, ta.d, tb.d, beta, tc.d);
        } else {
            gemm.gemm(transA, transB, m, n, k, (float) alpha, ta.f, tb.f, (float) beta, tc.f);
        }
    }

    /** The textbook triple loop, one dot product per element, summed in double. */
    private static void naiveGemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                                  CpuTensor a, CpuTensor b, double beta, CpuTensor c) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int kk = 0; kk < k; kk++) {
                    s += a.get(transA ? kk * m + i : i * k + kk) * b.get(transB ? j * k + kk : kk * n + j);
                }
                int ci = i * n + j;
                c.set(ci, beta == 0 ? alpha * s : alpha * s + beta * c.get(ci));
            }
        }
    }

    @Override
    protected void doDenseForward(Tensor x, Tensor w, Tensor bias, ActivationKind act, double actParam, Tensor out) {
        CpuTensor tx = t(x), tw = t(w), tb = t(bias), to = t(out);
        boolean relu = act == ActivationKind.RELU;
        int fused = to.isDouble() ? gemm.gemmBias(x.rows(), w.cols(), x.cols(), tx.d, tw.d, tb.d, to.d, relu)
                : gemm.gemmBias(x.rows(), w.cols(), x.cols(), tx.f, tw.f, tb.f, to.f, relu);
        if (fused == CpuGemm.NOT_FUSED) {
            doGemm(GEMM_VARIANTS.get(0), false, false, x.rows(), w.cols(), x.cols(), 1.0, x, w, 0.0, out);
            doAddRowVector(bias, out);
        }
        if (act == ActivationKind.SOFTMAX) {
            doSoftmaxRows(out, out);
        } else if (act != ActivationKind.IDENTITY && fused != CpuGemm.FUSED_RELU) {
            doActivationForward(act, actParam, out, out);
        }
    }

    @Override
    protected void doAddRowVector(Tensor bias, Tensor c) {
        CpuTensor b = t(bias), o = t(c);
        int rows = c.rows(), cols = c.cols();
        if (o.isDouble()) {
            for (int i = 0; i < rows; i++) {
                int off = i * cols;
                for (int j = 0; j < cols; j++) {
                    o.d[off + j] += b.d[j];
                }
            }
        } else {
            for (int i = 0; i < rows; i++) {
                int off = i * cols;
                for (int j = 0; j < cols; j++) {
                    o.f[off + j] += b.f[j];
                }
            }
        }
    }

    // ---- activations ----------------------------------------------------------------------

    @Override
    protected void doActivationForward(ActivationKind kind, double param, Tensor z, Tensor a) {
        CpuTensor in = t(z), out = t(a);
        int n = z.size();
        double p = scalar(param, z.precision());
        boolean vector = CpuKernels.vector();
        switch (kind) {
            case IDENTITY:
                if (in != out) {
                    doCopy(z, a);
                }
                break;
            case SIGMOID:
                if (vector && in.isDouble()) {
                    VectorMath.sigmoid(in.d, out.d, n);
                } else if (vector) {
                    VectorMath.sigmoid(in.f, out.f, n);
                } else if (in.isDouble()) {
                    for (int i = 0; i < n; i++) {
                        out.d[i] = ScalarMath.sigmoid(in.d[i]);
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        out.f[i] = ScalarMath.sigmoid(in.f[i]);
                    }
                }
                break;
            case RELU:
                if (in.isDouble()) {
                    for (int i = 0; i < n; i++) {
                        double v = in.d[i];
                        out.d[i] = v > 0 ? v : 0.0;
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        float v = in.f[i];
                        out.f[i] = v > 0 ? v : 0.0f;
                    }
                }
                break;
            case TANH:
                if (vector && in.isDouble()) {
                    VectorMath.tanh(in.d, out.d, n);
                } else if (vector) {
                    VectorMath.tanh(in.f, out.f, n);
                } else if (in.isDouble()) {
                    for (int i = 0; i < n; i++) {
                        out.d[i] = ScalarMath.tanh(in.d[i]);
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        out.f[i] = ScalarMath.tanh(in.f[i]);
                    }
                }
                break;
            case LEAKY_RELU:
                for (int i = 0; i < n; i++) {
                    double v = in.get(i);
                    out.set(i, v > 0 ? v : p * v);
                }
                break;
            default:
                throw new IllegalStateException(kind + " is not element-wise");
        }
    }

    @Override
    protected void doActivationBackward(ActivationKind kind, double param, Tensor a, Tensor dA, Tensor dZ) {
        CpuTensor out = t(a), g = t(dA), r = t(dZ);
        int n = a.size();
        double p = scalar(param, a.precision());
        if (kind == ActivationKind.RELU && CpuKernels.vector()) {
            if (out.isDouble()) {
                VectorMath.reluBackward(out.d, g.d, r.d, n);
            } else {
                VectorMath.reluBackward(out.f, g.f, r.f, n);
            }
            return;
        }
        // g·f'(a), computed in double and rounded once for fp32 (for ReLU the same bits either way)
        if (out.isDouble()) {
            double[] y = out.d, gd = g.d, rd = r.d;
            switch (kind) {
                case SIGMOID:
                    for (int i = 0; i < n; i++) {
                        rd[i] = gd[i] * (y[i] * (1.0 - y[i]));
                    }
                    return;
                case TANH:
                    for (int i = 0; i < n; i++) {
                        rd[i] = gd[i] * (1.0 - y[i] * y[i]);
                    }
                    return;
                case RELU:
                    for (int i = 0; i < n; i++) {
                        rd[i] = gd[i] * (y[i] > 0 ? 1.0 : 0.0);
                    }
                    return;
                default:
                    for (int i = 0; i < n; i++) {
                        rd[i] = gd[i] * kind.derivativeFromOutput(y[i], p);
                    }
                    return;
            }
        }
        float[] y = out.f, gf = g.f, rf = r.f;
        switch (kind) {
            case SIGMOID:
                for (int i = 0; i < n; i++) {
                    double v = y[i];
                    rf[i] = (float) (gf[i] * (v * (1.0 - v)));
                }
                return;
            case TANH:
                for (int i = 0; i < n; i++) {
                    double v = y[i];
                    rf[i] = (float) (gf[i] * (1.0 - v * v));
                }
                return;
            default:
                for (int i = 0; i < n; i++) {
                    rf[i] = (float) (gf[i] * kind.derivativeFromOutput(y[i], p));
                }
        }
    }

    /**
     * Per row: subtract the maximum, exponentiate, divide by the sum. The exponentials run over the
     * whole tensor at once, since a row is often narrower than a vector.
     */
    @Override
    protected void doSoftmaxRows(Tensor z, Tensor p) {
        CpuTensor in = t(z), out = t(p);
        int rows = z.rows(), cols = z.cols();
        for (int i = 0; i < rows; i++) {
            int off = i * cols;
            double max = in.get(off);
            for (int j = 1; j < cols; j++) {
                max = Math.max(max, in.get(off + j));
            }
            for (int j = 0; j < cols; j++) {
                out.set(off + j, in.get(off + j) - max);
            }
        }
        if (CpuKernels.vector()) {
            if (out.isDouble()) {
                VectorMath.exp(out.d, rows * cols);
            } else {
                VectorMath.exp(out.f, rows * cols);
            }
        } else if (out.isDouble()) {
            for (int i = 0; i < rows * cols; i++) {
                out.d[i] = ScalarMath.exp(out.d[i]);
            }
        } else {
            for (int i = 0; i < rows * cols; i++) {
                out.f[i] = ScalarMath.exp(out.f[i]);
            }
        }
        for (int i = 0; i < rows; i++) {
            int off = i * cols;
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += out.get(off + j);
            }
            for (int j = 0; j < cols; j++) {
                out.set(off + j, out.get(off + j) / sum);
            }
        }
    }

    @Override
    protected void doSoftmaxBackward(Tensor p, Tensor dP, Tensor dZ) {
        CpuTensor pr = t(p), g = t(dP), r = t(dZ);
        int rows = p.rows(), cols = p.cols();
        for (int i = 0; i < rows; i++) {
            int off = i * cols;
            double dot = 0;
            for (int j = 0; j < cols; j++) {
                dot += g.get(off + j) * pr.get(off + j);
            }
            for (int j = 0; j < cols; j++) {
                r.set(off + j, pr.get(off + j) * (g.get(off + j) - dot));
            }
        }
    }

    // ---- losses, reductions, metrics --------------------------------------------------------

    @Override
    protected void doLossAndGradient(LossKind kind, double epsilon, Tensor out, Tensor target, double gradScale,
                                     Tensor grad, Tensor rowLoss) {
        CpuTensor o = t(out), y = t(target), g = t(grad), l = t(rowLoss);
        Precision pr = out.precision();
        double eps = scalar(epsilon, pr);
        double scale = scalar(gradScale, pr);
        // the upper clipping bound as a kernel computes it: 1 - eps in the tensor's precision
        double hi = pr == Precision.FP32 ? (float) (1.0f - (float) epsilon) : 1.0 - epsilon;
        int rows = out.rows(), cols = out.cols();
        for (int i = 0; i < rows; i++) {
            double loss = 0;
            for (int j = 0; j < cols; j++) {
                int e = i * cols + j;
                double a = o.get(e), t = y.get(e);
                switch (kind) {
                    case SOFTMAX_CROSS_ENTROPY:
                        if (t != 0) {   // a zero target's term is 0 (its limit), even where p is 0
                            loss += t * Math.log(a + eps);
                        }
                        g.set(e, (a - t) * scale);
                        break;
                    case SIGMOID_BINARY_CROSS_ENTROPY: {
                        double c = Math.min(Math.max(a, eps), hi);
                        // t·log(c) + (1 − t)·log(1 − c), without the log a 0/1 target multiplies by 0: that
                        // product is −0.0 (c is clipped inside (0, 1)), and x + −0.0 is x, so the bits are the same
                        loss += t == 1.0 ? Math.log(c) : t == 0.0 ? Math.log(1.0 - c) : t * Math.log(c) + (1.0 - t) * Math.log(1.0 - c);
                        g.set(e, (a - t) * scale);
                        break;
                    }
                    case BINARY_CROSS_ENTROPY:
                        loss += t * Math.log(a + eps) + (1.0 - t) * Math.log(1.0 - a + eps);
                        g.set(e, -(t / (a + eps) - (1.0 - t) / (1.0 - a + eps)) * scale);
                        break;
                    case MEAN_SQUARED_ERROR: {
                        double d = a - t;
                        loss -= d * d;
                        g.set(e, 2.0 * d * scale);
                        break;
                    }
                    default:
                        throw new IllegalStateException("unknown loss " + kind);
                }
            }
            l.set(i, -loss);
        }
    }

    @Override
    protected void doSumColumns(double alpha, Tensor a, double beta, Tensor out) {
        CpuTensor in = t(a), o = t(out);
        int rows = a.rows(), cols = a.cols();
        if (in.isDouble()) {
            double[] acc = scratchD(cols);
            ColumnSums.sum(in.d, rows, cols, acc, slots);
            for (int j = 0; j < cols; j++) {
                o.d[j] = beta == 0 ? alpha * acc[j] : alpha * acc[j] + beta * o.d[j];
            }
        } else {
            double[] acc = scratchD(cols);
            ColumnSums.sum(in.f, rows, cols, acc);
            for (int j = 0; j < cols; j++) {
                o.set(j, beta == 0 ? alpha * acc[j] : alpha * acc[j] + beta * o.f[j]);
            }
        }
    }

    private double[] scratch = new double[0];
    private final double[] slots = new double[ColumnSums.MAX_BLOCK];

    /** A zeroed scratch array of at least n doubles, kept between calls. */
    private double[] scratchD(int n) {
        if (scratch.length < n) {
            scratch = new double[n];
        }
        java.util.Arrays.fill(scratch, 0, n, 0.0);
        return scratch;
    }

    @Override
    protected void doSumInto(Tensor values, double scale, Tensor acc, int slot) {
        CpuTensor v = t(values), a = t(acc);
        double s = 0;
        int n = values.size();
        for (int i = 0; i < n; i++) {
            s += v.get(i);
        }
        a.set(slot, a.get(slot) + scale * s);
    }

    @Override
    protected void doCountCorrect(Tensor out, Tensor target, Tensor acc, int slot) {
        CpuTensor o = t(out), y = t(target), a = t(acc);
        int rows = out.rows(), cols = out.cols();
        int correct = 0;
        for (int i = 0; i < rows; i++) {
            if (predict(o, i, cols) == predict(y, i, cols)) {
                correct++;
            }
        }
        a.set(slot, a.get(slot) + correct);
    }

    @Override
    protected void doArgmaxRows(Tensor out, Tensor labels) {
        CpuTensor o = t(out), l = t(labels);
        int cols = out.cols();
        for (int i = 0; i < out.rows(); i++) {
            l.set(i, predict(o, i, cols));
        }
    }

    /** The first index of the row maximum; for one column, 1 when the value exceeds 0.5. */
    private static int predict(CpuTensor t, int row, int cols) {
        int off = row * cols;
        if (cols == 1) {
            return t.get(off) > 0.5 ? 1 : 0;
        }
        int best = 0;
        double max = t.get(off);
        for (int j = 1; j < cols; j++) {
            double v = t.get(off + j);
            if (v > max) {
                max = v;
                best = j;
            }
        }
        return best;
    }

    // ---- element-wise -----------------------------------------------------------------------

    @Override
    protected void doScale(double alpha, Tensor x) {
        CpuTensor v = t(x);
        double s = scalar(alpha, x.precision());
        for (int i = 0, n = x.size(); i < n; i++) {
            v.set(i, s * v.get(i));
        }
    }

    @Override
    protected void doAxpy(double alpha, Tensor x, Tensor y) {
        CpuTensor vx = t(x), vy = t(y);
        double s = scalar(alpha, x.precision());
        for (int i = 0, n = x.size(); i < n; i++) {
            vy.set(i, s * vx.get(i) + vy.get(i));
        }
    }

    @Override
    protected void doFill(Tensor x, double value) {
        CpuTensor v = t(x);
        if (v.isDouble()) {
            java.util.Arrays.fill(v.d, 0, x.size(), value);
        } else {
            java.util.Arrays.fill(v.f, 0, x.size(), (float) value);
        }
    }

    @Override
    protected void doCopy(Tensor src, Tensor dst) {
        CpuTensor s = t(src), d = t(dst);
        if (s.isDouble()) {
            System.arraycopy(s.d, 0, d.d, 0, src.size());
        } else {
            System.arraycopy(s.f, 0, d.f, 0, src.size());
        }
    }

    @Override
    protected void doGatherRows(Tensor src, IndexBuffer idx, int offset, Tensor dst) {
        CpuTensor s = t(src), d = t(dst);
        int[] index = ((CpuIndexBuffer) idx).values;
        int cols = src.cols();
        for (int r = 0; r < dst.rows(); r++) {
            int from = index[offset + r];
            if (from < 0 || from >= src.rows()) {
                throw new IndexOutOfBoundsException("gatherRows: index " + from + " at position " + (offset + r)
                        + " outside the " + src.rows() + " rows of the source");
            }
            if (s.isDouble()) {
                System.arraycopy(s.d, from * cols, d.d, r * cols, cols);
            } else {
                System.arraycopy(s.f, from * cols, d.f, r * cols, cols);
            }
        }
    }

    // ---- optimizers -------------------------------------------------------------------------

    @Override
    protected void doSgdUpdate(Tensor p, Tensor g, double lr) {
        CpuTensor vp = t(p), vg = t(g);
        int n = p.size();
        if (vp.isDouble()) {
            for (int i = 0; i < n; i++) {
                vp.d[i] -= lr * vg.d[i];
            }
        } else {
            float r = (float) lr;
            for (int i = 0; i < n; i++) {
                vp.f[i] -= r * vg.f[i];
            }
        }
    }

    @Override
    protected void doMomentumUpdate(Tensor p, Tensor g, Tensor v, double lr, double mu) {
        CpuTensor vp = t(p), vg = t(g), vv = t(v);
        Precision pr = p.precision();
        double r = scalar(lr, pr), m = scalar(mu, pr);
        for (int i = 0, n = p.size(); i < n; i++) {
            vv.set(i, m * vv.get(i) + vg.get(i));
            vp.set(i, vp.get(i) - r * vv.get(i));
        }
    }

    @Override
    protected void doRmspropUpdate(Tensor p, Tensor g, Tensor s, double lr, double rho, double eps) {
        CpuTensor vp = t(p), vg = t(g), vs = t(s);
        Precision pr = p.precision();
        double r = scalar(lr, pr), ro = scalar(rho, pr), e = scalar(eps, pr);
        for (int i = 0, n = p.size(); i < n; i++) {
            double gi = vg.get(i);
            vs.set(i, ro * vs.get(i) + (1.0 - ro) * gi * gi);
            vp.set(i, vp.get(i) - r * gi / (Math.sqrt(vs.get(i)) + e));
        }
    }

    @Override
    protected void doAdamUpdate(Tensor p, Tensor g, Tensor m, Tensor v, double lr, double beta1, double beta2,
                                double eps, double correction1, double correction2) {
        CpuTensor vp = t(p), vg = t(g), vm = t(m), vv = t(v);
        Precision pr = p.precision();
        double r = scalar(lr, pr), b1 = scalar(beta1, pr), b2 = scalar(beta2, pr), e = scalar(eps, pr);
        double c1 = scalar(correction1, pr), c2 = scalar(correction2, pr);
        for (int i = 0, n = p.size(); i < n; i++) {
            double gi = vg.get(i);
            vm.set(i, b1 * vm.get(i) + (1.0 - b1) * gi);
            vv.set(i, b2 * vv.get(i) + (1.0 - b2) * gi * gi);
            double mHat = vm.get(i) / c1;
            double vHat = vv.get(i) / c2;
            vp.set(i, vp.get(i) - r * mHat / (Math.sqrt(vHat) + e));
        }
    }
}
