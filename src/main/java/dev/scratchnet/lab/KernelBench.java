package dev.scratchnet.lab;

import dev.scratchnet.backend.ActivationKind;
import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.IndexBuffer;
import dev.scratchnet.backend.LossKind;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Tensor;
import dev.scratchnet.nn.Activation;
import dev.scratchnet.nn.Initializer;
import dev.scratchnet.nn.Network;
import dev.scratchnet.nn.Optimizer;
import dev.scratchnet.profile.Profile;
import dev.scratchnet.profile.ProfilingBackend;
import dev.scratchnet.random.NumpyRandom;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Times a backend's kernels: each matmul variant on square sizes (GFLOP/s), and the memory-bound
 * ops of a training step (GB/s of the bytes each must read and write). Each case is warmed up,
 * then repeated until it has run at least five times and for the minimum time; the median counts.
 */
public final class KernelBench {
    /** The CPU backend's textbook loop is skipped above this size: it would take minutes. */
    static final int CPU_NAIVE_MAX = 512;

    private KernelBench() {
    }

    /**
     * The median time of {@code work}, in milliseconds, on {@code be}'s clock, after a warm-up: at
     * least a third of the measuring time, and on until the JIT has settled (the median of the last
     * five runs within 5% of the five before; at most 20 s). The CPU kernels start in the
     * interpreter and reach full speed only once C2 has compiled them, which on a busy machine
     * takes longer than a fixed number of runs.
     */
    public static double medianMillis(Backend be, Runnable work, double minSeconds) {
        return medianMillis(be, work, minSeconds, minSeconds / 3);
    }

    /** {@link #medianMillis(Backend, Runnable, double)} with at least {@code minWarmSeconds} of warm-up. */
    public static double medianMillis(Backend be, Runnable work, double minSeconds, double minWarmSeconds) {
        long warm = System.nanoTime();
        List<Double> warmTimes = new ArrayList<>();
        while (true) {
            warmTimes.add(be.timeMillis(work));
            double elapsed = (System.nanoTime() - warm) / 1e9;
            if (elapsed >= 20 || elapsed >= minWarmSeconds && settled(warmTimes)) {
                break;
            }
        }
        List<Double> times = new ArrayList<>();
        long start = System.nanoTime();
        while (times.size() < 5 || ((System.nanoTime() - start) / 1e9 < minSeconds && times.size() < 200)) {
            times.add(be.timeMillis(work));
        }
        double[] t = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return t[t.length / 2];
    }

    /** Whether the median of the last five times is within 5% of the median of the five before. */
    static boolean settled(List<Double> times) {
        int n = times.size();
        if (n < 10) {
            return false;
        }
        double recent = median(times.subList(n - 5, n)), before = median(times.subList(n - 10, n - 5));
        return Math.abs(recent - before) <= 0.05 * before;
    }

