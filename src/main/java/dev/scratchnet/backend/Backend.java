package dev.scratchnet.backend;

import java.util.List;

/**
 * One compute backend: the CPU reference, OpenCL or CUDA. Every backend implements the same ops
 * on dense row-major tensors in fp32 and fp64; kernels/KERNELS.md is the contract each op's kernel
 * follows. The network code talks only to this interface.
 *
 * <p>Ops check their arguments (shapes, precisions, ownership) and throw
 * {@link IllegalArgumentException} with one line that says what was wrong and what was expected.
 * Ops may run asynchronously on a device; {@link #download} and {@link #synchronize} wait.
 */
public interface Backend extends AutoCloseable {

    // ---- identity -------------------------------------------------------------------------

    /** {@code cpu}, {@code opencl} or {@code cuda}. */
    String name();

    /** The device this backend runs on, in words. */
    String deviceName();

    /** Whether this backend's device computes in the given precision. */
    boolean supports(Precision precision);

    /** The device's peak multiply-add rate in GFLOP/s, or NaN where it is not known. */
    default double peakGflops(Precision precision) {
        return Double.NaN;
    }

    // ---- memory ---------------------------------------------------------------------------

    /** A new tensor of zeros. */
    Tensor zeros(int rows, int cols, Precision precision);

    /** A new tensor holding {@code m} (rounded to fp32 where asked). */
    Tensor upload(Matrix m, Precision precision);

    /** Copies {@code src} into {@code dst}, which must have the same shape. */
    void copyIn(Matrix src, Tensor dst);

    /** Copies a tensor back to the host. Waits for the ops before it. */
    Matrix download(Tensor t);

    /** Copies a tensor's elements into {@code dst} (length at least its size). Waits. */
    void download(Tensor t, double[] dst);

    /** A new index buffer of {@code length} zeros. */
    IndexBuffer indices(int length);

    /** Copies {@code values} into the start of {@code dst}. */
    void copyIn(int[] values, IndexBuffer dst);

    /** Bytes of tensors and index buffers allocated and not yet closed. */
    long bytesInUse();

    /** The device's memory in bytes, or 0 where it is the Java heap or unknown. */
    default long memoryBytes() {
        return 0;
    }

    /** Waits until every op issued so far has finished. */
    void synchronize();

    /**
     * The time {@code work} takes on the device, in milliseconds: device events where the backend
     * has them, otherwise the wall clock between two {@link #synchronize()} calls.
     */
    default double timeMillis(Runnable work) {
        synchronize();
        long start = System.nanoTime();
        work.run();
        synchronize();
        return (System.nanoTime() - start) / 1e6;
    }

    /** Returns memory still held to the system; tensors must not be used afterwards. */
    @Override
    void close();

    /** Called by {@link Tensor#close()}; not for direct use. */
    void release(Tensor t);

    /** Called by {@link IndexBuffer#close()}; not for direct use. */
    void release(IndexBuffer b);

    // ---- matrix products ------------------------------------------------------------------

    /**
     * C = alpha·op(A)·op(B) + beta·C, where op(X) is X or Xᵀ. With beta = 0, C's old contents are
     * not read (NaN in C does not leak through).
     */
    void gemm(boolean transA, boolean transB, double alpha, Tensor a, Tensor b, double beta, Tensor c);

    /**
     * The names of this backend's matmul variants; the first is the one {@link #gemm} uses, except
     * where {@link #gemmVariantFor} picks another for a shape.
     */
    List<String> gemmVariants();

    /**
     * The variant {@link #gemm} (without a variant's name) runs for an m × n output summed over k:
     * the first of {@link #gemmVariants()} unless the backend knows a better one for such a shape.
     */
    default String gemmVariantFor(int m, int n, int k, Precision precision) {
        return gemmVariants().get(0);
    }

    /**
     * The product kernel {@link #denseForward} runs for an m × n output summed over k (what the profiler
     * names): by default {@link #gemmVariantFor}'s, where a backend's dense layer is its gemm.
     */
    default String denseForwardVariant(int m, int n, int k, Precision precision) {
        return gemmVariantFor(m, n, k, precision);
    }

    /** {@link #gemm} with a named variant (see {@link #gemmVariants()}). */
    void gemm(String variant, boolean transA, boolean transB, double alpha, Tensor a, Tensor b, double beta, Tensor c);

    /**
     * The fused forward pass of a dense layer: out = act(x·w + bias), with bias 1×n broadcast over
     * rows. With {@link ActivationKind#SOFTMAX} the row softmax follows the product.
     */
    void denseForward(Tensor x, Tensor w, Tensor bias, ActivationKind act, double actParam, Tensor out);

    /** c[i][j] += bias[0][j]. */
    void addRowVector(Tensor bias, Tensor c);

