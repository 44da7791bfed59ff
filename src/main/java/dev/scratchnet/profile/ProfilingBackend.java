package dev.scratchnet.profile;

import dev.scratchnet.backend.ActivationKind;
import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.IndexBuffer;
import dev.scratchnet.backend.LossKind;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Tensor;

import java.util.List;

/**
 * A backend that runs every op on another backend and records how long each took: a
 * {@link Span} with the op's family, its name with shapes (gemm by shape and transposition), the
 * matmul variant, and its duration. On a device backend the duration comes from the device's
 * events ({@link Backend#timeMillis}: markers around the op on the OpenCL queue, CUDA events); on
 * the CPU, whose ops finish when they return, from the wall clock. Reading data back and waiting
 * for the device count as host synchronisation.
 *
 * <p>Timing each op on its own waits for it, so a profiled run is slower than a plain one and the
 * device never overlaps two ops; the shares between ops are what the profile is for. Tensors
 * belong to the wrapped backend, so they work with either.
 */
public final class ProfilingBackend implements Backend {
    private final Backend inner;
    private final Profile profile;
    /** Timing each op waits for it; re-entrant calls (an op inside timeMillis) are not timed twice. */
    private int depth;

    public ProfilingBackend(Backend inner, Profile profile) {
        this.inner = inner;
        this.profile = profile;
        profile.describeClock(inner.name().equals("cpu") ? "wall clock per op" : "device events per op");
    }

    /** The backend whose ops this one times. */
    public Backend inner() {
        return inner;
    }

    public Profile profile() {
        return profile;
    }

    /** Runs {@code op}, recording it as one span. */
    private void timed(String family, String name, String variant, Runnable op) {
        if (depth > 0 || !profile.recording()) {
            op.run();
            return;
        }
        depth++;
        try {
            long start = System.nanoTime();
            double ms = inner.timeMillis(op);
            profile.add(family, name, variant, start, ms);
        } finally {
            depth--;
        }
    }

    private static double wall(Runnable op) {
        long t = System.nanoTime();
        op.run();
        return (System.nanoTime() - t) / 1e6;
    }

    private static String shape(Tensor t) {
        return t.rows() + "×" + t.cols();
    }

    // ---- identity and memory: passed through; transfers timed as host synchronisation -------

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public String deviceName() {
        return inner.deviceName();
    }

    @Override
    public boolean supports(Precision precision) {
        return inner.supports(precision);
    }

    @Override
    public double peakGflops(Precision precision) {
        return inner.peakGflops(precision);
    }

    @Override
    public Tensor zeros(int rows, int cols, Precision precision) {
        return inner.zeros(rows, cols, precision);
    }

    @Override
    public Tensor upload(Matrix m, Precision precision) {
        return inner.upload(m, precision);
    }

    @Override
    public void copyIn(Matrix src, Tensor dst) {
        hostSync("copy_in " + shape(dst), () -> inner.copyIn(src, dst));
    }

    @Override
    public Matrix download(Tensor t) {
        Matrix[] out = new Matrix[1];
        hostSync("download " + shape(t), () -> out[0] = inner.download(t));
        return out[0];
    }

    @Override
    public void download(Tensor t, double[] dst) {
        hostSync("download " + shape(t), () -> inner.download(t, dst));
    }

    @Override
    public IndexBuffer indices(int length) {
        return inner.indices(length);
    }

    @Override
    public void copyIn(int[] values, IndexBuffer dst) {
        hostSync("copy_in indices " + values.length, () -> inner.copyIn(values, dst));
    }

    @Override
    public long bytesInUse() {
        return inner.bytesInUse();
    }

    @Override
    public long memoryBytes() {
        return inner.memoryBytes();
    }

    @Override
    public void synchronize() {
        hostSync("synchronize", inner::synchronize);
    }

    /** Transfers and waits: the host's wall clock, since it is the host that waits. */
    private void hostSync(String name, Runnable op) {
        if (depth > 0 || !profile.recording()) {
            op.run();
            return;
        }
        depth++;
        try {
            long start = System.nanoTime();
            double ms = wall(op);
            profile.add(Profile.HOST_SYNC, name, "", start, ms);
        } finally {
            depth--;
        }
    }

