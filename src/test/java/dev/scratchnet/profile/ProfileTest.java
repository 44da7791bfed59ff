package dev.scratchnet.profile;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.cpu.CpuBackend;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.data.Moons;
import dev.scratchnet.nn.Activation;
import dev.scratchnet.nn.History;
import dev.scratchnet.nn.Initializer;
import dev.scratchnet.nn.Loss;
import dev.scratchnet.nn.Network;
import dev.scratchnet.nn.Optimizer;
import dev.scratchnet.nn.Trainer;
import dev.scratchnet.random.NumpyRandom;
import dev.scratchnet.testing.TestBackends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The profiling backend: it records every op of a training run by family and shape, changes no
 * result, and its Chrome trace is a well-formed trace-event file that Perfetto can open.
 */
class ProfileTest {

    static List<String> backends() {
        return TestBackends.NAMES;
    }

    /** Trains moons for a few epochs on {@code be}; returns the history. */
    private static History train(Backend be) {
        Dataset moons = Moons.make(200, 0.1, 3);
        try (Network net = Network.builder(be, Precision.FP64, 2).dense(16, Activation.relu()).dense(2, Activation.softmax())
                .build(Initializer.he(), new NumpyRandom(4));
             Optimizer sgd = Optimizer.sgd(0.1)) {
            return Trainer.builder().loss(Loss.softmaxCrossEntropy(1e-8)).optimizer(sgd).epochs(3).batchSize(32)
                    .shuffle(new NumpyRandom(5)).build().fit(net, moons, moons);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void profilingRecordsEveryOpAndChangesNoResult(String name) {
        Backend be = TestBackends.open(name, Precision.FP64);
        History plain = train(be);
        Profile profile = new Profile(true);
        History profiled = train(new ProfilingBackend(be, profile));
        profile.stop();
        assertArrayEquals(plain.trainLoss().stream().mapToDouble(Double::doubleValue).toArray(),
                profiled.trainLoss().stream().mapToDouble(Double::doubleValue).toArray(), "same losses, bit for bit");
        Set<String> families = profile.ops().stream().map(o -> o.family).collect(Collectors.toSet());
        for (String f : List.of(Profile.GEMM, Profile.DENSE_FORWARD, Profile.ACTIVATION_BACKWARD, Profile.LOSS,
                Profile.COLUMN_SUMS, Profile.OPTIMIZER, Profile.GATHER, Profile.METRICS, Profile.HOST_SYNC)) {
            assertTrue(families.contains(f), f + " missing from " + families);
        }
        // 200 rows in batches of 32: 7 batches an epoch; each has dW for both layers (TN) and dA for the first (NT)
        Profile.Op dw = profile.ops().stream().filter(o -> o.name.equals("gemm TN 16×32·32×2")).findFirst().orElseThrow(
                () -> new AssertionError(profile.ops().stream().map(o -> o.name).collect(Collectors.toList()).toString()));
        assertEquals(3 * 6, dw.calls, "six full batches of 32 rows an epoch, three epochs");
        assertTrue(profile.ops().stream().anyMatch(o -> o.name.equals("gemm NT 32×2·2×16")));
        Profile.Op dense = profile.ops().stream().filter(o -> o.name.equals("dense_forward 32×2·2×16 +bias relu")).findFirst()
                .orElseThrow();
        // named by the kernel that runs: the fused blocktile kernel on CUDA, register-blocked on OpenCL
        assertEquals(Map.of("cpu", "blocked", "opencl", "regblock", "cuda", "blocktile").get(name), dense.variant);
        assertTrue(profile.opMillis() > 0 && profile.opMillis() <= profile.wallMillis() * 1.05 + 1,
                profile.opMillis() + " ms of ops in " + profile.wallMillis() + " ms");
        profile.addSteps(21);
        StringWriter sw = new StringWriter();
        profile.print(new PrintWriter(sw), "moons");
        String printed = sw.toString();
        assertTrue(printed.contains("profile: moons, 21 steps") && printed.contains("by family:")
                && printed.contains("gemm TN 16×32·32×2"), printed);
    }

    @Test
    void theTraceIsAChromeTraceEventFileWithOneSpanPerOp(@TempDir Path dir) throws Exception {
        Profile profile = new Profile(true);
        try (CpuBackend cpu = new CpuBackend()) {
            train(new ProfilingBackend(cpu, profile));
        }
        profile.stop();
        Path file = dir.resolve("trace.json");
        ChromeTrace.write(file, profile, "scratchnet test");
        JsonObject root = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
        JsonArray events = root.getAsJsonArray("traceEvents");
        long spans = 0;
        double lastTs = -1;
        Set<String> categories = new HashSet<>();
        boolean processNamed = false;
        for (JsonElement e : events) {
            JsonObject o = e.getAsJsonObject();
            String ph = o.get("ph").getAsString();
            assertTrue(o.has("pid") && o.has("tid") && o.has("name"), o.toString());
            if (ph.equals("M")) {
                processNamed |= o.get("name").getAsString().equals("process_name")
                        && o.getAsJsonObject("args").get("name").getAsString().equals("scratchnet test");
                continue;
            }
            assertEquals("X", ph, o.toString());
            double ts = o.get("ts").getAsDouble(), dur = o.get("dur").getAsDouble();
            assertTrue(ts >= 0 && dur >= 0 && ts >= lastTs, "spans in issue order: " + o);
            lastTs = ts;
            JsonObject args = o.getAsJsonObject("args");
            assertEquals(o.get("cat").getAsString(), args.get("family").getAsString());
            assertTrue(o.get("name").getAsString().startsWith(args.get("op").getAsString()), o.toString());
            if (args.get("op").getAsString().equals("gemm")) {
                assertTrue(args.get("shapes").getAsString().matches("(NN|NT|TN|TT) \\d+×\\d+·\\d+×\\d+.*"), o.toString());
                assertEquals("blocked", args.get("variant").getAsString());
            }
            categories.add(o.get("cat").getAsString());
            spans++;
        }
        assertTrue(processNamed, "a process_name metadata event");
        assertEquals(profile.spans().size(), spans);
        assertEquals(profile.ops().stream().mapToLong(o -> o.calls).sum(), spans, "one span per op call");
        assertTrue(categories.containsAll(List.of("gemm", "dense_forward", "loss", "optimizer")), categories.toString());
        assertEquals("wall clock per op", root.getAsJsonObject("otherData").get("clock").getAsString());
        assertEquals(0, root.getAsJsonObject("otherData").get("dropped_spans").getAsLong());
    }

    @Test
    void aProfileWithoutSpansKeepsOnlyTheTotals() {
        Profile profile = new Profile(false);
        try (CpuBackend cpu = new CpuBackend(); ProfilingBackend be = new ProfilingBackend(cpu, profile)) {
            try (var a = be.upload(Matrix.of(new double[] {1, 2}, new double[] {3, 4}), Precision.FP64);
                 var c = be.zeros(2, 2, Precision.FP64)) {
                be.gemm(false, true, 1, a, a, 0, c);
                be.gemm(false, true, 1, a, a, 0, c);
                assertArrayEquals(new double[] {5, 11, 11, 25}, be.download(c).data());
            }
        }
        assertEquals(0, profile.spans().size());
        assertEquals(2, profile.ops().stream().filter(o -> o.name.equals("gemm NT 2×2·2×2")).findFirst().orElseThrow().calls);
        assertTrue(profile.ops().stream().anyMatch(o -> o.family.equals(Profile.HOST_SYNC) && o.name.equals("download 2×2")));
    }
}