    // ---- activations ----------------------------------------------------------------------

    /** a = f(z), element-wise, or the row softmax; {@code a} may be {@code z}. */
    void activationForward(ActivationKind kind, double param, Tensor z, Tensor a);

    /**
     * dZ = dA ⊙ f'(z), with f' computed from the activation's output {@code a}; for softmax,
     * dZ = a ⊙ (dA − rowsum(dA ⊙ a)). {@code dZ} may be {@code dA}.
     */
    void activationBackward(ActivationKind kind, double param, Tensor a, Tensor dA, Tensor dZ);

    /** p = softmax(z) per row, with the row maximum subtracted first; {@code p} may be {@code z}. */
    void softmaxRows(Tensor z, Tensor p);

    // ---- losses, reductions, metrics --------------------------------------------------------

    /**
     * One loss-and-gradient op (see {@link LossKind}): rowLoss (rows×1) gets each row's loss, grad
     * (same shape as {@code out}) the gradient times {@code gradScale}.
     */
    void lossAndGradient(LossKind kind, double epsilon, Tensor out, Tensor target, double gradScale,
                         Tensor grad, Tensor rowLoss);

    /** out (1×n) = alpha·(column sums of a) + beta·out. */
    void sumColumns(double alpha, Tensor a, double beta, Tensor out);

    /** acc[slot] += scale·(sum of all elements of values): the on-device loss accumulator. */
    void sumInto(Tensor values, double scale, Tensor acc, int slot);

    /**
     * acc[slot] += the number of rows whose prediction matches the target: the arg-max of each
     * row for several columns, the 0.5 threshold for one column.
     */
    void countCorrect(Tensor out, Tensor target, Tensor acc, int slot);

    /** labels (rows×1) = the prediction per row, as in {@link #countCorrect}. */
    void argmaxRows(Tensor out, Tensor labels);

    // ---- element-wise -----------------------------------------------------------------------

    /** x = alpha·x. */
    void scale(double alpha, Tensor x);

    /** y = alpha·x + y. */
    void axpy(double alpha, Tensor x, Tensor y);

    /** Every element of t = value. */
    void fill(Tensor t, double value);

    /** dst = src (same shape). */
    void copy(Tensor src, Tensor dst);

    /** dst row r = src row idx[offset + r], for every row of dst. */
    void gatherRows(Tensor src, IndexBuffer idx, int offset, Tensor dst);

    // ---- optimizers (in place) --------------------------------------------------------------

    /** p = p − lr·g. */
    void sgdUpdate(Tensor p, Tensor g, double lr);

    /** v = mu·v + g; p = p − lr·v. */
    void momentumUpdate(Tensor p, Tensor g, Tensor v, double lr, double mu);

    /** s = rho·s + (1−rho)·g²; p = p − lr·g / (√s + eps). */
    void rmspropUpdate(Tensor p, Tensor g, Tensor s, double lr, double rho, double eps);

    /**
     * m = b1·m + (1−b1)·g; v = b2·v + (1−b2)·g²; p = p − lr·m̂ / (√v̂ + eps), with the bias
     * corrections m̂ = m / (1 − b1^step), v̂ = v / (1 − b2^step); {@code step} counts from 1.
     */
    void adamUpdate(Tensor p, Tensor g, Tensor m, Tensor v, double lr, double beta1, double beta2,
                    double eps, int step);

    // ---- optimizers over every tensor of a step (one launch where the backend can) -------------
    // Entry i of each list belongs together (ps[i], gs[i], and its state); the results are those of
    // the per-tensor op applied to each entry in turn, bit for bit. The lists have equal lengths, the
    // tensors of an entry one shape, all of them one precision, and no parameter or state tensor
    // appears twice. The CUDA backend runs each as one kernel launch; the others loop.

    /** {@link #sgdUpdate(Tensor, Tensor, double)} for each entry. */
    void sgdUpdate(List<Tensor> ps, List<Tensor> gs, double lr);

    /** {@link #momentumUpdate(Tensor, Tensor, Tensor, double, double)} for each entry. */
    void momentumUpdate(List<Tensor> ps, List<Tensor> gs, List<Tensor> vs, double lr, double mu);

    /** {@link #rmspropUpdate(Tensor, Tensor, Tensor, double, double, double)} for each entry. */
    void rmspropUpdate(List<Tensor> ps, List<Tensor> gs, List<Tensor> ss, double lr, double rho, double eps);

    /** {@link #adamUpdate(Tensor, Tensor, Tensor, Tensor, double, double, double, double, int)} for each entry. */
    void adamUpdate(List<Tensor> ps, List<Tensor> gs, List<Tensor> ms, List<Tensor> vs, double lr, double beta1,
                    double beta2, double eps, int step);
}
