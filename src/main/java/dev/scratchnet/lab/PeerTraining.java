package dev.scratchnet.lab;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
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
import java.util.concurrent.TimeUnit;

/**
 * A baseline script training scratchnet's network beside it, epoch by epoch, for
 * {@code train --bench} ({@code numpy_mlp.py} and {@code torch_mlp.py} in their train mode). The
 * protocol: a JSON header line and the data (features as float32, labels as int32, little-endian)
 * on the script's standard input; it answers one JSON line, {@code {"ready", "library", "device"}}
 * or {@code {"error"}}; then each line {@code epoch LR} trains one epoch there at that learning
 * rate, answered by one JSON line (seconds, train_loss, test_loss, test_accuracy, ...).
 */
public final class PeerTraining implements AutoCloseable {
    private final String name;
    private final Process process;
    private final PythonScript.Extracted script;
    private final OutputStream stdin;
    private final BufferedReader stdout;
    private JsonObject ready;

    private PeerTraining(String name, Process process, PythonScript.Extracted script) {
        this.name = name;
        this.process = process;
        this.script = script;
        this.stdin = new BufferedOutputStream(process.getOutputStream(), 1 << 16);
        this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * Runs {@code /baselines/NAME} with {@code args} under {@code python}, hands it the data and waits
     * for its ready line; an error the script reports (no CUDA device, say) is the exception's message.
     */
    static PeerTraining start(String python, String name, List<String> args, Dataset train, Dataset test) throws IOException {
        PythonScript.Extracted script = new PythonScript.Extracted(name);
        List<String> cmd = new ArrayList<>(List.of(python, script.path.toString()));
        cmd.addAll(args);
        Process process;
        try {
            process = dev.scratchnet.io.ChildProcess.notJava(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            script.close();
            throw e;
        }
        PeerTraining s = new PeerTraining(name, process, script);
        try {
            try {
                String header = "{\"train_rows\": " + train.size() + ", \"test_rows\": " + test.size() + ", \"features\": "
                        + train.featureCount() + ", \"classes\": " + Math.max(train.classes(), test.classes()) + "}\n";
                s.stdin.write(header.getBytes(StandardCharsets.UTF_8));
                writeFloats(s.stdin, train.features().data());
                writeInts(s.stdin, train.labels());
                writeFloats(s.stdin, test.features().data());
                writeInts(s.stdin, test.labels());
                s.stdin.flush();
            } catch (IOException e) {
                // the script may have stopped on an error of its own before reading: its line says which
                s.ready = s.readLine("reading the data");
                throw new IOException("could not hand the data to " + name + ": " + e.getMessage(), e);
            }
            s.ready = s.readLine("reading the data");
            if (!s.ready.has("ready")) {
                throw new IOException(name + " answered " + s.ready + " instead of its ready line");
            }
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** The peer's library and version, as the script names it ("NumPy 1.24.2 (openblas)", "PyTorch 1.13.1 eager"). */
    public String library() {
        return ready.get("library").getAsString();
    }

    /** Where the peer runs ("CPU, 2 threads", "NVIDIA H100 80GB HBM3"); null where the script does not say. */
    public String device() {
        return ready.has("device") ? ready.get("device").getAsString() : null;
    }

    /** Trains one epoch (and its test pass) at {@code learningRate}; returns its JSON line (seconds, train_loss, ...). */
    public JsonObject epoch(double learningRate) throws IOException {
        stdin.write(("epoch " + learningRate + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
        return readLine("its epoch");
    }

    /** The script's next line, parsed; its {"error"} line, the end of its output or anything but JSON is an exception. */
    private JsonObject readLine(String during) throws IOException {
        String line = stdout.readLine();
        if (line == null) {
            throw new IOException(name + " stopped before " + during + " was done"
                    + (process.isAlive() ? "" : " (exit status " + exitStatus() + ")"));
        }
        JsonObject o;
        try {
            o = JsonParser.parseString(line).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IOException(name + " printed '" + line + "', not a JSON object");
        }
        if (o.has("error")) {
            throw new IOException(o.get("error").getAsString());
        }
        return o;
    }

    private int exitStatus() {
        try {
            return process.waitFor(10, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static void writeFloats(OutputStream out, double[] values) throws IOException {
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

    static void writeInts(OutputStream out, int[] values) throws IOException {
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
