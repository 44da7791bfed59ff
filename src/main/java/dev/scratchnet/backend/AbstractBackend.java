package dev.scratchnet.backend;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The argument checks and memory accounting every backend shares. A backend implements the
 * {@code do*} methods; the public ops check shapes, precisions and ownership first, so a kernel
 * never sees a bad argument and every backend reports bad input the same way.
 */
public abstract class AbstractBackend implements Backend {
    private final AtomicLong bytesInUse = new AtomicLong();
    private boolean closed;

    // ---- what a backend implements ---------------------------------------------------------

    protected abstract Tensor doAllocate(int rows, int cols, Precision precision);

    protected abstract void doFree(Tensor t);

    protected abstract void doCopyIn(double[] src, Tensor dst);

    protected abstract void doDownload(Tensor t, double[] dst);

    protected abstract IndexBuffer doAllocateIndices(int length);

    protected abstract void doFreeIndices(IndexBuffer b);

    protected abstract void doCopyIn(int[] values, IndexBuffer dst);

    protected abstract void doClose();

    protected abstract void doGemm(String variant, boolean transA, boolean transB, int m, int n, int k,
                                   double alpha, Tensor a, Tensor b, double beta, Tensor c);

    protected abstract void doDenseForward(Tensor x, Tensor w, Tensor bias, ActivationKind act, double actParam, Tensor out);

    protected abstract void doAddRowVector(Tensor bias, Tensor c);

    protected abstract void doActivationForward(ActivationKind kind, double param, Tensor z, Tensor a);

    protected abstract void doActivationBackward(ActivationKind kind, double param, Tensor a, Tensor dA, Tensor dZ);

    protected abstract void doSoftmaxRows(Tensor z, Tensor p);

    protected abstract void doSoftmaxBackward(Tensor p, Tensor dP, Tensor dZ);

    protected abstract void doLossAndGradient(LossKind kind, double epsilon, Tensor out, Tensor target,
                                              double gradScale, Tensor grad, Tensor rowLoss);

    protected abstract void doSumColumns(double alpha, Tensor a, double beta, Tensor out);

    protected abstract void doSumInto(Tensor values, double scale, Tensor acc, int slot);

    protected abstract void doCountCorrect(Tensor out, Tensor target, Tensor acc, int slot);

    protected abstract void doArgmaxRows(Tensor out, Tensor labels);

    protected abstract void doScale(double alpha, Tensor x);

    protected abstract void doAxpy(double alpha, Tensor x, Tensor y);

    protected abstract void doFill(Tensor t, double value);

    protected abstract void doCopy(Tensor src, Tensor dst);

    protected abstract void doGatherRows(Tensor src, IndexBuffer idx, int offset, Tensor dst);

    protected abstract void doSgdUpdate(Tensor p, Tensor g, double lr);

    protected abstract void doMomentumUpdate(Tensor p, Tensor g, Tensor v, double lr, double mu);

    protected abstract void doRmspropUpdate(Tensor p, Tensor g, Tensor s, double lr, double rho, double eps);

    protected abstract void doAdamUpdate(Tensor p, Tensor g, Tensor m, Tensor v, double lr, double beta1,
                                         double beta2, double eps, double correction1, double correction2);

    // ---- optimizer steps over lists: one launch where a backend overrides these; else a loop -----
    // The lists are checked (see optimizerLists) before these run.

    protected void doSgdUpdate(List<Tensor> ps, List<Tensor> gs, double lr) {
        for (int i = 0; i < ps.size(); i++) {
            doSgdUpdate(ps.get(i), gs.get(i), lr);
        }
    }

    protected void doMomentumUpdate(List<Tensor> ps, List<Tensor> gs, List<Tensor> vs, double lr, double mu) {
        for (int i = 0; i < ps.size(); i++) {
            doMomentumUpdate(ps.get(i), gs.get(i), vs.get(i), lr, mu);
        }
    }

    protected void doRmspropUpdate(List<Tensor> ps, List<Tensor> gs, List<Tensor> ss, double lr, double rho, double eps) {
        for (int i = 0; i < ps.size(); i++) {
            doRmspropUpdate(ps.get(i), gs.get(i), ss.get(i), lr, rho, eps);
        }
    }

    protected void doAdamUpdate(List<Tensor> ps, List<Tensor> gs, List<Tensor> ms, List<Tensor> vs, double lr, double beta1,
                                double beta2, double eps, double correction1, double correction2) {
        for (int i = 0; i < ps.size(); i++) {
            doAdamUpdate(ps.get(i), gs.get(i), ms.get(i), vs.get(i), lr, beta1, beta2, eps, correction1, correction2);
        }
    }

