package dev.scratchnet.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.scratchnet.testing.TestBackends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Checkpoints and resume through the command line: six epochs in one run equal three and a
 * resumed three bit for bit (losses, JSON apart from its timing fields, and the saved model's
 * bytes), on each backend; Ctrl-C and SIGTERM stop after a batch with a checkpoint and the
 * status a shell expects; and {@code evaluate} on the saved model prints the run's test accuracy.
 */
class TrainResumeTest {
    static final List<String> TIMING = List.of("epoch_seconds", "train_seconds", "total_seconds");

    static Object[] run(String... args) {
        return MainTest.run(args);
    }

    static String ok(String... args) {
        Object[] r = run(args);
        assertEquals(0, r[0], String.join(" ", args) + "\n" + r[1] + r[2]);
        assertFalse(((String) r[1]).contains("\r"), "no carriage return where stdout is not a terminal");
        return (String) r[1];
    }

    static JsonObject json(Path f) throws IOException {
        JsonObject o = JsonParser.parseString(Files.readString(f)).getAsJsonObject();
        TIMING.forEach(o::remove);
        return o;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cpu", "opencl"})
    void sixEpochsEqualThreeAndAResumedThree(String backend, @TempDir Path dir) throws IOException {
        TestBackends.open(backend);
        String[] common = {"train", "--data", "digits", "--hidden", "32,16", "--batch", "64", "--backend", backend,
                "--validation-fraction", "0.1", "--schedule", "step:2:0.5", "--weight-decay", "0.0001", "--lr", "0.003"};
        Path six = dir.resolve("six.json"), resumed = dir.resolve("resumed.json");
        ok(concat(common, "--epochs", "6", "--json", six.toString(), "--save", dir.resolve("six.safetensors").toString()));
        Path ck = dir.resolve("ck");
        ok(concat(common, "--epochs", "3", "--checkpoint", ck.toString(), "--keep", "2"));
        assertEquals(List.of("checkpoint-000002-000000.safetensors", "checkpoint-000003-000000.safetensors"), names(ck));
        String out = ok("train", "--resume", ck.toString(), "--epochs", "6", "--backend", backend, "--json", resumed.toString(),
                "--save", dir.resolve("resumed.safetensors").toString());
        assertTrue(out.contains("3 of 6 epochs done"), out);
        assertEquals(json(six), json(resumed));
        assertArrayEquals(Files.readAllBytes(dir.resolve("six.safetensors")), Files.readAllBytes(dir.resolve("resumed.safetensors")),
                "the saved models are the same bytes");
        assertEquals(List.of("checkpoint-000005-000000.safetensors", "checkpoint-000006-000000.safetensors"), names(ck));
    }

    @Test
    void evaluatePrintsTheTrainingRunsTestAccuracy(@TempDir Path dir) throws IOException {
        Path model = dir.resolve("digits.npz");
        String train = ok("train", "--data", "digits", "--hidden", "16", "--epochs", "8", "--lr", "0.01", "--backend", "cpu",
                "--save", model.toString());
        String accuracy = train.lines().filter(l -> l.startsWith("test accuracy ")).findFirst().orElseThrow().split("[ ;]")[2];
        Path json = dir.resolve("eval.json");
        String eval = ok("evaluate", "--model", model.toString(), "--backend", "cpu", "--json", json.toString());
        JsonObject o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(accuracy, dev.scratchnet.report.PythonFormat.fixed(o.get("accuracy").getAsDouble(), 4));
        assertEquals(360, o.get("rows").getAsInt());
        assertEquals(10, o.getAsJsonArray("confusion_matrix").size());
        String info = ok("model", "info", model.toString());
        assertTrue(info.startsWith(model + ": 64 → 16 (relu) → 10 (softmax), fp32, loss softmax_cross_entropy"), info);
        assertTrue(eval.contains("\naccuracy " + accuracy + "\n"), accuracy + " in\n" + eval);
        String lastEpoch = train.lines().filter(l -> l.startsWith("epoch 8/8")).findFirst().orElseThrow();
        assertTrue(lastEpoch.endsWith("test accuracy " + accuracy + "  (" + lastEpoch.replaceAll(".*\\(", "")), lastEpoch);
        assertTrue(eval.contains("classification report:\n              precision    recall  f1-score   support\n"), eval);
        String percent = dev.scratchnet.report.PythonFormat.fixed(Double.parseDouble(accuracy), 2);
        assertTrue(eval.matches("(?s).*\n    accuracy +" + percent.replace(".", "\\.") + " +360\n.*"), eval);
        assertTrue(Double.parseDouble(accuracy) > 0.8, "digits learned: " + accuracy);
    }

    @Test
    void aResumedRunKeepsItsSettingsAndSaysSoInOneLine(@TempDir Path dir) {
        Path ck = dir.resolve("ck");
        ok("train", "--data", "moons:200", "--hidden", "8", "--epochs", "2", "--backend", "cpu", "--checkpoint", ck.toString());
        Object[] r = run("train", "--resume", ck.toString(), "--lr", "0.5", "--epochs", "4", "--backend", "cpu");
        assertEquals(1, r[0]);
        assertEquals("scratchnet: --lr 0.5 differs from the checkpoint's 0.001: a resumed run keeps its settings (leave --lr out)\n", r[2]);
        r = run("train", "--resume", ck.toString(), "--backend", "cpu");
        assertEquals(1, r[0]);
        assertTrue(((String) r[2]).endsWith("is the end of a finished run (2 epochs): give a larger --epochs to go on\n"), (String) r[2]);
        r = run("train", "--resume", dir.resolve("nothing").toString(), "--backend", "cpu");
        assertEquals("scratchnet: --resume " + dir.resolve("nothing") + ": no such directory\n", r[2]);
        r = run("train", "--data", "moons", "--patience", "3", "--backend", "cpu");
        assertEquals("scratchnet: --patience needs a validation set: give --validation-fraction (0.1, say)\n", r[2]);
        r = run("train", "--data", "moons", "--save", dir.resolve("m.pt").toString(), "--backend", "cpu");
        assertEquals("scratchnet: --save " + dir.resolve("m.pt") + ": a model file ends in .safetensors or .npz\n", r[2]);
        r = run("train", "--data", "moons", "--schedule", "cosine:x", "--backend", "cpu");
        assertEquals("scratchnet: --schedule 'cosine:x': 'x' is not a number\n", r[2]);
        r = run("predict", "--model", dir.resolve("m.safetensors").toString(), "--output", dir.resolve("p.txt").toString());
        assertEquals("scratchnet: --output " + dir.resolve("p.txt") + ": name a .csv or .npy file\n", r[2]);
        r = run("evaluate", "--model", dir.resolve("absent.safetensors").toString());
        assertEquals("scratchnet: --model " + dir.resolve("absent.safetensors") + ": no such file\n", r[2]);
    }

    @Test
    void trainStartsFromASavedModelsWeights(@TempDir Path dir) throws IOException {
        Path first = dir.resolve("first.safetensors"), json = dir.resolve("more.json");
        ok("train", "--data", "digits", "--hidden", "32", "--epochs", "3", "--lr", "0.01", "--backend", "cpu", "--save", first.toString(),
                "--json", dir.resolve("first.json").toString());
        double before = JsonParser.parseString(Files.readString(dir.resolve("first.json"))).getAsJsonObject()
                .get("final_train_loss").getAsDouble();
        String out = ok("train", "--data", "digits", "--model", first.toString(), "--epochs", "1", "--lr", "0.01", "--backend", "cpu",
                "--json", json.toString());
        assertTrue(out.contains("network: 64 → 32 (relu) → 10 (softmax)"), out);
        double after = JsonParser.parseString(Files.readString(json)).getAsJsonObject().get("final_train_loss").getAsDouble();
        assertTrue(after < before, "the fourth epoch goes on from the third: " + before + " then " + after);
        Object[] r = run("train", "--data", "digits", "--model", first.toString(), "--hidden", "64", "--backend", "cpu");
        assertEquals("scratchnet: --hidden [64] differs from the model's [32] (64 → 32 (relu) → 10 (softmax))\n", r[2]);
        r = run("train", "--data", "moons", "--model", first.toString(), "--backend", "cpu");
        assertEquals("scratchnet: --data moons has 2 features, the model expects 64\n", r[2]);
    }

    @Test
    void earlyStoppingKeepsTheBestEpochsWeights(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("e.json");
        String out = ok("train", "--data", "digits", "--hidden", "64", "--epochs", "60", "--lr", "0.01", "--backend", "cpu",
                "--validation-fraction", "0.2", "--patience", "2", "--json", json.toString(), "--save", dir.resolve("e.npz").toString());
        JsonObject o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertTrue(o.get("stopped_early").getAsBoolean(), out);
        int best = o.get("best_epoch").getAsInt();
        int epochs = o.getAsJsonArray("train_loss").size();
        assertEquals(best + 2, epochs, "stopped two epochs after the best");
        assertTrue(out.contains("keeping the weights of epoch " + best), out);
        // the saved model is the best epoch's: its test accuracy is that epoch's, not the last one's
        double bestAccuracy = o.getAsJsonArray("test_accuracy_curve").get(best - 1).getAsDouble();
        assertEquals(bestAccuracy, o.get("test_accuracy").getAsDouble(), 0.0);
        assertEquals(epochs, o.getAsJsonArray("epoch_seconds").size());
    }

    /**
     * The child JVM's output up to a line starting with {@code marker}, then the signal, then the rest and the status.
     * The child starts with SIGINT and SIGTERM at their defaults: a JVM started with a signal ignored (a shell's
     * background job ignores SIGINT, as does anything under nohup) leaves it ignored, as Unix programs do, so a
     * test run from such a shell would otherwise see the child train on through Ctrl-C.
     */
    static Object[] signalDuringTraining(String signal, String marker, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (envResetsSignals()) {
            cmd.addAll(List.of("env", "--default-signal=INT,TERM"));
        } else {
            assumeFalse(ignored(signal), "SIG" + signal + " is ignored in this JVM, so in its child too, and this env cannot"
                    + " reset it (GNU coreutils 8.31 or later can); run the tests from a foreground shell");
        }
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules", "jdk.incubator.vector"));
        cmd.addAll(dev.scratchnet.testing.ChildJvm.nativeAccess());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            boolean sent = false;
            while ((line = r.readLine()) != null) {
                out.append(line).append('\n');
                if (!sent && line.matches(marker)) {
                    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
                    assertEquals(0, kill.waitFor());
                    sent = true;
                }
            }
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child did not stop");
        return new Object[] {p.exitValue(), out.toString()};
    }

    /** Whether {@code env --default-signal} works here (GNU coreutils 8.31 and later). */
    private static boolean envResetsSignals() {
        try {
            Process p = new ProcessBuilder("env", "--default-signal=INT,TERM", "true").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Whether this JVM was started with {@code signal} ignored (the SigIgn mask of /proc/self/status). */
    private static boolean ignored(String signal) throws java.io.IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return false;
        }
        int number = signal.equals("INT") ? 2 : 15;
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) >>> (number - 1) & 1) != 0;
            }
        }
        return false;
    }

    @Test
    void ctrlCFinishesTheBatchWritesACheckpointAndExits130(@TempDir Path dir) throws Exception {
        Path ck = dir.resolve("ck");
        Object[] r = signalDuringTraining("INT", "epoch +2/.*", "train", "--data", "digits", "--hidden", "64", "--batch", "8",
                "--epochs", "400", "--backend", "cpu", "--checkpoint", ck.toString(), "--checkpoint-every", "1000");
        String out = (String) r[1];
        assertEquals(130, r[0], out);
        assertTrue(out.contains("stopped by SIGINT after "), out);
        assertTrue(out.contains("to continue: scratchnet train --resume " + ck), out);
        List<String> files = names(ck);
        assertEquals(1, files.size(), files.toString());
        int epochsDone = Integer.parseInt(files.get(0).substring(11, 17));
        assertTrue(epochsDone >= 2, files.toString());
        String resumed = ok("train", "--resume", ck.toString(), "--epochs", Integer.toString(epochsDone + 1), "--backend", "cpu");
        assertTrue(resumed.contains("resuming from " + ck.resolve(files.get(0))), resumed);
        assertTrue(resumed.contains("epoch " + (epochsDone + 1) + "/" + (epochsDone + 1)), resumed);
    }

    @Test
    void sigtermWithoutACheckpointSaysNothingWasSavedAndExits143() throws Exception {
        Object[] r = signalDuringTraining("TERM", "epoch +2/.*", "train", "--data", "digits", "--hidden", "64", "--batch", "8",
                "--epochs", "400", "--backend", "cpu");
        assertEquals(143, r[0], (String) r[1]);
        assertTrue(((String) r[1]).contains("stopped by SIGTERM after "), (String) r[1]);
        assertTrue(((String) r[1]).contains("no --checkpoint was given, so nothing was saved"), (String) r[1]);
    }

    static List<String> names(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (var s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString()).sorted().forEach(out::add);
        }
        return out;
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
