package dev.scratchnet.lab;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.data.Dataset;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * The NumPy multilayer perceptron ({@code /baselines/numpy_mlp.py}) beside scratchnet's own: one
 * training step on random data for {@code kernels bench --op step}, and a training session driven
 * epoch by epoch for {@code train --bench}, so the two sides' epochs interleave and share the
 * machine's state.
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
        StringJoiner l = new StringJoiner(",");
        for (int v : layers) {
            l.add(Integer.toString(v));
        }
        List<String> out = PythonScript.run(python, SCRIPT, List.of("step", Integer.toString(batch), l.toString(), p.toString(),
                Double.toString(minSeconds)), 600);
        if (out.isEmpty()) {
            throw new IOException(SCRIPT + " printed nothing");
        }
        return JsonParser.parseString(out.get(out.size() - 1)).getAsJsonObject();
    }

    /**
     * Starts a NumPy training session on {@code train} and {@code test} with the given network and
     * options; each {@link Session#epoch()} trains one epoch there.
     */
    public Session train(Dataset train, Dataset test, int[] hidden, int batch, String optimizer, double lr, Precision p,
                         String activation, long seed) throws IOException {
        if (python == null) {
            throw new IOException(describe());
        }
        StringJoiner h = new StringJoiner(",");
        for (int v : hidden) {
            h.add(Integer.toString(v));
        }
        PythonScript.Extracted script = new PythonScript.Extracted(SCRIPT);
        List<String> cmd = new ArrayList<>(List.of(python, script.path.toString(), "train", h.toString(), Integer.toString(batch),
                optimizer, Double.toString(lr), p.toString(), activation, Long.toString(seed)));
        Process process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Session s = new Session(process, script);
        try {
            OutputStream out = s.stdin;
            String header = "{\"train_rows\": " + train.size() + ", \"test_rows\": " + test.size() + ", \"features\": "
                    + train.featureCount() + ", \"classes\": " + Math.max(train.classes(), test.classes()) + "}\n";
            out.write(header.getBytes(StandardCharsets.UTF_8));
            writeFloats(out, train.features().data());
            writeInts(out, train.labels());
            writeFloats(out, test.features().data());
            writeInts(out, test.labels());
            out.flush();
        } catch (IOException e) {
            s.close();
            throw new IOException("could not hand the data to " + SCRIPT + ": " + e.getMessage(), e);
        }
        return s;
    }

    private static void writeFloats(OutputStream out, double[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            if (b.remaining() < 4) {
                out.write(b.array(), 0, b.position());
                b.clear();
            }
            b.putFloat((float) v);
        }
        out.write(b.array(), 0, b.position());
    }

    private static void writeInts(OutputStream out, int[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            if (b.remaining() < 4) {
                out.write(b.array(), 0, b.position());
                b.clear();
            }
            b.putInt(v);
        }
        out.write(b.array(), 0, b.position());
    }

    /** A running NumPy training: one epoch per {@link #epoch()} call. */
    public static final class Session implements AutoCloseable {
        private final Process process;
        private final PythonScript.Extracted script;
        private final OutputStream stdin;
        private final BufferedReader stdout;

        Session(Process process, PythonScript.Extracted script) {
            this.process = process;
            this.script = script;
            this.stdin = new BufferedOutputStream(process.getOutputStream(), 1 << 16);
            this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        /** Trains one epoch (and its test pass) in NumPy; returns its JSON line (seconds, train_loss, ...). */
        public JsonObject epoch() throws IOException {
            stdin.write("epoch\n".getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            String line = stdout.readLine();
            if (line == null) {
                throw new IOException(SCRIPT + " stopped before its epoch was done");
            }
            return JsonParser.parseString(line).getAsJsonObject();
        }

        @Override
        public void close() throws IOException {
            try {
                stdin.close();
            } catch (IOException e) {
                // the process may have ended already
            }
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            } finally {
                script.close();
            }
        }
    }
}
