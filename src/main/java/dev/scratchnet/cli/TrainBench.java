package dev.scratchnet.cli;

import com.google.gson.JsonObject;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.lab.NumpyMlp;
import dev.scratchnet.report.PythonFormat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code train --bench}: the same network, batch and optimizer trained in NumPy
 * ({@code baselines/numpy_mlp.py}), one NumPy epoch after each of ours, so both sides see the same
 * machine. Each epoch counts with its test pass on both sides. At the end: each side's best and
 * median epoch as samples per second, and their ratio.
 */
final class TrainBench implements AutoCloseable {
    private final PrintWriter out;
    private final NumpyMlp.Session session;
    private final int trainRows;
    private final List<Double> ours = new ArrayList<>();
    private final List<Double> theirs = new ArrayList<>();
    private String library = "NumPy";
    private long spentNanos;

    private TrainBench(PrintWriter out, NumpyMlp.Session session, int trainRows) {
        this.out = out;
        this.session = session;
        this.trainRows = trainRows;
    }

    /** Starts NumPy on the same data; fails with one line where there is no Python with NumPy. */
    static TrainBench start(PrintWriter out, Dataset train, Dataset test, int[] hidden, int batch, String optimizer,
                            double lr, Precision p, String activation, long seed) {
        NumpyMlp numpy = new NumpyMlp();
        if (!numpy.available()) {
            throw new IllegalArgumentException("--bench: " + numpy.describe());
        }
        out.println("bench: " + numpy.describe() + ", one NumPy epoch after each of ours");
        try {
            return new TrainBench(out, numpy.train(train, test, hidden, batch, optimizer, lr, p, activation, seed), train.size());
        } catch (IOException e) {
            throw new UncheckedIOException("--bench: " + e.getMessage(), e);
        }
    }

    /** Records our epoch's seconds and runs one NumPy epoch. */
    void afterOurEpoch(int epoch, int epochs, double seconds) {
        ours.add(seconds);
        long start = System.nanoTime();
        try {
            JsonObject o = session.epoch();
            double s = o.get("seconds").getAsDouble();
            theirs.add(s);
            library = o.get("library").getAsString();
            out.printf("%s  NumPy      loss %s  test loss %s  test accuracy %s  (%.2f s)%n",
                    " ".repeat(("epoch " + epochs + "/" + epochs).length()),
                    PythonFormat.fixed(o.get("train_loss").getAsDouble(), 4), PythonFormat.fixed(o.get("test_loss").getAsDouble(), 4),
                    PythonFormat.fixed(o.get("test_accuracy").getAsDouble(), 4), s);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("--bench: " + e.getMessage(), e);
        } finally {
            spentNanos += System.nanoTime() - start;
        }
    }

    /** Wall time spent waiting for NumPy's epochs: not part of our training time. */
    double secondsSpent() {
        return spentNanos / 1e9;
    }

    private static double best(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Prints both sides' speeds and the ratio. */
    void report(String ourName) {
        out.printf("%nbench: epochs with their test pass, interleaved (%d each), samples/s = %d training rows / epoch time%n",
                ours.size(), trainRows);
        out.printf("  %-34s %12s %12s %14s %14s%n", "", "best epoch s", "median s", "best samples/s", "median samples/s");
        out.printf("  %-34s %12.3f %12.3f %14.0f %14.0f%n", ourName, best(ours), median(ours), trainRows / best(ours),
                trainRows / median(ours));
        out.printf("  %-34s %12.3f %12.3f %14.0f %14.0f%n", library, best(theirs), median(theirs), trainRows / best(theirs),
                trainRows / median(theirs));
        out.printf("  scratchnet / NumPy samples/s: best %.2f×, median %.2f×%n", best(theirs) / best(ours),
                median(theirs) / median(ours));
        out.flush();
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (IOException e) {
            // the NumPy side's end matters no more once its figures are in
        }
    }
}
