package dev.scratchnet.lab;

import dev.scratchnet.backend.ActivationKind;
import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.IndexBuffer;
import dev.scratchnet.backend.LossKind;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Tensor;
import dev.scratchnet.backend.cpu.CpuBackend;
import dev.scratchnet.backend.cuda.CudaBackend;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * {@code scratchnet kernels check}: runs every op and every matmul variant of a backend on random
 * inputs of odd shapes and compares each result with the CPU backend in fp64 on the same inputs,
 * within {@link Tolerance} (the tolerance of a linear op scales with Σ|terms|, computed by running it
 * on the absolute values of its inputs). One {@link Result} per op, variant, precision and shape.
 *
 * <p>The checks are a numbered list of {@link Case}s, made with their inputs before any runs, so a
 * run can start at any case: {@code kernels check} runs them in a child process and, when a case
 * hangs or kills that process, starts another at the next case.
 */
public final class KernelCheck {
    /** rows, cols, inner dimension. */
    public static final int[][] DEFAULT_SHAPES = {{1, 1, 1}, {7, 13, 5}, {33, 17, 65}, {128, 96, 300}};
    /** Small enough for a simulator such as Oclgrind. */
    public static final int[][] SMALL_SHAPES = {{1, 1, 1}, {7, 13, 5}, {17, 9, 33}};

    /** One compared case. */
    public static final class Result {
        public final String op;
        public final Precision precision;
        public final String shape;
        /** Worst |difference| / allowed difference; above 1 (or NaN) fails. */
        public final double worstRatio;
        public final String error;

        Result(String op, Precision precision, String shape, double worstRatio, String error) {
            this.op = op;
            this.precision = precision;
            this.shape = shape;
            this.worstRatio = worstRatio;
            this.error = error;
        }

        public boolean passed() {
            return error == null && worstRatio <= 1.0;
        }

        /** A failed case that produced no comparison (timed out, crashed the process). */
        public static Result failed(String op, Precision precision, String shape, String error) {
            return new Result(op, precision, shape, Double.NaN, error);
        }

        /** A result as another process reported it. */
        public static Result of(String op, Precision precision, String shape, double worstRatio, String error) {
            return new Result(op, precision, shape, worstRatio, error);
        }
    }

    /** One check, ready to run: its name, precision and shape, and the comparison it makes. */
    public static final class Case {
        public final String op;
        public final Precision precision;
        public final String shape;
        private final java.util.function.Supplier<Result> work;

        Case(String op, Precision precision, String shape, java.util.function.Supplier<Result> work) {
            this.op = op;
            this.precision = precision;
            this.shape = shape;
            this.work = work;
        }

        public Result run() {
            return work.get();
        }
    }

    /** What an op does to the tensors made from the inputs. */
    private interface Op {
        void run(Backend be, Tensor[] t, IndexBuffer idx);
    }

    /** Shapes on which a tile-parameter candidate is checked: edges of every kind, and more than one block each way. */
    public static final int[][] TUNING_SHAPES = {{1, 1, 1}, {7, 13, 5}, {33, 17, 65}, {130, 135, 70}};

    private final Backend backend;
    private final Backend reference;
    private final List<Case> cases = new ArrayList<>();

    private KernelCheck(Backend backend, Backend reference) {
        this.backend = backend;
        this.reference = reference;
    }

    /** Runs every check; {@code reference} is a CPU backend the caller closes. */
    public static List<Result> run(Backend backend, List<Precision> precisions, int[][] shapes) {
        try (Backend reference = new CpuBackend()) {
            List<Result> results = new ArrayList<>();
            for (Case c : cases(backend, reference, precisions, shapes)) {
                results.add(c.run());
            }
            return results;
        }
    }

