package dev.scratchnet.lab;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.io.AtomicFile;
import dev.scratchnet.io.NdArray;
import dev.scratchnet.io.Npz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The PyTorch multilayer perceptron ({@code /baselines/torch_mlp.py}, eager mode) beside
 * scratchnet's own: a training session driven epoch by epoch for {@code train --bench} (on
 * {@code cuda} or {@code cpu}), and a replay from given initial parameters and row orders, for the
 * test that shows both train the same network (the same per-epoch losses).
 */
public final class TorchMlp {
    static final String SCRIPT = "torch_mlp.py";
    private final String python;

    /** Finds a Python with torch among {@code SCRATCHNET_PYTHON}, {@code /usr/bin/python3}, {@code python3}. */
    public TorchMlp() {
        this(PythonScript.candidates());
    }

    /** Finds a Python with torch among {@code interpreters}, in order. */
    public TorchMlp(List<String> interpreters) {
        python = PythonScript.interpreterWith("torch", interpreters);
    }

    public boolean available() {
        return python != null;
    }

    public String describe() {
        return python == null ? "the PyTorch baseline is unavailable: no Python with torch (install python3-torch, or set SCRATCHNET_PYTHON)"
                : "PyTorch through " + python;
    }

    private void requireAvailable() throws IOException {
        if (python == null) {
            throw new IOException(describe());
        }
    }

    /**
     * Starts a PyTorch training session on {@code device} ({@code cuda} or {@code cpu}) with the given
     * network and options; each {@link PeerTraining#epoch} trains one epoch there. Fails with the
     * script's one line where the device is missing.
     */
    public PeerTraining train(Dataset train, Dataset test, int[] hidden, int batch, String optimizer, double lr, Precision p,
                              String activation, long seed, String device, double weightDecay) throws IOException {
        requireAvailable();
        return PeerTraining.start(python, SCRIPT, List.of("train", PythonScript.commaList(hidden), Integer.toString(batch),
                optimizer, Double.toString(lr), p.toString(), activation, Long.toString(seed), device, Double.toString(weightDecay)),
                train, test);
    }

    /**
     * Trains in PyTorch on the CPU from the parameters {@code weights} (inputs × outputs) and
     * {@code biases} (1 × outputs), one epoch per row of {@code orders} (each a permutation of the
     * rows of {@code train}, the order of that epoch's batches), and returns each epoch's JSON line
     * (train_loss, train_accuracy, ...). The arrays go to the script in one {@code .npz}, written
     * whole to a temporary directory and removed afterwards.
     */
    public List<JsonObject> replay(List<Matrix> weights, List<Matrix> biases, Dataset train, int classes, int[][] orders, int batch,
                                   String optimizer, double lr, Precision p, String activation, double weightDecay) throws IOException {
        requireAvailable();
        NdArray.DType floats = p == Precision.FP32 ? NdArray.DType.F32 : NdArray.DType.F64;
        Map<String, Object> arrays = new LinkedHashMap<>();
        arrays.put("x", NdArray.of(train.features(), floats));
        long[] labels = new long[train.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = train.labels()[i];
        }
        arrays.put("labels", NdArray.ofInts(NdArray.DType.I64, new long[] {labels.length}, labels));
        arrays.put("classes", NdArray.ofInts(NdArray.DType.I64, new long[] {1}, new long[] {classes}));
        arrays.put("batch", NdArray.ofInts(NdArray.DType.I64, new long[] {1}, new long[] {batch}));
        for (int l = 0; l < weights.size(); l++) {
            arrays.put("W" + (l + 1), NdArray.of(weights.get(l), floats));
            arrays.put("b" + (l + 1), NdArray.of(biases.get(l), floats));
        }
        long[] order = new long[orders.length * train.size()];
        for (int e = 0; e < orders.length; e++) {
            if (orders[e].length != train.size()) {
                throw new IllegalArgumentException("epoch " + (e + 1) + "'s order has " + orders[e].length + " rows, the data "
                        + train.size());
            }
            for (int i = 0; i < orders[e].length; i++) {
                order[e * train.size() + i] = orders[e][i];
            }
        }
        arrays.put("order", NdArray.ofInts(NdArray.DType.I64, new long[] {orders.length, train.size()}, order));
        Path dir = Files.createTempDirectory("scratchnet-torch-replay-");
        Path file = dir.resolve("replay.npz");
        try {
            AtomicFile.write(file, out -> Npz.write(out, arrays));
            List<String> lines = PythonScript.run(python, SCRIPT, List.of("replay", file.toString(), optimizer, Double.toString(lr),
                    p.toString(), activation, "cpu", Double.toString(weightDecay)), 600);
            List<JsonObject> epochs = new ArrayList<>();
            for (String line : lines) {
                epochs.add(JsonParser.parseString(line).getAsJsonObject());
            }
            return epochs;
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }
}
