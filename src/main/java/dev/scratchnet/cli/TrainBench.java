package dev.scratchnet.cli;

import com.google.gson.JsonObject;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.lab.NumpyMlp;
import dev.scratchnet.lab.PeerTraining;
import dev.scratchnet.lab.TorchMlp;
import dev.scratchnet.report.PythonFormat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code train --bench}: the same network, batch and optimizer (learning rate per epoch and weight
 * decay included) trained by a peer, one peer epoch after each of ours, so both sides see the same
 * machine: NumPy ({@code baselines/numpy_mlp.py}) or PyTorch eager ({@code baselines/torch_mlp.py},
 * on the GPU when our backend is CUDA, else on the CPU). Each epoch counts with its test pass on
 * both sides. At the end: each side's best and median epoch as samples per second, and their ratio.
 */
final class TrainBench implements AutoCloseable {
    /** Who trains beside us. */
    enum Peer {
        NUMPY("numpy", "NumPy"),
        TORCH("torch", "PyTorch");

        final String option;
        final String label;

        Peer(String option, String label) {
            this.option = option;
            this.label = label;
        }

        /** {@code --bench-peer}'s value, or where it is not given: PyTorch beside the CUDA backend, NumPy beside the others. */
        static Peer choose(String option, String backendName) {
            if (option == null) {
                return backendName.equals("cuda") ? TORCH : NUMPY;
            }
            return parse(option);
        }

        /** Parses {@code numpy} or {@code torch}; one line on anything else. */
        static Peer parse(String option) {
            String key = option.trim().toLowerCase(Locale.ROOT);
            for (Peer p : values()) {
                if (p.option.equals(key) || p.label.toLowerCase(Locale.ROOT).equals(key)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("--bench-peer '" + option + "': expected numpy or torch");
        }
    }

    private final PrintWriter out;
    private final Peer peer;
    private final PeerTraining session;
    private final int trainRows;
    private final List<Double> ours = new ArrayList<>();
    private final List<Double> theirs = new ArrayList<>();
    private long spentNanos;

    private TrainBench(PrintWriter out, Peer peer, PeerTraining session, int trainRows) {
        this.out = out;
        this.peer = peer;
        this.session = session;
        this.trainRows = trainRows;
    }

    /**
     * Starts {@code peer} on the same data (PyTorch, {@code torch}, on {@code torchDevice}, cuda or cpu;
     * {@code torch} may be null for NumPy); fails with one line where there is no Python with its
     * library, or the library has no such device.
     */
    static TrainBench start(PrintWriter out, Peer peer, TorchMlp torch, String torchDevice, Dataset train, Dataset test,
                            int[] hidden, int batch, String optimizer, double lr, Precision p, String activation, long seed,
                            double weightDecay) {
        NumpyMlp numpy = peer == Peer.NUMPY ? new NumpyMlp() : null;
        boolean available = numpy != null ? numpy.available() : torch.available();
        String describe = numpy != null ? numpy.describe() : torch.describe();
        if (!available) {
            throw new IllegalArgumentException("--bench: " + describe);
        }
        PeerTraining session;
        try {
            session = numpy != null ? numpy.train(train, test, hidden, batch, optimizer, lr, p, activation, seed, weightDecay)
                    : torch.train(train, test, hidden, batch, optimizer, lr, p, activation, seed, torchDevice, weightDecay);
        } catch (IOException e) {
            throw new UncheckedIOException("--bench: " + e.getMessage(), e);
        }
        out.println("bench: " + session.library() + " on " + session.device() + " (" + describe + "), one " + peer.label
                + " epoch after each of ours");
        return new TrainBench(out, peer, session, train.size());
    }

    /** Records our epoch's seconds and runs one peer epoch at the learning rate ours had. */
    void afterOurEpoch(int epoch, int epochs, double seconds, double learningRate) {
        ours.add(seconds);
        long start = System.nanoTime();
        try {
            JsonObject o = session.epoch(learningRate);
            double s = o.get("seconds").getAsDouble();
            theirs.add(s);
            out.printf("%s  %-10s loss %s  test loss %s  test accuracy %s  (%.2f s)%n",
                    " ".repeat(("epoch " + epochs + "/" + epochs).length()), peer.label,
                    PythonFormat.fixed(o.get("train_loss").getAsDouble(), 4), PythonFormat.fixed(o.get("test_loss").getAsDouble(), 4),
                    PythonFormat.fixed(o.get("test_accuracy").getAsDouble(), 4), s);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("--bench: " + e.getMessage(), e);
        } finally {
            spentNanos += System.nanoTime() - start;
        }
    }

    /** Wall time spent waiting for the peer's epochs: not part of our training time. */
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
        String theirName = session.library() + " on " + session.device();
        int width = Math.max(34, Math.max(ourName.length(), theirName.length()));
        out.printf("%nbench: epochs with their test pass, interleaved (%d each), samples/s = %d training rows / epoch time%n",
                ours.size(), trainRows);
        out.printf("  %-" + width + "s %12s %12s %14s %14s%n", "", "best epoch s", "median s", "best samples/s", "median samples/s");
        out.printf("  %-" + width + "s %12.3f %12.3f %14.0f %14.0f%n", ourName, best(ours), median(ours), trainRows / best(ours),
                trainRows / median(ours));
        out.printf("  %-" + width + "s %12.3f %12.3f %14.0f %14.0f%n", theirName, best(theirs), median(theirs),
                trainRows / best(theirs), trainRows / median(theirs));
        out.printf("  scratchnet / %s samples/s: best %.2f×, median %.2f×%n", peer.label, best(theirs) / best(ours),
                median(theirs) / median(ours));
        out.flush();
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (IOException e) {
            // the peer's end matters no more once its figures are in
        }
    }
}