    /** Every check, in order, not yet run; each compares {@code backend} with {@code reference} (a CPU backend). */
    public static List<Case> cases(Backend backend, Backend reference, List<Precision> precisions, int[][] shapes) {
        KernelCheck c = new KernelCheck(backend, reference);
        for (Precision p : precisions) {
            if (!backend.supports(p)) {
                continue;
            }
            for (int[] s : shapes) {
                c.all(p, s[0], s[1], s[2]);
            }
            c.longRows(p);
        }
        return c.cases;
    }

    /**
     * The checks of one matmul variant (all four transposes, alpha and beta) on {@code shapes}, and,
     * with {@code dense}, of dense_forward (which shares the register-blocked core), not yet run.
     */
    public static List<Case> gemmCases(Backend backend, Backend reference, String variant, boolean dense, Precision p, int[][] shapes) {
        KernelCheck c = new KernelCheck(backend, reference);
        for (int[] s : shapes) {
            Random r = new Random(31L * s[0] + 17L * s[1] + s[2] + p.ordinal());
            c.gemm(r, variant, p, s[0], s[1], s[2]);
            if (dense) {
                c.dense(r, ActivationKind.RELU, p, s[0], s[1], s[2]);
            }
        }
        return c.cases;
    }

    private void gemm(Random r, String v, Precision p, int m, int n, int k) {
        boolean tf32 = v.equals(CudaBackend.TF32_VARIANT);
        if (tf32 && p != Precision.FP32) {
            return;   // TF32 has no fp64 form
        }
        for (int t = 0; t < 4; t++) {
            boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
            Matrix a = ta ? rand(r, k, m, p) : rand(r, m, k, p);
            Matrix b = tb ? rand(r, n, k, p) : rand(r, k, n, p);
            check("matmul " + v + " " + (ta ? "T" : "N") + (tb ? "T" : "N"), p, tf32, m, n, k, true, k, new int[] {2},
                    new Matrix[] {a, b, rand(r, m, n, p)}, (be, x, i) -> {
                        if (be == reference) {
                            be.gemm(ta, tb, 0.5, x[0], x[1], 1.5, x[2]);
                        } else {
                            be.gemm(v, ta, tb, 0.5, x[0], x[1], 1.5, x[2]);
                        }
                    });
        }
    }

    private void dense(Random r, ActivationKind act, Precision p, int m, int n, int k) {
        double param = act == ActivationKind.LEAKY_RELU ? 0.1 : 0;
        Matrix x = rand(r, m, k, p), w = rand(r, k, n, p), b = rand(r, 1, n, p);
        // under --tf32 an fp32 dense layer's product is matmul_tf32's
        boolean tf32 = p == Precision.FP32 && CudaBackend.usesTf32(backend);
        check("dense_forward " + act.label(), p, tf32, m, n, k, act != ActivationKind.SOFTMAX, k + 1, new int[] {3},
                new Matrix[] {x, w, b, new Matrix(m, n)}, (be, t, i) -> be.denseForward(t[0], t[1], t[2], act, param, t[3]));
    }