    @Override
    public double timeMillis(Runnable work) {
        return inner.timeMillis(work);
    }

    @Override
    public void close() {
        inner.close();
    }

    @Override
    public void release(Tensor t) {
        inner.release(t);
    }

    @Override
    public void release(IndexBuffer b) {
        inner.release(b);
    }

    // ---- ops --------------------------------------------------------------------------------

    @Override
    public void gemm(boolean transA, boolean transB, double alpha, Tensor a, Tensor b, double beta, Tensor c) {
        gemm(inner.gemmVariantFor(c.rows(), c.cols(), transA ? a.rows() : a.cols(), c.precision()), transA, transB, alpha, a, b,
                beta, c);
    }

    @Override
    public List<String> gemmVariants() {
        return inner.gemmVariants();
    }

    @Override
    public String gemmVariantFor(int m, int n, int k, Precision precision) {
        return inner.gemmVariantFor(m, n, k, precision);
    }

    @Override
    public String denseForwardVariant(int m, int n, int k, Precision precision) {
        return inner.denseForwardVariant(m, n, k, precision);
    }

    @Override
    public void gemm(String variant, boolean transA, boolean transB, double alpha, Tensor a, Tensor b, double beta, Tensor c) {
        int m = transA ? a.cols() : a.rows();
        int k = transA ? a.rows() : a.cols();
        int n = transB ? b.rows() : b.cols();
        String name = "gemm " + (transA ? "T" : "N") + (transB ? "T" : "N") + " " + m + "×" + k + "·" + k + "×" + n
                + (beta != 0 ? " +C" : "");
        timed(Profile.GEMM, name, variant, () -> inner.gemm(variant, transA, transB, alpha, a, b, beta, c));
    }

    @Override
    public void denseForward(Tensor x, Tensor w, Tensor bias, ActivationKind act, double actParam, Tensor out) {
        timed(Profile.DENSE_FORWARD, "dense_forward " + shape(x) + "·" + shape(w) + " +bias " + act.label(),
                inner.denseForwardVariant(x.rows(), w.cols(), x.cols(), out.precision()),
                () -> inner.denseForward(x, w, bias, act, actParam, out));
    }

    @Override
    public void addRowVector(Tensor bias, Tensor c) {
        timed(Profile.ELEMENTWISE, "add_row_vector " + shape(c), "", () -> inner.addRowVector(bias, c));
    }

    @Override
    public void activationForward(ActivationKind kind, double param, Tensor z, Tensor a) {
        timed(Profile.ACTIVATION, "activation " + kind.label() + " " + shape(z), "",
                () -> inner.activationForward(kind, param, z, a));
    }

    @Override
    public void activationBackward(ActivationKind kind, double param, Tensor a, Tensor dA, Tensor dZ) {
        timed(Profile.ACTIVATION_BACKWARD, "activation_backward " + kind.label() + " " + shape(a), "",
                () -> inner.activationBackward(kind, param, a, dA, dZ));
    }

    @Override
    public void softmaxRows(Tensor z, Tensor p) {
        timed(Profile.ACTIVATION, "softmax_rows " + shape(z), "", () -> inner.softmaxRows(z, p));
    }

    @Override
    public void lossAndGradient(LossKind kind, double epsilon, Tensor out, Tensor target, double gradScale, Tensor grad,
                                Tensor rowLoss) {
        timed(Profile.LOSS, "loss " + kind.label() + " " + shape(out), "",
                () -> inner.lossAndGradient(kind, epsilon, out, target, gradScale, grad, rowLoss));
    }

    @Override
    public void sumColumns(double alpha, Tensor a, double beta, Tensor out) {
        timed(Profile.COLUMN_SUMS, "sum_columns " + shape(a), "", () -> inner.sumColumns(alpha, a, beta, out));
    }

    @Override
    public void sumInto(Tensor values, double scale, Tensor acc, int slot) {
        timed(Profile.METRICS, "sum_into " + shape(values), "", () -> inner.sumInto(values, scale, acc, slot));
    }