    private static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s[s.length / 2];
    }

    public static List<BenchResult> matmul(Backend be, List<String> variants, List<Integer> sizes, List<Precision> precisions,
                                           double minSeconds) {
        List<BenchResult> out = new ArrayList<>();
        Random r = new Random(1);
        for (Precision p : precisions) {
            if (!be.supports(p)) {
                continue;
            }
            for (int n : sizes) {
                try (Tensor a = be.upload(random(r, n, n), p); Tensor b = be.upload(random(r, n, n), p);
                     Tensor c = be.zeros(n, n, p)) {
                    for (String v : variants) {
                        if (be.name().equals("cpu") && v.equals("naive") && n > CPU_NAIVE_MAX) {
                            continue;
                        }
                        if (v.equals(dev.scratchnet.backend.cuda.CudaBackend.TF32_VARIANT) && p != Precision.FP32) {
                            continue;   // TF32 has no fp64 form
                        }
                        double ms = medianMillis(be, () -> be.gemm(v, false, false, 1.0, a, b, 0.0, c), minSeconds);
                        out.add(new BenchResult("matmul", v, p, Integer.toString(n), ms, 2.0 * n * n * n / (ms * 1e-3) / 1e9,
                                "GFLOP/s", false));
                    }
                }
            }
        }
        return out;
    }

    /** The memory-bound ops of a training step on a rows × cols tensor. */
    public static List<BenchResult> memoryBound(Backend be, List<Precision> precisions, int rows, int cols, double minSeconds) {
        List<BenchResult> out = new ArrayList<>();
        Random r = new Random(2);
        String size = rows + "×" + cols;
        for (Precision p : precisions) {
            if (!be.supports(p)) {
                continue;
            }
            long n = (long) rows * cols;
            long e = p.bytes();
            int[] perm = new int[rows];
            for (int i = 0; i < rows; i++) {
                perm[i] = (i * 7919) % rows;
            }
            try (Tensor x = be.upload(random(r, rows, cols), p); Tensor y = be.upload(probabilities(r, rows, cols), p);
                 Tensor z = be.zeros(rows, cols, p); Tensor g = be.zeros(rows, cols, p); Tensor rowLoss = be.zeros(rows, 1, p);
                 Tensor colSums = be.zeros(1, cols, p); Tensor acc = be.zeros(1, 1, p); IndexBuffer idx = be.indices(rows)) {
                be.copyIn(perm, idx);
                out.add(rate(be, "softmax_rows", p, size, 2 * n * e, () -> be.softmaxRows(x, z), minSeconds));
                out.add(rate(be, "activation sigmoid", p, size, 2 * n * e,
                        () -> be.activationForward(ActivationKind.SIGMOID, 0, x, z), minSeconds));
                out.add(rate(be, "activation_backward relu", p, size, 3 * n * e,
                        () -> be.activationBackward(ActivationKind.RELU, 0, x, y, g), minSeconds));
                out.add(rate(be, "loss softmax_cross_entropy", p, size, 3 * n * e + rows * e,
                        () -> be.lossAndGradient(LossKind.SOFTMAX_CROSS_ENTROPY, 1e-8, y, x, 1.0, g, rowLoss), minSeconds));
                out.add(rate(be, "sum_columns", p, size, n * e + cols * e, () -> be.sumColumns(1.0, x, 0.0, colSums), minSeconds));
                out.add(rate(be, "sum_into", p, size, n * e, () -> be.sumInto(x, 1.0, acc, 0), minSeconds));
                out.add(rate(be, "gather_rows", p, size, 2 * n * e + 4L * rows, () -> be.gatherRows(x, idx, 0, z), minSeconds));
                out.add(rate(be, "sgd_update", p, size, 3 * n * e, () -> be.sgdUpdate(z, x, 1e-3), minSeconds));
                out.add(rate(be, "adam_update", p, size, 7 * n * e,
                        () -> be.adamUpdate(z, x, g, y, 1e-3, 0.9, 0.999, 1e-8, 10), minSeconds));
            }
        }
        return out;
    }

    /**
     * What one launch costs through the Java host: 1000 fills of a one-element tensor, timed on the
     * device clock (microseconds per launch), and the host's time to issue them without waiting.
     */
    public static double[] launchOverhead(Backend be, Precision p) {
        try (Tensor t = be.zeros(1, 1, p)) {
            Runnable thousand = () -> {
                for (int i = 0; i < 1000; i++) {
                    be.fill(t, i);
                }
            };
            double deviceUs = medianMillis(be, thousand, 1.0);
            be.synchronize();
            long start = System.nanoTime();
            thousand.run();
            long issued = System.nanoTime() - start;
            be.synchronize();
            return new double[] {deviceUs, issued / 1e3 / 1000};
        }
    }

    /**
     * One training step (forward, softmax cross-entropy, backward, SGD) of a layers[0]-...-layers[n]
     * ReLU/softmax MLP on a random batch: the median time in milliseconds.
     */
    public static double trainingStep(Backend be, Precision p, int batch, int[] layers, double minSeconds) {
        double[] ms = new double[1];
        // a step runs every CPU kernel, which C2 compiles one after another: warm up for 2 s at least
        withTrainingStep(be, p, batch, layers, step -> ms[0] = medianMillis(be, step, minSeconds, Math.min(2.0, 2 * minSeconds)));
        return ms[0];
    }

    /**
     * The training step of {@link #trainingStep}, run through a {@link ProfilingBackend}: warmed up
     * unrecorded as {@link #medianMillis} does, then recorded for at least {@code minSeconds} and
     * five steps. The profile holds each op's time and the step count.
     */
    public static Profile profileTrainingStep(Backend be, Precision p, int batch, int[] layers, double minSeconds,
                                              boolean keepSpans) {
        Profile profile = new Profile(keepSpans);
        ProfilingBackend pb = new ProfilingBackend(be, profile);
        profile.stop();
        withTrainingStep(pb, p, batch, layers, step -> {
            medianMillis(be, step, minSeconds / 3, Math.min(2.0, 2 * minSeconds));
            profile.restart();
            long start = System.nanoTime();
            long steps = 0;
            while (steps < 5 || (System.nanoTime() - start) / 1e9 < minSeconds) {
                step.run();
                steps++;
            }
            pb.synchronize();
            profile.stop();
            profile.addSteps(steps);
        });
        return profile;
    }

    /** Builds the MLP and a batch on {@code be} and hands {@code use} one training step to run. */
    private static void withTrainingStep(Backend be, Precision p, int batch, int[] layers, java.util.function.Consumer<Runnable> use) {
        Random r = new Random(3);
        Network.Builder b = Network.builder(be, p, layers[0]);
        for (int l = 1; l < layers.length; l++) {
            b.dense(layers[l], l == layers.length - 1 ? Activation.softmax() : Activation.relu());
        }
        int classes = layers[layers.length - 1];
        Matrix y = new Matrix(batch, classes);
        for (int i = 0; i < batch; i++) {
            y.set(i, r.nextInt(classes), 1.0);
        }
        try (Network net = b.build(Initializer.he(), new NumpyRandom(3));
             Optimizer sgd = Optimizer.sgd(0.01);
             Tensor x = be.upload(random(r, batch, layers[0]), p);
             Tensor ty = be.upload(y, p);
             Tensor rowLoss = be.zeros(batch, 1, p)) {
            Runnable step = () -> {
                Tensor out = net.forward(x);
                be.lossAndGradient(LossKind.SOFTMAX_CROSS_ENTROPY, 1e-8, out, ty, 1.0, net.outputGradient(batch), rowLoss);
                net.backward(x, true, 1.0 / batch);
                sgd.step(net);
            };
            use.accept(step);
        }
    }

    private static BenchResult rate(Backend be, String op, Precision p, String size, long bytes, Runnable work, double minSeconds) {
        double ms = medianMillis(be, work, minSeconds);
        return new BenchResult(op, "kernel", p, size, ms, bytes / (ms * 1e-3) / 1e9, "GB/s", false);
    }

    /** A rows × cols matrix of uniform values in [-1, 1). */
    public static Matrix random(Random r, int rows, int cols) {
        Matrix m = new Matrix(rows, cols);
        double[] d = m.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = r.nextDouble() * 2 - 1;
        }
        return m;
    }

    static Matrix probabilities(Random r, int rows, int cols) {
        Matrix m = new Matrix(rows, cols);
        Arrays.setAll(m.data(), i -> 0.01 + 0.98 * r.nextDouble());
        return m;
    }
}