    private void all(Precision p, int m, int n, int k) {
        Random r = new Random(31L * m + 17L * n + k + p.ordinal());
        for (String v : backend.gemmVariants()) {
            gemm(r, v, p, m, n, k);
        }
        for (ActivationKind act : ActivationKind.values()) {
            double param = act == ActivationKind.LEAKY_RELU ? 0.1 : 0;
            dense(r, act, p, m, n, k);
            Matrix z = scale(rand(r, m, n, p), 4, p);
            check("activation " + act.label(), p, m, n, k, false, act == ActivationKind.SOFTMAX ? n : 1, new int[] {1},
                    new Matrix[] {z, new Matrix(m, n)}, (be, t, i) -> be.activationForward(act, param, t[0], t[1]));
            Matrix a = act == ActivationKind.SOFTMAX ? softmaxed(z) : rand(r, m, n, p);
            check("activation_backward " + act.label(), p, m, n, k, false, act == ActivationKind.SOFTMAX ? n : 1, new int[] {2},
                    new Matrix[] {a, rand(r, m, n, p), new Matrix(m, n)}, (be, t, i) -> be.activationBackward(act, param, t[0], t[1], t[2]));
        }
        for (LossKind kind : LossKind.values()) {
            double eps = kind == LossKind.MEAN_SQUARED_ERROR ? 0 : kind.defaultEpsilon();
            Matrix out = probabilities(r, m, n, p);
            Matrix y = kind == LossKind.MEAN_SQUARED_ERROR ? rand(r, m, n, p) : oneHot(r, m, n);
            check("loss " + kind.label(), p, m, n, k, false, n, new int[] {2, 3},
                    new Matrix[] {out, y, new Matrix(m, n), new Matrix(m, 1)},
                    (be, t, i) -> be.lossAndGradient(kind, eps, t[0], t[1], 1.0 / m, t[2], t[3]));
        }
        check("sum_columns", p, m, n, k, true, m, new int[] {1}, new Matrix[] {rand(r, m, n, p), rand(r, 1, n, p)},
                (be, t, i) -> be.sumColumns(0.5, t[0], 2.0, t[1]));
        check("sum_into", p, m, n, k, true, m * n, new int[] {1}, new Matrix[] {rand(r, m, n, p), rand(r, 1, 3, p)},
                (be, t, i) -> be.sumInto(t[0], 2.0, t[1], 2));
        check("count_correct", p, m, n, k, false, 1, new int[] {2}, new Matrix[] {rand(r, m, n, p), oneHot(r, m, n), new Matrix(1, 2)},
                (be, t, i) -> be.countCorrect(t[0], t[1], t[2], 1));
        check("argmax_rows", p, m, n, k, false, 1, new int[] {1}, new Matrix[] {rand(r, m, n, p), new Matrix(m, 1)},
                (be, t, i) -> be.argmaxRows(t[0], t[1]));
        check("add_row_vector", p, m, n, k, true, 1, new int[] {1}, new Matrix[] {rand(r, 1, n, p), rand(r, m, n, p)},
                (be, t, i) -> be.addRowVector(t[0], t[1]));
        check("scale", p, m, n, k, true, 1, new int[] {0}, new Matrix[] {rand(r, m, n, p)}, (be, t, i) -> be.scale(-0.75, t[0]));
        check("axpy", p, m, n, k, true, 1, new int[] {1}, new Matrix[] {rand(r, m, n, p), rand(r, m, n, p)},
                (be, t, i) -> be.axpy(1.25, t[0], t[1]));
        check("fill", p, m, n, k, false, 1, new int[] {0}, new Matrix[] {rand(r, m, n, p)}, (be, t, i) -> be.fill(t[0], 0.25));
        check("copy", p, m, n, k, false, 1, new int[] {1}, new Matrix[] {rand(r, m, n, p), new Matrix(m, n)},
                (be, t, i) -> be.copy(t[0], t[1]));
        check("gather_rows", p, m, n, k, false, 1, new int[] {1}, new Matrix[] {rand(r, m, n, p), new Matrix(m, n)},
                (be, t, i) -> be.gatherRows(t[0], i, 1, t[1]));
        Matrix param = rand(r, m, n, p), grad = rand(r, m, n, p), s1 = rand(r, m, n, p), s2 = abs(rand(r, m, n, p));
        check("sgd_update", p, m, n, k, false, 1, new int[] {0}, new Matrix[] {param, grad}, (be, t, i) -> be.sgdUpdate(t[0], t[1], 0.1));
        check("momentum_update", p, m, n, k, false, 2, new int[] {0, 2}, new Matrix[] {param, grad, s1},
                (be, t, i) -> be.momentumUpdate(t[0], t[1], t[2], 0.1, 0.9));
        check("rmsprop_update", p, m, n, k, false, 8, new int[] {0, 2}, new Matrix[] {param, grad, s2},
                (be, t, i) -> be.rmspropUpdate(t[0], t[1], t[2], 0.01, 0.9, 1e-6));
        check("adam_update", p, m, n, k, false, 8, new int[] {0, 2, 3}, new Matrix[] {param, grad, s1, s2},
                (be, t, i) -> be.adamUpdate(t[0], t[1], t[2], t[3], 0.01, 0.9, 0.999, 1e-6, 3));
        // the list forms over two tensors of different shapes: optim.cu's NAME_update_multi on CUDA (one launch), a loop
        // elsewhere; named multi_* so that --only sgd_update still picks the per-tensor kernel alone
        Matrix param2 = rand(r, n, m + 1, p), grad2 = rand(r, n, m + 1, p), s12 = rand(r, n, m + 1, p), s22 = abs(rand(r, n, m + 1, p));
        Matrix[] two = {param, grad, s1, s2, param2, grad2, s12, s22};
        check("multi_sgd_update", p, m, n, k, false, 1, new int[] {0, 4}, two,
                (be, t, i) -> be.sgdUpdate(List.of(t[0], t[4]), List.of(t[1], t[5]), 0.1));
        check("multi_momentum_update", p, m, n, k, false, 2, new int[] {0, 2, 4, 6}, two,
                (be, t, i) -> be.momentumUpdate(List.of(t[0], t[4]), List.of(t[1], t[5]), List.of(t[2], t[6]), 0.1, 0.9));
        check("multi_rmsprop_update", p, m, n, k, false, 8, new int[] {0, 3, 4, 7}, two,
                (be, t, i) -> be.rmspropUpdate(List.of(t[0], t[4]), List.of(t[1], t[5]), List.of(t[3], t[7]), 0.01, 0.9, 1e-6));
        check("multi_adam_update", p, m, n, k, false, 8, new int[] {0, 2, 3, 4, 6, 7}, two,
                (be, t, i) -> be.adamUpdate(List.of(t[0], t[4]), List.of(t[1], t[5]), List.of(t[2], t[6]), List.of(t[3], t[7]), 0.01,
                        0.9, 0.999, 1e-6, 3));
    }