    @Override
    public void countCorrect(Tensor out, Tensor target, Tensor acc, int slot) {
        timed(Profile.METRICS, "count_correct " + shape(out), "", () -> inner.countCorrect(out, target, acc, slot));
    }

    @Override
    public void argmaxRows(Tensor out, Tensor labels) {
        timed(Profile.METRICS, "argmax_rows " + shape(out), "", () -> inner.argmaxRows(out, labels));
    }

    @Override
    public void scale(double alpha, Tensor x) {
        timed(Profile.ELEMENTWISE, "scale " + shape(x), "", () -> inner.scale(alpha, x));
    }

    @Override
    public void axpy(double alpha, Tensor x, Tensor y) {
        timed(Profile.ELEMENTWISE, "axpy " + shape(x), "", () -> inner.axpy(alpha, x, y));
    }

    @Override
    public void fill(Tensor t, double value) {
        timed(Profile.ELEMENTWISE, "fill " + shape(t), "", () -> inner.fill(t, value));
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        timed(Profile.ELEMENTWISE, "copy " + shape(src), "", () -> inner.copy(src, dst));
    }

    @Override
    public void gatherRows(Tensor src, IndexBuffer idx, int offset, Tensor dst) {
        timed(Profile.GATHER, "gather_rows " + shape(dst) + " of " + src.rows(), "",
                () -> inner.gatherRows(src, idx, offset, dst));
    }

    @Override
    public void sgdUpdate(Tensor p, Tensor g, double lr) {
        timed(Profile.OPTIMIZER, "sgd_update " + shape(p), "", () -> inner.sgdUpdate(p, g, lr));
    }

    @Override
    public void momentumUpdate(Tensor p, Tensor g, Tensor v, double lr, double mu) {
        timed(Profile.OPTIMIZER, "momentum_update " + shape(p), "", () -> inner.momentumUpdate(p, g, v, lr, mu));
    }

    @Override
    public void rmspropUpdate(Tensor p, Tensor g, Tensor s, double lr, double rho, double eps) {
        timed(Profile.OPTIMIZER, "rmsprop_update " + shape(p), "", () -> inner.rmspropUpdate(p, g, s, lr, rho, eps));
    }

    @Override
    public void adamUpdate(Tensor p, Tensor g, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps, int step) {
        timed(Profile.OPTIMIZER, "adam_update " + shape(p), "",
                () -> inner.adamUpdate(p, g, m, v, lr, beta1, beta2, eps, step));
    }

    /** A list-form update's span name: one op over every tensor of the step, e.g. "sgd_update ×6 tensors". */
    private static String overTensors(String kernel, List<Tensor> ps) {
        return kernel + " ×" + ps.size() + (ps.size() == 1 ? " tensor" : " tensors");
    }

    @Override
    public void sgdUpdate(List<Tensor> ps, List<Tensor> gs, double lr) {
        timed(Profile.OPTIMIZER, overTensors("sgd_update", ps), "", () -> inner.sgdUpdate(ps, gs, lr));
    }

    @Override
    public void momentumUpdate(List<Tensor> ps, List<Tensor> gs, List<Tensor> vs, double lr, double mu) {
        timed(Profile.OPTIMIZER, overTensors("momentum_update", ps), "", () -> inner.momentumUpdate(ps, gs, vs, lr, mu));
    }

    @Override
    public void rmspropUpdate(List<Tensor> ps, List<Tensor> gs, List<Tensor> ss, double lr, double rho, double eps) {
        timed(Profile.OPTIMIZER, overTensors("rmsprop_update", ps), "", () -> inner.rmspropUpdate(ps, gs, ss, lr, rho, eps));
    }

    @Override
    public void adamUpdate(List<Tensor> ps, List<Tensor> gs, List<Tensor> ms, List<Tensor> vs, double lr, double beta1, double beta2,
                           double eps, int step) {
        timed(Profile.OPTIMIZER, overTensors("adam_update", ps), "",
                () -> inner.adamUpdate(ps, gs, ms, vs, lr, beta1, beta2, eps, step));
    }

    @Override
    public String toString() {
        return "profiling " + inner;
    }
}