    // ---- memory ---------------------------------------------------------------------------

    @Override
    public final Tensor zeros(int rows, int cols, Precision precision) {
        checkOpen();
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("tensor shape " + rows + "×" + cols + ": both sizes must be at least 1");
        }
        if (!supports(precision)) {
            throw new UnsupportedOperationException(name() + " backend (" + deviceName() + ") does not support "
                    + precision + ": use --precision fp32");
        }
        long bytes = (long) rows * cols * precision.bytes();
        if ((long) rows * cols > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor shape " + rows + "×" + cols + " has more than 2^31 elements");
        }
        Tensor t = doAllocate(rows, cols, precision);
        bytesInUse.addAndGet(bytes);
        return t;
    }

    @Override
    public final Tensor upload(Matrix m, Precision precision) {
        Tensor t = zeros(m.rows(), m.cols(), precision);
        try {
            doCopyIn(m.data(), t);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    @Override
    public final void copyIn(Matrix src, Tensor dst) {
        own(dst, "copyIn destination");
        if (src.rows() != dst.rows() || src.cols() != dst.cols()) {
            throw new IllegalArgumentException("copyIn: host matrix is " + src.shape() + " but the tensor is " + dst.shape());
        }
        doCopyIn(src.data(), dst);
    }

    @Override
    public final Matrix download(Tensor t) {
        own(t, "download");
        Matrix m = new Matrix(t.rows(), t.cols());
        doDownload(t, m.data());
        return m;
    }

    @Override
    public final void download(Tensor t, double[] dst) {
        own(t, "download");
        if (dst.length < t.size()) {
            throw new IllegalArgumentException("download: a " + t.shape() + " tensor needs " + t.size()
                    + " values, the array holds " + dst.length);
        }
        doDownload(t, dst);
    }

    @Override
    public final IndexBuffer indices(int length) {
        checkOpen();
        if (length <= 0) {
            throw new IllegalArgumentException("index buffer length " + length + ": must be at least 1");
        }
        IndexBuffer b = doAllocateIndices(length);
        bytesInUse.addAndGet(4L * length);
        return b;
    }

    @Override
    public final void copyIn(int[] values, IndexBuffer dst) {
        ownIndices(dst);
        if (values.length > dst.length()) {
            throw new IllegalArgumentException("copyIn: " + values.length + " indices into a buffer of " + dst.length());
        }
        doCopyIn(values, dst);
    }

    @Override
    public final long bytesInUse() {
        return bytesInUse.get();
    }

    @Override
    public final void release(Tensor t) {
        if (t.backend() != this || t.isView()) {
            return;
        }
        bytesInUse.addAndGet(-t.bytes());
        if (!closed) {
            doFree(t);
        }
    }

    @Override
    public final void release(IndexBuffer b) {
        if (b.backend() != this) {
            return;
        }
        bytesInUse.addAndGet(-4L * b.length());
        if (!closed) {
            doFreeIndices(b);
        }
    }

    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            doClose();
        }
    }

    protected final boolean isClosed() {
        return closed;
    }

    // ---- ops --------------------------------------------------------------------------------

    @Override
    public final void gemm(boolean transA, boolean transB, double alpha, Tensor a, Tensor b, double beta, Tensor c) {
        gemm(gemmVariantFor(c.rows(), c.cols(), transA ? a.rows() : a.cols(), c.precision()), transA, transB, alpha, a, b, beta, c);
    }

    @Override
    public final void gemm(String variant, boolean transA, boolean transB, double alpha, Tensor a, Tensor b,
                           double beta, Tensor c) {
        samePrecision("gemm", a, b, c);
        if (!gemmVariants().contains(variant)) {
            throw new IllegalArgumentException("unknown matmul variant '" + variant + "' on " + name()
                    + ": expected one of " + gemmVariants());
        }
        int m = transA ? a.cols() : a.rows();
        int k = transA ? a.rows() : a.cols();
        int kb = transB ? b.cols() : b.rows();
        int n = transB ? b.rows() : b.cols();
        if (k != kb) {
            throw new IllegalArgumentException("gemm: op(A) is " + m + "×" + k + " but op(B) is " + kb + "×" + n
                    + ": inner dimensions " + k + " and " + kb + " differ");
        }
        if (c.rows() != m || c.cols() != n) {
            throw new IllegalArgumentException("gemm: op(A)·op(B) is " + m + "×" + n + " but C is " + c.shape());
        }
        noAlias("gemm", c, a, b);
        doGemm(variant, transA, transB, m, n, k, alpha, a, b, beta, c);
    }

    @Override
    public final void denseForward(Tensor x, Tensor w, Tensor bias, ActivationKind act, double actParam, Tensor out) {
        samePrecision("denseForward", x, w, bias, out);
        if (x.cols() != w.rows()) {
            throw new IllegalArgumentException("denseForward: input has " + x.cols() + " columns but the weights are "
                    + w.shape() + " (expected " + x.cols() + " rows)");
        }
        rowVector("denseForward bias", bias, w.cols());
        shape("denseForward output", out, x.rows(), w.cols());
        noAlias("denseForward", out, x, w, bias);
        doDenseForward(x, w, bias, act, actParam, out);
    }

    @Override
    public final void addRowVector(Tensor bias, Tensor c) {
        samePrecision("addRowVector", bias, c);
        rowVector("addRowVector bias", bias, c.cols());
        doAddRowVector(bias, c);
    }

    @Override
    public final void activationForward(ActivationKind kind, double param, Tensor z, Tensor a) {
        samePrecision("activationForward", z, a);
        sameShape("activationForward", z, a);
        if (kind == ActivationKind.SOFTMAX) {
            doSoftmaxRows(z, a);
        } else {
            doActivationForward(kind, param, z, a);
        }
    }

    @Override
    public final void activationBackward(ActivationKind kind, double param, Tensor a, Tensor dA, Tensor dZ) {
        samePrecision("activationBackward", a, dA, dZ);
        sameShape("activationBackward", a, dA);
        sameShape("activationBackward", a, dZ);
        if (kind == ActivationKind.SOFTMAX) {
            doSoftmaxBackward(a, dA, dZ);
        } else {
            doActivationBackward(kind, param, a, dA, dZ);
        }
    }

    @Override
    public final void softmaxRows(Tensor z, Tensor p) {
        samePrecision("softmaxRows", z, p);
        sameShape("softmaxRows", z, p);
        doSoftmaxRows(z, p);
    }

    @Override
    public final void lossAndGradient(LossKind kind, double epsilon, Tensor out, Tensor target, double gradScale,
                                      Tensor grad, Tensor rowLoss) {
        samePrecision("lossAndGradient", out, target, grad, rowLoss);
        sameShape("lossAndGradient (output and target)", out, target);
        sameShape("lossAndGradient (output and gradient)", out, grad);
        shape("lossAndGradient row losses", rowLoss, out.rows(), 1);
        if (!(epsilon >= 0) || epsilon >= 0.5) {
            throw new IllegalArgumentException("loss epsilon " + epsilon + ": expected 0 <= epsilon < 0.5");
        }
        if (kind == LossKind.SIGMOID_BINARY_CROSS_ENTROPY && epsilon <= 0) {
            throw new IllegalArgumentException("sigmoid_bce needs a clipping bound epsilon > 0 (the notebook uses 1e-7)");
        }
        doLossAndGradient(kind, epsilon, out, target, gradScale, grad, rowLoss);
    }

    @Override
    public final void sumColumns(double alpha, Tensor a, double beta, Tensor out) {
        samePrecision("sumColumns", a, out);
        rowVector("sumColumns output", out, a.cols());
        doSumColumns(alpha, a, beta, out);
    }

    @Override
    public final void sumInto(Tensor values, double scale, Tensor acc, int slot) {
        samePrecision("sumInto", values, acc);
        slot("sumInto", acc, slot);
        doSumInto(values, scale, acc, slot);
    }

    @Override
    public final void countCorrect(Tensor out, Tensor target, Tensor acc, int slot) {
        samePrecision("countCorrect", out, target, acc);
        sameShape("countCorrect", out, target);
        slot("countCorrect", acc, slot);
        doCountCorrect(out, target, acc, slot);
    }

    @Override
    public final void argmaxRows(Tensor out, Tensor labels) {
        samePrecision("argmaxRows", out, labels);
        shape("argmaxRows labels", labels, out.rows(), 1);
        doArgmaxRows(out, labels);
    }

    @Override
    public final void scale(double alpha, Tensor x) {
        own(x, "scale");
        doScale(alpha, x);
    }

    @Override
    public final void axpy(double alpha, Tensor x, Tensor y) {
        samePrecision("axpy", x, y);
        sameShape("axpy", x, y);
        doAxpy(alpha, x, y);
    }

    @Override
    public final void fill(Tensor t, double value) {
        own(t, "fill");
        doFill(t, value);
    }

    @Override
    public final void copy(Tensor src, Tensor dst) {
        samePrecision("copy", src, dst);
        sameShape("copy", src, dst);
        if (src.root() != dst.root()) {
            doCopy(src, dst);
        }
    }

    @Override
    public final void gatherRows(Tensor src, IndexBuffer idx, int offset, Tensor dst) {
        samePrecision("gatherRows", src, dst);
        ownIndices(idx);
        if (src.cols() != dst.cols()) {
            throw new IllegalArgumentException("gatherRows: source has " + src.cols() + " columns, destination "
                    + dst.cols());
        }
        if (offset < 0 || offset + dst.rows() > idx.length()) {
            throw new IllegalArgumentException("gatherRows: indices " + offset + ".." + (offset + dst.rows() - 1)
                    + " outside the buffer of " + idx.length());
        }
        noAlias("gatherRows", dst, src);
        doGatherRows(src, idx, offset, dst);
    }

    @Override
    public final void sgdUpdate(Tensor p, Tensor g, double lr) {
        samePrecision("sgdUpdate", p, g);
        sameShape("sgdUpdate", p, g);
        doSgdUpdate(p, g, lr);
    }

    @Override
    public final void momentumUpdate(Tensor p, Tensor g, Tensor v, double lr, double mu) {
        samePrecision("momentumUpdate", p, g, v);
        sameShape("momentumUpdate", p, g);
        sameShape("momentumUpdate", p, v);
        doMomentumUpdate(p, g, v, lr, mu);
    }

    @Override
    public final void rmspropUpdate(Tensor p, Tensor g, Tensor s, double lr, double rho, double eps) {
        samePrecision("rmspropUpdate", p, g, s);
        sameShape("rmspropUpdate", p, g);
        sameShape("rmspropUpdate", p, s);
        doRmspropUpdate(p, g, s, lr, rho, eps);
    }

    @Override
    public final void adamUpdate(Tensor p, Tensor g, Tensor m, Tensor v, double lr, double beta1, double beta2,
                                 double eps, int step) {
        samePrecision("adamUpdate", p, g, m, v);
        sameShape("adamUpdate", p, g);
        sameShape("adamUpdate", p, m);
        sameShape("adamUpdate", p, v);
        if (step < 1) {
            throw new IllegalArgumentException("adamUpdate: step " + step + " must count from 1");
        }
        doAdamUpdate(p, g, m, v, lr, beta1, beta2, eps, 1 - Math.pow(beta1, step), 1 - Math.pow(beta2, step));
    }

    @Override
    public final void sgdUpdate(List<Tensor> ps, List<Tensor> gs, double lr) {
        if (optimizerLists("sgdUpdate", new String[] {"parameters", "gradients"}, ps, gs)) {
            doSgdUpdate(ps, gs, lr);
        }
    }

    @Override
    public final void momentumUpdate(List<Tensor> ps, List<Tensor> gs, List<Tensor> vs, double lr, double mu) {
        if (optimizerLists("momentumUpdate", new String[] {"parameters", "gradients", "velocities"}, ps, gs, vs)) {
            doMomentumUpdate(ps, gs, vs, lr, mu);
        }
    }

    @Override
    public final void rmspropUpdate(List<Tensor> ps, List<Tensor> gs, List<Tensor> ss, double lr, double rho, double eps) {
        if (optimizerLists("rmspropUpdate", new String[] {"parameters", "gradients", "mean squares"}, ps, gs, ss)) {
            doRmspropUpdate(ps, gs, ss, lr, rho, eps);
        }
    }

    @Override
    public final void adamUpdate(List<Tensor> ps, List<Tensor> gs, List<Tensor> ms, List<Tensor> vs, double lr, double beta1,
                                 double beta2, double eps, int step) {
        if (step < 1) {
            throw new IllegalArgumentException("adamUpdate: step " + step + " must count from 1");
        }
        if (optimizerLists("adamUpdate", new String[] {"parameters", "gradients", "first moments", "second moments"}, ps, gs, ms, vs)) {
            doAdamUpdate(ps, gs, ms, vs, lr, beta1, beta2, eps, 1 - Math.pow(beta1, step), 1 - Math.pow(beta2, step));
        }
    }

    /**
     * Checks the lists of a list-form optimizer update once: equal lengths; each entry's tensors this
     * backend's, open, of one shape; every tensor of one precision; no parameter or state tensor (every
     * list but the gradients, {@code lists[1]}) twice, since the entries may be updated at the same time.
     * Returns whether there is anything to update.
     */
    @SafeVarargs
    private boolean optimizerLists(String op, String[] names, List<Tensor>... lists) {
        checkOpen();
        for (int l = 0; l < lists.length; l++) {
            if (lists[l] == null) {
                throw new IllegalArgumentException(op + ": the list of " + names[l] + " is null");
            }
            if (lists[l].size() != lists[0].size()) {
                throw new IllegalArgumentException(op + ": " + lists[0].size() + " " + names[0] + " but " + lists[l].size() + " "
                        + names[l] + ": the lists must have equal lengths");
            }
        }
        Map<Tensor, Integer> written = new IdentityHashMap<>();
        Tensor[] entry = new Tensor[lists.length];
        for (int i = 0; i < lists[0].size(); i++) {
            String at = op + " entry " + i;
            for (int l = 0; l < lists.length; l++) {
                entry[l] = lists[l].get(i);
            }
            samePrecision(at, entry);
            for (int l = 1; l < lists.length; l++) {
                sameShape(at + " (" + names[0] + " and " + names[l] + ")", entry[0], entry[l]);
            }
            if (entry[0].precision() != lists[0].get(0).precision()) {
                throw new IllegalArgumentException(op + ": entries mix " + lists[0].get(0).precision() + " (entry 0) and "
                        + entry[0].precision() + " (entry " + i + ")");
            }
            for (int l = 0; l < lists.length; l++) {
                Integer earlier = l == 1 ? null : written.putIfAbsent(entry[l].root(), i);
                if (earlier != null) {
                    throw new IllegalArgumentException(op + ": entry " + i + " updates the " + entry[l].shape() + " tensor that entry "
                            + earlier + " updates too: each parameter and state tensor may appear once");
                }
            }
        }
        return !lists[0].isEmpty();
    }

    // ---- checks -----------------------------------------------------------------------------

    protected final void checkOpen() {
        if (closed) {
            throw new IllegalStateException(name() + " backend is closed");
        }
    }

    private void own(Tensor t, String op) {
        checkOpen();
        if (t == null) {
            throw new IllegalArgumentException(op + ": tensor is null");
        }
        if (t.backend() != this) {
            throw new IllegalArgumentException(op + ": the tensor belongs to "
                    + (t.backend().name().equals(name()) ? "another " + name() + " backend instance"
                    : "the " + t.backend().name() + " backend, not to " + name()));
        }
        if (t.isClosed()) {
            throw new IllegalStateException(op + ": the " + t.shape() + " tensor is closed");
        }
    }

    private void ownIndices(IndexBuffer b) {
        checkOpen();
        if (b.backend() != this) {
            throw new IllegalArgumentException("the index buffer belongs to the " + b.backend().name()
                    + " backend, not to " + name());
        }
        if (b.isClosed()) {
            throw new IllegalStateException("the index buffer is closed");
        }
    }

    private void samePrecision(String op, Tensor... ts) {
        for (Tensor t : ts) {
            own(t, op);
        }
        for (Tensor t : ts) {
            if (t.precision() != ts[0].precision()) {
                throw new IllegalArgumentException(op + ": tensors mix " + ts[0].precision() + " and " + t.precision());
            }
        }
    }

    private static void sameShape(String op, Tensor a, Tensor b) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            throw new IllegalArgumentException(op + ": shapes " + a.shape() + " and " + b.shape() + " differ");
        }
    }

    private static void shape(String what, Tensor t, int rows, int cols) {
        if (t.rows() != rows || t.cols() != cols) {
            throw new IllegalArgumentException(what + " is " + t.shape() + ", expected " + rows + "×" + cols);
        }
    }

    private static void rowVector(String what, Tensor t, int cols) {
        shape(what, t, 1, cols);
    }

    private static void slot(String op, Tensor acc, int slot) {
        if (slot < 0 || slot >= acc.size()) {
            throw new IllegalArgumentException(op + ": slot " + slot + " outside the accumulator of " + acc.size());
        }
    }

    private static void noAlias(String op, Tensor out, Tensor... ins) {
        for (Tensor in : ins) {
            if (in.root() == out.root()) {
                throw new IllegalArgumentException(op + ": the output tensor must not also be an input");
            }
        }
    }

    /** Rounds a scalar argument to the precision the kernels compute in. */
    protected static double scalar(double value, Precision precision) {
        return precision == Precision.FP32 ? (float) value : value;
    }
}