    private void longRows(Precision p) {
        Random r = new Random(99);
        for (int[] s : new int[][] {{1, 5000}, {3, 1025}}) {
            check("softmax_rows", p, s[0], s[1], 1, false, s[1], new int[] {0}, new Matrix[] {scale(rand(r, s[0], s[1], p), 10, p)},
                    (be, t, i) -> be.softmaxRows(t[0], t[0]));
            check("sum_columns", p, s[1], s[0], 1, true, s[1], new int[] {1}, new Matrix[] {rand(r, s[1], s[0], p), new Matrix(1, s[0])},
                    (be, t, i) -> be.sumColumns(1.0, t[0], 0.0, t[1]));
        }
    }

    private void check(String op, Precision p, int m, int n, int k, boolean linear, int reduction, int[] outputs,
                       Matrix[] inputs, Op work) {
        check(op, p, false, m, n, k, linear, reduction, outputs, inputs, work);
    }

    /** One check; with {@code tf32}, held to TF32's tolerance ({@link Tolerance#allowedTf32}). */
    private void check(String op, Precision p, boolean tf32, int m, int n, int k, boolean linear, int reduction, int[] outputs,
                       Matrix[] inputs, Op work) {
        String shape = m + "×" + n + (op.startsWith("matmul") || op.startsWith("dense") ? "·" + k : "");
        cases.add(new Case(op, p, shape, () -> compare(op, p, tf32, shape, m, linear, reduction, outputs, inputs, work)));
    }

