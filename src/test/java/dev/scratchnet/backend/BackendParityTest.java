package dev.scratchnet.backend;

import dev.scratchnet.testing.Reference;
import dev.scratchnet.testing.TestBackends;
import dev.scratchnet.testing.Tolerance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The parity suite: every op of kernels/KERNELS.md, on every backend that can run here, in fp32 and
 * fp64, over odd shapes (1×1, 7×13, sizes that are not tile multiples, a single output column,
 * products large enough for the tuned and the multi-threaded kernels), against the double-precision {@link Reference}. A backend that cannot run
 * here shows as skipped tests with the reason. Every test also checks that it left no memory held.
 */
class BackendParityTest {
    /** rows, cols, inner dimension. */
    static final int[][] SHAPES = {
        {1, 1, 1}, {7, 13, 5}, {13, 7, 19}, {32, 32, 32}, {33, 17, 65}, {100, 3, 250}, {3, 100, 1},
        {128, 96, 300}, {257, 130, 129}, {300, 1, 50}, {2000, 40, 30},
    };

    private Backend backend;
    private long bytesBefore;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String name : TestBackends.NAMES) {
            for (Precision p : Precision.values()) {
                for (int[] s : SHAPES) {
                    out.add(Arguments.of(name, p, s[0], s[1], s[2]));
                }
            }
        }
        return out.stream();
    }

    static Stream<Arguments> backends() {
        List<Arguments> out = new ArrayList<>();
        for (String name : TestBackends.NAMES) {
            for (Precision p : Precision.values()) {
                out.add(Arguments.of(name, p));
            }
        }
        return out.stream();
    }

    private Backend open(String name, Precision p) {
        backend = TestBackends.open(name, p);
        bytesBefore = backend.bytesInUse();
        return backend;
    }

    @AfterEach
    void nothingLeaked() {
        if (backend != null) {
            assertEquals(bytesBefore, backend.bytesInUse(), backend.name() + " holds memory the test did not free");
        }
    }

    /**
     * A generator seeded by the case: the same inputs in every run. (Seeded by the text of the key, since an
     * enum's hashCode, as Arrays.deepHashCode would take it, changes from one JVM to the next.)
     */
    private static Random rng(Object... key) {
        return new Random(java.util.Arrays.deepToString(key).hashCode());
    }

    @ParameterizedTest(name = "{0} {1} {2}×{3}·{4}")
    @MethodSource("cases")
    void gemmEveryVariantAndTransposeMatchesReference(String name, Precision p, int m, int n, int k) {
        Backend be = open(name, p);
        Random r = rng("gemm", name, p, m, n, k);
        double[][] scalars = {{1.0, 0.0}, {0.37, -1.25}};
        for (String variant : be.gemmVariants()) {
            // CUDA's TF32 variant (a device of compute capability 8.0 or later: the emulated one reports 9.0):
            // fp32 only, and its products are those of the inputs rounded to TF32
            boolean tf32 = variant.equals(dev.scratchnet.backend.cuda.CudaBackend.TF32_VARIANT);
            if (tf32 && p != Precision.FP32) {
                try (Tensor a = be.zeros(m, k, p); Tensor b = be.zeros(k, n, p); Tensor c = be.zeros(m, n, p)) {
                    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                            () -> be.gemm(variant, false, false, 1, a, b, 0, c));
                    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("fp32 tensors only"), e.getMessage());
                }
                continue;
            }
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    for (double[] ab : scalars) {
                        Matrix a = ta ? Reference.random(r, k, m, p) : Reference.random(r, m, k, p);
                        Matrix b = tb ? Reference.random(r, n, k, p) : Reference.random(r, k, n, p);
                        Matrix c = Reference.random(r, m, n, p);
                        Matrix start = c.copy();
                        if (ab[1] == 0) {
                            java.util.Arrays.fill(start.data(), Double.NaN);
                        }
                        Matrix[] ref = tf32 ? Reference.gemm(ta, tb, ab[0], Reference.tf32(a), Reference.tf32(b), ab[1], c)
                                : Reference.gemm(ta, tb, ab[0], a, b, ab[1], c);
                        try (Tensor ta1 = be.upload(a, p); Tensor tb1 = be.upload(b, p); Tensor tc = be.upload(start, p)) {
                            be.gemm(variant, ta, tb, ab[0], ta1, tb1, ab[1], tc);
                            Tolerance.assertClose("gemm " + variant + (ta ? " Aᵀ" : " A") + (tb ? "·Bᵀ" : "·B")
                                    + " alpha=" + ab[0] + " beta=" + ab[1], p, ref[0], ref[1], k, be.download(tc));
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}×{3}·{4}")
    @MethodSource("cases")
    void denseForwardFusesProductBiasAndActivation(String name, Precision p, int m, int n, int k) {
        Backend be = open(name, p);
        Random r = rng("dense", name, p, m, n, k);
        for (ActivationKind act : ActivationKind.values()) {
            double param = act == ActivationKind.LEAKY_RELU ? 0.1 : 0.0;
            Matrix x = Reference.random(r, m, k, p), w = Reference.random(r, k, n, p), b = Reference.random(r, 1, n, p);
            Matrix[] z = Reference.gemm(false, false, 1, x, w, 0, null);
            Matrix expected = Reference.activation(act, param, Reference.addRowVector(b, z[0]));
            Matrix mag = Reference.addRowVector(abs(b), z[1]);
            try (Tensor tx = be.upload(x, p); Tensor tw = be.upload(w, p); Tensor tb = be.upload(b, p);
                 Tensor out = be.zeros(m, n, p)) {
                be.denseForward(tx, tw, tb, act, param, out);
                Matrix got = be.download(out);
                // activations are 1-Lipschitz except softmax, whose outputs are probabilities
                Tolerance.assertClose("denseForward " + act, p, expected,
                        act == ActivationKind.SOFTMAX ? null : mag, k + 1, got);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}×{3}")
    @MethodSource("cases")
    void activationsForwardAndBackward(String name, Precision p, int m, int n, int k) {
        Backend be = open(name, p);
        Random r = rng("act", name, p, m, n);
        for (ActivationKind act : ActivationKind.values()) {
            double param = act == ActivationKind.LEAKY_RELU ? 0.2 : 0.0;
            Matrix z = scaled(Reference.random(r, m, n, p), 4, p);
            Matrix dA = Reference.random(r, m, n, p);
            Matrix a = Reference.activation(act, param, z);
            try (Tensor tz = be.upload(z, p); Tensor ta = be.zeros(m, n, p)) {
                be.activationForward(act, param, tz, ta);
                Tolerance.assertClose("forward " + act, p, a, be.download(ta));
                // backward from the backend's own output, in place on dA
                Matrix aGot = be.download(ta);
                try (Tensor tdA = be.upload(dA, p)) {
                    be.activationBackward(act, param, ta, tdA, tdA);
                    Tolerance.assertClose("backward " + act, p, Reference.activationBackward(act, param, aGot, dA),
                            null, act == ActivationKind.SOFTMAX ? n : 1, be.download(tdA));
                }
                // forward in place
                be.activationForward(act, param, tz, tz);
                Tolerance.assertClose("forward in place " + act, p, a, be.download(tz));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}×{3}")
    @MethodSource("cases")
    void softmaxRowsIsStableAndSumsToOne(String name, Precision p, int m, int n, int k) {
        Backend be = open(name, p);
        Random r = rng("softmax", name, p, m, n);
        Matrix z = scaled(Reference.random(r, m, n, p), 30, p);
        z.set(0, 0, p == Precision.FP32 ? 80f : 800);   // exp would overflow without the max subtracted
        try (Tensor tz = be.upload(z, p); Tensor tp = be.zeros(m, n, p)) {
            be.softmaxRows(tz, tp);
            Matrix got = be.download(tp);
            Tolerance.assertClose("softmax", p, Reference.softmax(z), null, n, got);
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}×{3}")
    @MethodSource("cases")
    void lossAndGradientOfEveryKind(String name, Precision p, int m, int n, int k) {
        Backend be = open(name, p);
        Random r = rng("loss", name, p, m, n);
        double[] eps = {1e-8, 1e-7, 1e-15, 0};
        int i = 0;
        for (LossKind kind : LossKind.values()) {
            double e = eps[i++];
            Matrix out = Reference.probabilities(r, m, n, p);
            if (kind == LossKind.SIGMOID_BINARY_CROSS_ENTROPY) {
                out.set(0, 0, 1.0);   // clipped inside the log
            }
            Matrix y = kind == LossKind.MEAN_SQUARED_ERROR ? Reference.random(r, m, n, p) : Reference.oneHot(r, m, n);
            double scale = 1.0 / m;
            Matrix[] ref = Reference.loss(kind, e, out, y, scale, p);
            try (Tensor to = be.upload(out, p); Tensor ty = be.upload(y, p); Tensor g = be.zeros(m, n, p);
                 Tensor rows = be.zeros(m, 1, p)) {
                be.lossAndGradient(kind, e, to, ty, scale, g, rows);
                Tolerance.assertClose("row loss " + kind, p, ref[0], null, n, be.download(rows));
                Tolerance.assertClose("gradient " + kind, p, ref[1], be.download(g));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}×{3}")
    @MethodSource("cases")
    void reductionsAndMetrics(String name, Precision p, int m, int n, int k) {
        Backend be = open(name, p);
        Random r = rng("reduce", name, p, m, n);
        Matrix a = Reference.random(r, m, n, p), out = Reference.random(r, 1, n, p);
        Matrix scores = Reference.random(r, m, n, p), y = Reference.oneHot(r, m, n);
        try (Tensor ta = be.upload(a, p); Tensor to = be.upload(out, p); Tensor acc = be.zeros(1, 3, p);
             Tensor ts = be.upload(scores, p); Tensor tyy = be.upload(y, p); Tensor labels = be.zeros(m, 1, p)) {
            be.sumColumns(0.5, ta, -2.0, to);
            Tolerance.assertClose("sumColumns", p, Reference.sumColumns(0.5, a, -2.0, out),
                    Reference.sumColumns(0.5, abs(a), 2.0, abs(out)), m, be.download(to));
            be.sumColumns(1.0, ta, 0.0, to);
            Tolerance.assertClose("sumColumns beta=0", p, Reference.sumColumns(1, a, 0, out),
                    Reference.sumColumns(1, abs(a), 0, out), m, be.download(to));
            be.sumInto(ta, 2.0, acc, 1);
            be.sumInto(ta, 1.0, acc, 1);
            be.countCorrect(ts, tyy, acc, 2);
            be.countCorrect(ts, tyy, acc, 2);
            Matrix got = be.download(acc);
            assertEquals(0.0, got.get(0, 0), "slot 0 untouched");
            assertEquals(3 * Reference.sum(a), got.get(0, 1), Tolerance.allowed(p, 3 * Reference.absSum(a), m * n), "sumInto");
            assertEquals(2 * Reference.countCorrect(scores, y), got.get(0, 2), "countCorrect");
            be.argmaxRows(ts, labels);
            Matrix l = be.download(labels);
            for (int i = 0; i < m; i++) {
                assertEquals(Reference.label(scores, i), (int) l.get(i, 0), "argmax of row " + i);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}×{3}")
    @MethodSource("cases")
    void elementwiseCopyAndGather(String name, Precision p, int m, int n, int k) {
        Backend be = open(name, p);
        Random r = rng("elementwise", name, p, m, n);
        Matrix x = Reference.random(r, m, n, p), y = Reference.random(r, m, n, p), bias = Reference.random(r, 1, n, p);
        int[] idx = new int[m + 3];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = r.nextInt(m);
        }
        try (Tensor tx = be.upload(x, p); Tensor ty = be.upload(y, p); Tensor tb = be.upload(bias, p);
             Tensor tc = be.zeros(m, n, p); Tensor gathered = be.zeros(m, n, p); IndexBuffer ib = be.indices(idx.length)) {
            be.axpy(-0.75, tx, ty);
            Matrix axpy = new Matrix(m, n);
            for (int i = 0; i < axpy.size(); i++) {
                axpy.data()[i] = -0.75 * x.data()[i] + y.data()[i];
            }
            Tolerance.assertClose("axpy", p, axpy, be.download(ty));
            be.scale(3.0, tx);
            Matrix scaled = scaled(x, 3.0, Precision.FP64);
            Tolerance.assertClose("scale", p, scaled, be.download(tx));
            be.copy(tx, tc);
            assertEquals(0.0, be.download(tc).maxAbsDifference(be.download(tx)), "copy");
            be.fill(tc, -2.5);
            assertEquals(-2.5, be.download(tc).get(m - 1, n - 1), "fill");
            be.addRowVector(tb, tc);
            Tolerance.assertClose("addRowVector", p, Reference.addRowVector(bias, filled(m, n, -2.5)), be.download(tc));
            be.copyIn(idx, ib);
            be.gatherRows(tx, ib, 3, gathered);
            Matrix xs = be.download(tx);
            Matrix g = be.download(gathered);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    assertEquals(xs.get(idx[3 + i], j), g.get(i, j), "gathered row " + i);
                }
            }
            // views share storage: writing the top rows of tc through a view
            be.fill(tc.topRows(1), 7.0);
            Matrix viewed = be.download(tc);
            assertEquals(7.0, viewed.get(0, n - 1));
            if (m > 1) {
                assertEquals(-2.5 + bias.get(0, 0), viewed.get(1, 0), Tolerance.allowed(p, 3, 1));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}×{3}")
    @MethodSource("cases")
    void optimizerUpdates(String name, Precision p, int m, int n, int k) {
        Backend be = open(name, p);
        Random r = rng("optim", name, p, m, n);
        Matrix p0 = Reference.random(r, m, n, p), g = Reference.random(r, m, n, p), s0 = abs(Reference.random(r, m, n, p));
        Matrix m0 = Reference.random(r, m, n, p);
        // the hyperparameters as an fp32 kernel receives them: 1 − (float) 0.999 is 1.3e-5 away from 0.001, which
        // moves Adam's update by up to 6e-6 of itself where g² dominates v; that is the kernel's input, not its error
        double lr = stored(p, 0.05), mu = stored(p, 0.9), rho = stored(p, 0.99), eps = stored(p, 1e-6), b1 = stored(p, 0.9),
                b2 = stored(p, 0.999);
        int step = 3;
        Matrix sgd = new Matrix(m, n), mom = new Matrix(m, n), momV = new Matrix(m, n), rms = new Matrix(m, n),
                rmsS = new Matrix(m, n), adam = new Matrix(m, n), adamM = new Matrix(m, n), adamV = new Matrix(m, n);
        double c1 = 1 - Math.pow(b1, step), c2 = 1 - Math.pow(b2, step);
        for (int i = 0; i < m * n; i++) {
            double pi = p0.data()[i], gi = g.data()[i], si = s0.data()[i], mi = m0.data()[i];
            sgd.data()[i] = pi - lr * gi;
            momV.data()[i] = mu * mi + gi;
            mom.data()[i] = pi - lr * momV.data()[i];
            rmsS.data()[i] = rho * si + (1 - rho) * gi * gi;
            rms.data()[i] = pi - lr * gi / (Math.sqrt(rmsS.data()[i]) + eps);
            adamM.data()[i] = b1 * mi + (1 - b1) * gi;
            adamV.data()[i] = b2 * si + (1 - b2) * gi * gi;
            adam.data()[i] = pi - lr * (adamM.data()[i] / c1) / (Math.sqrt(adamV.data()[i] / c2) + eps);
        }
        try (Tensor tp = be.upload(p0, p); Tensor tg = be.upload(g, p); Tensor tv = be.upload(m0, p);
             Tensor ts = be.upload(s0, p)) {
            be.sgdUpdate(tp, tg, lr);
            Tolerance.assertClose("sgd", p, sgd, be.download(tp));
            be.copyIn(p0, tp);
            be.momentumUpdate(tp, tg, tv, lr, mu);
            Tolerance.assertClose("momentum velocity", p, momV, be.download(tv));
            Tolerance.assertClose("momentum", p, mom, be.download(tp));
            be.copyIn(p0, tp);
            be.rmspropUpdate(tp, tg, ts, lr, rho, eps);
            Tolerance.assertClose("rmsprop square", p, rmsS, be.download(ts));
            Tolerance.assertClose("rmsprop", p, rms, null, 8, be.download(tp));
            be.copyIn(p0, tp);
            be.copyIn(m0, tv);
            be.copyIn(s0, ts);
            be.adamUpdate(tp, tg, tv, ts, lr, b1, b2, eps, step);
            Tolerance.assertClose("adam m", p, adamM, be.download(tv));
            Tolerance.assertClose("adam v", p, adamV, be.download(ts));
            Tolerance.assertClose("adam", p, adam, null, 8, be.download(tp));
        }
    }

    /** {@code v} as a tensor of precision {@code p} holds it. */
    private static double stored(Precision p, double v) {
        return p == Precision.FP32 ? (float) v : v;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backends")
    void softmaxOfLongRows(String name, Precision p) {
        Backend be = open(name, p);
        Random r = rng("long softmax", name, p);
        for (int[] s : new int[][] {{1, 5000}, {3, 1025}, {2, 257}, {5, 64}}) {
            Matrix z = scaled(Reference.random(r, s[0], s[1], p), 10, p);
            try (Tensor tz = be.upload(z, p)) {
                be.softmaxRows(tz, tz);
                Tolerance.assertClose("softmax " + s[0] + "×" + s[1], p, Reference.softmax(z), null, s[1], be.download(tz));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backends")
    void columnSumsOfTallMatrices(String name, Precision p) {
        Backend be = open(name, p);
        Random r = rng("tall", name, p);
        for (int[] s : new int[][] {{60000, 10}, {4099, 3}, {1000, 257}}) {
            Matrix a = Reference.random(r, s[0], s[1], p);
            try (Tensor ta = be.upload(a, p); Tensor out = be.zeros(1, s[1], p); Tensor acc = be.zeros(1, 1, p)) {
                be.sumColumns(1.0, ta, 0.0, out);
                Tolerance.assertClose("sumColumns " + s[0] + "×" + s[1], p, Reference.sumColumns(1, a, 0, null),
                        Reference.sumColumns(1, abs(a), 0, null), s[0], be.download(out));
                be.sumInto(ta, 1.0, acc, 0);
                assertEquals(Reference.sum(a), be.download(acc).get(0, 0),
                        Tolerance.allowed(p, Reference.absSum(a), s[0]), "sumInto " + s[0] + "×" + s[1]);
            }
        }
    }

    static Matrix abs(Matrix m) {
        Matrix out = new Matrix(m.rows(), m.cols());
        for (int i = 0; i < m.size(); i++) {
            out.data()[i] = Math.abs(m.data()[i]);
        }
        return out;
    }

    static Matrix scaled(Matrix m, double f, Precision p) {
        Matrix out = new Matrix(m.rows(), m.cols());
        for (int i = 0; i < m.size(); i++) {
            double v = m.data()[i] * f;
            out.data()[i] = p == Precision.FP32 ? (float) v : v;
        }
        return out;
    }

    static Matrix filled(int rows, int cols, double v) {
        Matrix m = new Matrix(rows, cols);
        java.util.Arrays.fill(m.data(), v);
        return m;
    }
}
