package dev.scratchnet.lab;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.data.Dataset;

import java.io.IOException;
import java.util.List;

/**
 * The NumPy multilayer perceptron ({@code /baselines/numpy_mlp.py}) beside scratchnet's own: one
 * training step on random data for {@code kernels bench --op step}, and a training session driven
 * epoch by epoch for {@code train --bench} ({@link PeerTraining}), so the two sides' epochs
 * interleave and share the machine's state.
 */
public final class NumpyMlp {
    static final String SCRIPT = "numpy_mlp.py";
    private final String python = PythonScript.interpreterWith("numpy");

    public boolean available() {
        return python != null;
    }

    public String describe() {
        return python == null ? "the NumPy baseline is unavailable: no Python with numpy (install python3-numpy, or set SCRATCHNET_PYTHON)"
                : "NumPy through " + python;
    }

    /** One step's median time in milliseconds; {"ms", "library", ...} as the script prints it. */
    public JsonObject step(int batch, int[] layers, Precision p, double minSeconds) throws IOException {
        List<String> out = PythonScript.run(python, SCRIPT, List.of("step", Integer.toString(batch), PythonScript.commaList(layers), p.toString(),
                Double.toString(minSeconds)), 600);
        if (out.isEmpty()) {
            throw new IOException(SCRIPT + " printed nothing");
        }
        return JsonParser.parseString(out.get(out.size() - 1)).getAsJsonObject();
    }

    /**
     * Starts a NumPy training session on {@code train} and {@code test} with the given network and
     * options; each {@link PeerTraining#epoch} trains one epoch there.
     */
    public PeerTraining train(Dataset train, Dataset test, int[] hidden, int batch, String optimizer, double lr, Precision p,
                              String activation, long seed, double weightDecay) throws IOException {
        if (python == null) {
            throw new IOException(describe());
        }
        return PeerTraining.start(python, SCRIPT, List.of("train", PythonScript.commaList(hidden), Integer.toString(batch),
                optimizer, Double.toString(lr), p.toString(), activation, Long.toString(seed), Double.toString(weightDecay)),
                train, test);
    }
}