    private Result compare(String op, Precision p, boolean tf32, String shape, int m, boolean linear, int reduction, int[] outputs,
                           Matrix[] inputs, Op work) {
        int[] perm = new int[m + 1];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = (i * 5 + 3) % m;
        }
        try {
            Matrix[] expected = apply(reference, Precision.FP64, inputs, outputs, perm, work);
            Matrix[] magnitude = linear ? apply(reference, Precision.FP64, absAll(inputs), outputs, perm, work) : null;
            Matrix[] actual = apply(backend, p, inputs, outputs, perm, work);
            double worst = 0;
            for (int o = 0; o < outputs.length; o++) {
                double[] w = Tolerance.worst(p, tf32, expected[o].data(), magnitude == null ? null : absAll(magnitude)[o].data(),
                        reduction, actual[o].data());
                worst = Double.isNaN(w[0]) || Double.isNaN(worst) ? Double.NaN : Math.max(worst, w[0]);
            }
            return new Result(op, p, shape, worst, null);
        } catch (dev.scratchnet.backend.OutOfBoundsWrite e) {
            return new Result(op, p, shape, Double.NaN, e.getMessage());
        } catch (RuntimeException e) {
            return new Result(op, p, shape, Double.NaN, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static Matrix[] apply(Backend be, Precision p, Matrix[] inputs, int[] outputs, int[] perm, Op work) {
        Tensor[] t = new Tensor[inputs.length];
        try (IndexBuffer idx = be.indices(perm.length)) {
            be.copyIn(perm, idx);
            for (int i = 0; i < inputs.length; i++) {
                t[i] = be.upload(inputs[i], p);
            }
            work.run(be, t, idx);
            Matrix[] out = new Matrix[outputs.length];
            for (int o = 0; o < outputs.length; o++) {
                out[o] = be.download(t[outputs[o]]);
            }
            return out;
        } finally {
            for (Tensor x : t) {
                if (x != null) {
                    x.close();
                }
            }
        }
    }

    private static Matrix rand(Random r, int rows, int cols, Precision p) {
        Matrix m = new Matrix(rows, cols);
        for (int i = 0; i < m.size(); i++) {
            double v = r.nextDouble() * 2 - 1;
            m.data()[i] = p == Precision.FP32 ? (float) v : v;
        }
        return m;
    }

    private static Matrix probabilities(Random r, int rows, int cols, Precision p) {
        Matrix m = new Matrix(rows, cols);
        for (int i = 0; i < m.size(); i++) {
            double v = 0.02 + 0.96 * r.nextDouble();
            m.data()[i] = p == Precision.FP32 ? (float) v : v;
        }
        return m;
    }

    private static Matrix oneHot(Random r, int rows, int cols) {
        Matrix m = new Matrix(rows, cols);
        for (int i = 0; i < rows; i++) {
            m.set(i, cols == 1 ? 0 : r.nextInt(cols), cols == 1 ? r.nextInt(2) : 1);
        }
        return m;
    }

    private static Matrix scale(Matrix m, double f, Precision p) {
        for (int i = 0; i < m.size(); i++) {
            double v = m.data()[i] * f;
            m.data()[i] = p == Precision.FP32 ? (float) v : v;
        }
        return m;
    }

    private static Matrix abs(Matrix m) {
        for (int i = 0; i < m.size(); i++) {
            m.data()[i] = Math.abs(m.data()[i]);
        }
        return m;
    }

    private static Matrix[] absAll(Matrix[] ms) {
        Matrix[] out = new Matrix[ms.length];
        for (int i = 0; i < ms.length; i++) {
            out[i] = abs(ms[i].copy());
        }
        return out;
    }

    private static Matrix softmaxed(Matrix z) {
        Matrix out = new Matrix(z.rows(), z.cols());
        for (int i = 0; i < z.rows(); i++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < z.cols(); j++) {
                max = Math.max(max, z.get(i, j));
            }
            for (int j = 0; j < z.cols(); j++) {
                sum += Math.exp(z.get(i, j) - max);
            }
            for (int j = 0; j < z.cols(); j++) {
                out.set(i, j, (float) (Math.exp(z.get(i, j) - max) / sum));
            }
        }
        return out;
    }
}
