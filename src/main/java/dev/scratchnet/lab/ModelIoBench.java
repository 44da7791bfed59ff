package dev.scratchnet.lab;

import com.google.gson.JsonObject;
import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.io.Checkpoint;
import dev.scratchnet.io.ModelFile;
import dev.scratchnet.io.SavedModel;
import dev.scratchnet.nn.Activation;
import dev.scratchnet.nn.History;
import dev.scratchnet.nn.Initializer;
import dev.scratchnet.nn.Loss;
import dev.scratchnet.nn.Network;
import dev.scratchnet.nn.Optimizer;
import dev.scratchnet.nn.Trainer;
import dev.scratchnet.nn.TrainingState;
import dev.scratchnet.random.NumpyRandom;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code scratchnet model bench}: how long saving and loading a model takes in each format and
 * precision, and writing a checkpoint (weights and Adam's moments), beside NumPy doing the same
 * with {@code np.savez}/{@code np.load} and a header-only safetensors reader in the same run; and,
 * given an epoch to compare with, what share of it a checkpoint per epoch costs. Every write is
 * synced to the disk (scratchnet's through AtomicFile, NumPy's with fsync).
 */
public final class ModelIoBench {
    private ModelIoBench() {
    }

    /** Runs the bench on {@code backend}; {@code epoch} trains one epoch of {@code epochData} (may be null) to compare with. */
    public static void run(Backend backend, int[] sizes, int repeats, Path dir, Dataset epochData, PrintWriter out) throws IOException {
        Files.createDirectories(dir);
        out.printf("model %s, %d parameters; median of %d runs; files in %s%n", Arrays.toString(sizes).replace(", ", "-"),
                parameters(sizes), repeats, dir);
        out.printf("%-34s %12s %12s%n", "operation", "scratchnet", "NumPy");
        double checkpointMs = Double.NaN;
        for (Precision p : Precision.values()) {
            try (Network net = network(backend, p, sizes);
                 Optimizer adam = Optimizer.adam(0.001, 0.9, 0.999, 1e-8)) {
                TrainingState[] state = {null};
                Dataset small = randomData(256, sizes[0], sizes[sizes.length - 1]);
                Trainer.builder().loss(Loss.softmaxCrossEntropy(1e-8)).optimizer(adam).epochs(1).batchSize(128)
                        .checkpoints(1, s -> state[0] = s).build().fit(net, small, null);
                SavedModel m = SavedModel.of(net, Loss.softmaxCrossEntropy(1e-8), null, null, null, Map.of("data", "random"));
                Map<String, String> numpy = numpyPeer(dir, repeats, sizes, p);
                for (ModelFile.Format f : ModelFile.Format.values()) {
                    Path file = dir.resolve("bench-" + p + f.extension);
                    double save = median(repeats, () -> {
                        ModelFile.write(file, m);
                        return null;
                    });
                    double load = median(repeats, () -> ModelFile.read(file, null));
                    String key = f == ModelFile.Format.NPZ ? "npz" : "safetensors";
                    out.printf("%-34s %9.2f ms %12s%n", "save " + key + " " + p, save, ms(numpy.get(key + " save")));
                    out.printf("%-34s %9.2f ms %12s%n", "load " + key + " " + p, load, ms(numpy.get(key + " load")));
                    Files.deleteIfExists(file);
                }
                Path ckDir = dir.resolve("bench-checkpoints");
                JsonObject options = new JsonObject();
                double ck = median(repeats, () -> Checkpoint.write(ckDir, state[0], m, options, 1));
                out.printf("%-34s %9.2f ms %12s%n", "checkpoint (weights + Adam) " + p, ck, "");
                for (Path old : Checkpoint.list(ckDir)) {
                    Files.deleteIfExists(old);
                }
                Files.deleteIfExists(ckDir);
                if (p == Precision.FP32) {
                    checkpointMs = ck;
                }
            }
        }
        if (epochData != null) {
            try (Network net = network(backend, Precision.FP32, sizes);
                 Optimizer adam = Optimizer.adam(0.001, 0.9, 0.999, 1e-8)) {
                History h = Trainer.builder().loss(Loss.softmaxCrossEntropy(1e-8)).optimizer(adam).epochs(1).batchSize(128)
                        .shuffle(new NumpyRandom(1)).build().fit(net, epochData, null);
                double epochMs = h.epochSeconds().get(0) * 1e3;
                out.printf("one epoch of %s (%d rows, batch 128, adam, fp32, %s): %.0f ms; a checkpoint per epoch costs %.2f%% of it%n",
                        epochData.name(), epochData.size(), backend.name(), epochMs, 100 * checkpointMs / epochMs);
            }
        }
    }

    private static String ms(String v) {
        return v == null ? "-" : v + " ms";
    }

    private static Map<String, String> numpyPeer(Path dir, int repeats, int[] sizes, Precision p) {
        Map<String, String> out = new LinkedHashMap<>();
        String python = PythonScript.interpreterWith("numpy");
        if (python == null) {
            return out;
        }
        StringBuilder s = new StringBuilder();
        for (int size : sizes) {
            s.append(s.length() == 0 ? "" : ",").append(size);
        }
        try {
            for (String line : PythonScript.run(python, "numpy_model_io.py", List.of(dir.toString(), Integer.toString(repeats),
                    s.toString(), p == Precision.FP32 ? "f4" : "f8"), 300)) {
                int cut = line.lastIndexOf(' ');
                out.put(line.substring(0, cut), line.substring(cut + 1));
            }
        } catch (IOException e) {
            out.clear();
        }
        return out;
    }

    private static double median(int repeats, Supplier<Object> work) {
        work.get();   // warm-up
        double[] t = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long s = System.nanoTime();
            work.get();
            t[i] = (System.nanoTime() - s) / 1e6;
        }
        Arrays.sort(t);
        return t[repeats / 2];
    }

    private static Network network(Backend backend, Precision p, int[] sizes) {
        Network.Builder b = Network.builder(backend, p, sizes[0]);
        for (int l = 1; l < sizes.length - 1; l++) {
            b.dense(sizes[l], Activation.relu());
        }
        return b.dense(sizes[sizes.length - 1], Activation.softmax()).build(Initializer.he(), new NumpyRandom(0));
    }

    private static long parameters(int[] sizes) {
        long n = 0;
        for (int l = 1; l < sizes.length; l++) {
            n += (long) sizes[l - 1] * sizes[l] + sizes[l];
        }
        return n;
    }

    private static Dataset randomData(int rows, int features, int classes) {
        NumpyRandom r = new NumpyRandom(3);
        Matrix x = r.randn(rows, features);
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = (int) r.interval(classes - 1);
        }
        return new Dataset("random", x, labels, classes);
    }
}
