package dev.scratchnet.cli;

import dev.scratchnet.backend.Backends;
import dev.scratchnet.backend.NativeLibrary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9's bad inputs, each as a user meets it: one line on standard error, exit status 1, nothing
 * trained and nothing written. Every case here was a stack trace, a silent acceptance or a failure
 * after the whole run before.
 */
class HardeningTest {
    static Object[] run(String... args) {
        return MainTest.run(args);
    }

    /** Runs and expects exit status 1 with exactly one line on standard error; returns that line. */
    static String refused(String... args) {
        Object[] r = run(args);
        String err = (String) r[2];
        assertEquals(1, r[0], "exit status of " + String.join(" ", args) + "; out: " + r[1] + " err: " + err);
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.startsWith("scratchnet: "), err);
        return err.strip();
    }

    /** Runs the command line in a child JVM with {@code jvmArgs} and {@code env}; {exit status, stdout, stderr}. */
    static Object[] child(List<String> jvmArgs, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmArgs);
        cmd.addAll(dev.scratchnet.testing.ChildJvm.nativeAccess());
        cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Path err = Files.createTempFile("scratchnet-child", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = p.waitFor();
        String e = Files.readString(err).replace("WARNING: Using incubator modules: jdk.incubator.vector\n", "");
        Files.delete(err);
        return new Object[] {status, out, e};
    }

    static Path idx(Path dir, String name, int magic, int[] dims, byte[] payload, boolean gzip) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload.length);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(payload);
        Path p = dir.resolve(name);
        if (gzip) {
            try (GZIPOutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
                out.write(b.array());
            }
        } else {
            Files.write(p, b.array());
        }
        return p;
    }

    static byte[] labels(int n) {
        byte[] l = new byte[n];
        for (int i = 0; i < n; i++) {
            l[i] = (byte) (i % 10);
        }
        return l;
    }

    // ---- outputs are checked before training -------------------------------------------------

    @Test
    void outputPathsAreCheckedBeforeTraining(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("plots-file"), "x");
        String e = refused("train", "--data", "xor", "--backend", "cpu", "--json", "/proc/scratchnet.json");
        assertTrue(e.startsWith("scratchnet: --json /proc/scratchnet.json cannot be written"), e);
        e = refused("train", "--data", "xor", "--backend", "cpu", "--json", dir.toString());
        assertEquals("scratchnet: --json " + dir + " is a directory: name a file", e);
        e = refused("train", "--data", "xor", "--backend", "cpu", "--plots", file.toString());
        assertEquals("scratchnet: --plots " + file + " is a file, not a directory: name a directory", e);
        e = refused("train", "--data", "xor", "--backend", "cpu", "--plots", "/proc/scratchnet-plots");
        assertTrue(e.startsWith("scratchnet: --plots /proc/scratchnet-plots"), e);
        e = refused("workshop", "xor-scratch", "--backend", "cpu", "--json", "/proc/x.json");
        assertTrue(e.startsWith("scratchnet: --json /proc/x.json cannot be written"), e);
        e = refused("workshop", "xor-scratch", "--backend", "cpu", "--plots", file.toString());
        assertEquals("scratchnet: --plots " + file + " is a file, not a directory: name a directory", e);
        // nothing was trained: the refusal came before the backend line
        Object[] r = run("train", "--data", "xor", "--backend", "cpu", "--json", dir.toString());
        assertEquals("", r[1]);
    }

    @Test
    void anOutputThatIsAnInputIsRefusedByRealPath(@TempDir Path dir) throws IOException {
        Path images = idx(dir, "images.idx", 0x803, new int[] {20, 2, 2}, new byte[80], false);
        Path labels = idx(dir, "labels.idx", 0x801, new int[] {20}, labels(20), false);
        byte[] before = Files.readAllBytes(labels);
        Path viaLink = Files.createSymbolicLink(dir.resolve("link.json"), labels);
        String e = refused("train", "--data", "idx:" + images + "," + labels, "--backend", "cpu", "--json", viaLink.toString());
        assertEquals("scratchnet: --json " + viaLink + " is one of the input files (" + labels
                + "): writing it would destroy the data; name another file", e);
        e = refused("train", "--data", "idx:" + images + "," + labels, "--backend", "cpu", "--json",
                dir.resolve("sub/../labels.idx").toString());
        assertTrue(e.contains("is one of the input files"), e);
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(labels)), "the input is untouched");
    }

    @Test
    void aFileNameJavaCouldNotDecodeIsRefused(@TempDir Path dir) throws IOException {
        // what Java makes of the bytes "bad\xff.json" on a UTF-8 command line
        String e = refused("train", "--data", "xor", "--backend", "cpu", "--json", dir.resolve("bad\uFFFD.json").toString());
        assertTrue(e.startsWith("scratchnet: --json: the name '" + dir.resolve("bad\uFFFD.json") + "' is not valid "), e);
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "nothing written");
        }
    }

    // ---- one line, never a stack trace ------------------------------------------------------

    @Test
    void idxHeadersClaimingMoreThanTheFileAreRefusedBeforeAllocating(@TempDir Path dir) throws IOException {
        Path images = idx(dir, "images.idx", 0x803, new int[] {2_000_000, 28, 28}, new byte[100 * 784], false);
        Path labels = idx(dir, "labels.idx", 0x801, new int[] {100}, labels(100), false);
        String e = refused("train", "--data", "idx:" + images + "," + labels, "--backend", "cpu");
        assertEquals("scratchnet: " + images + ": the header claims 2000000 images of 28×28 pixels (1568000000 bytes), "
                + "but the file holds 78400 bytes after the header (100 whole images)", e);
        Path lying = idx(dir, "lying.idx", 0x801, new int[] {Integer.MAX_VALUE}, labels(100), false);
        e = refused("train", "--data", "idx:" + images + "," + lying, "--backend", "cpu");
        assertTrue(e.startsWith("scratchnet: " + lying + ": the header claims 2147483647 labels"), e);
        Path lyingGz = idx(dir, "lying.idx.gz", 0x801, new int[] {Integer.MAX_VALUE}, labels(100), true);
        e = refused("train", "--data", "idx:" + images + "," + lyingGz, "--backend", "cpu");
        assertTrue(e.startsWith("scratchnet: " + lyingGz + ": the file ends early: the header claims 2147483647 labels, but it holds 100 whole labels"), e);
    }

    @Test
    void networksAndDataTooLargeForTheHeapAreRefusedBeforeAllocating() throws Exception {
        List<String> small = List.of("-Xmx256m");
        Object[] r = child(small, Map.of(), "train", "--data", "xor", "--hidden", "100000000", "--backend", "cpu", "--epochs", "1");
        assertEquals(1, r[0], r[2].toString());
        String err = ((String) r[2]).strip();
        assertTrue(err.startsWith("scratchnet: a 2 → 100000000 → 2 network (500000002 parameters, drawn on the host in fp64 and trained on the Java heap) needs "), err);
        assertTrue(err.contains("more than Java's heap limit of 256 MiB (give Java more with -Xmx"), err);
        assertEquals(1, err.lines().count(), err);
        r = child(small, Map.of(), "train", "--data", "moons:2147483647", "--backend", "cpu");
        err = ((String) r[2]).strip();
        assertEquals(1, r[0], err);
        assertTrue(err.startsWith("scratchnet: --data moons:2147483647: 2147483647 moons samples needs 192.0 GiB, more than Java's heap limit"), err);
    }

    @Test
    void aNetworkTooLargeForTheOpenClHeapOrDeviceIsOneLine() throws Exception {
        Object[] r = child(List.of("-Xmx256m"), Map.of(), "train", "--data", "xor", "--hidden", "300000000", "--backend", "opencl", "--epochs", "1");
        String err = ((String) r[2]).strip();
        assertEquals(1, r[0], err);
        assertEquals(1, err.lines().count(), err);
        boolean opencl = Backends.probe("opencl").available;
        assertTrue(opencl ? err.startsWith("scratchnet: a 2 → 300000000 → 2 network (1500000002 parameters, drawn on the host in fp64) needs ")
                : err.startsWith("scratchnet: the opencl backend cannot run here: "), err);
    }

    @Test
    void anyOtherOutOfMemoryErrorIsOneLineNamingWhereAndXmx() throws Exception {
        // 400 000 moons pass the size check in a 48 MiB heap, then run out while being split and scaled
        Object[] r = child(List.of("-Xmx48m"), Map.of(), "train", "--data", "moons:400000", "--backend", "cpu", "--epochs", "1");
        String err = ((String) r[2]).strip();
        assertEquals(1, r[0], err);
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.matches("scratchnet: (out of memory \\(Java heap space\\) (allocating a \\w+ in |in )\\w+\\.\\S+.*"
                + ": Java's heap limit is 48 MiB \\(give Java more with -Xmx.*|.*needs .* more than Java's heap limit.*)"), err);
        OutOfMemoryError synthetic = new OutOfMemoryError("Java heap space");
        synthetic.setStackTrace(new StackTraceElement[] {
                new StackTraceElement("dev.scratchnet.backend.Matrix", "<init>", "Matrix.java", 15),
                new StackTraceElement("dev.scratchnet.random.NumpyRandom", "randn", "NumpyRandom.java", 62)});
        assertTrue(Main.outOfMemory(synthetic).startsWith("out of memory (Java heap space) allocating a Matrix in NumpyRandom.randn: "
                + "Java's heap limit is "), Main.outOfMemory(synthetic));
    }

    @Test
    void kernelsBenchRefusesRowsBelowOneWithAMessage() {
        assertEquals("scratchnet: --rows -1 --cols 1024: the memory-bound ops' tensors need at least 1 row and 1 column",
                refused("kernels", "bench", "--backend", "cpu", "--op", "memory", "--rows", "-1"));
    }

    // ---- bad data is refused, not learned ---------------------------------------------------

    @Test
    void damagedGzipAndJunkAfterTheLastRecordAreRefused(@TempDir Path dir) throws IOException {
        Path images = idx(dir, "images.idx.gz", 0x803, new int[] {20, 2, 2}, new byte[80], true);
        Path labels = idx(dir, "labels.idx", 0x801, new int[] {20}, labels(20), false);
        byte[] gz = Files.readAllBytes(images);
        Path crc = dir.resolve("crc.gz");
        byte[] c = gz.clone();
        c[c.length - 8] ^= 1;
        Files.write(crc, c);
        String e = refused("train", "--data", "idx:" + crc + "," + labels, "--backend", "cpu");
        assertTrue(e.matches("scratchnet: " + java.util.regex.Pattern.quote(crc.toString())
                + ": damaged gzip data: CRC-32 mismatch \\(the trailer says [0-9a-f]{8}, the data gives [0-9a-f]{8}\\)"), e);
        Path cut = dir.resolve("cut.gz");
        Files.write(cut, java.util.Arrays.copyOf(gz, gz.length - 8));
        assertEquals("scratchnet: " + cut + ": damaged gzip data: the file ends inside the gzip trailer (cut off)",
                refused("train", "--data", "idx:" + cut + "," + labels, "--backend", "cpu"));
        Path junk = dir.resolve("junk.idx");
        byte[] plain = new byte[16 + 80 + 8];
        ByteBuffer.wrap(plain).putInt(0x803).putInt(20).putInt(2).putInt(2);
        Files.write(junk, plain);
        assertEquals("scratchnet: " + junk + ": 8 bytes after the last image (the header claims 20 images of 2×2 pixels)",
                refused("train", "--data", "idx:" + junk + "," + labels, "--backend", "cpu"));
        Path junkGz = dir.resolve("junk.gz");
        byte[] j = java.util.Arrays.copyOf(gz, gz.length + 3);
        Files.write(junkGz, j);
        assertEquals("scratchnet: " + junkGz + ": damaged gzip data: junk after the end of the gzip stream (at byte " + gz.length + ")",
                refused("train", "--data", "idx:" + junkGz + "," + labels, "--backend", "cpu"));
    }

    @Test
    void aLabelOutsideTheClassesIsRefusedUnlessTheCountIsDeclared(@TempDir Path dir) throws IOException {
        Path images = idx(dir, "images.idx", 0x803, new int[] {30, 2, 2}, new byte[120], false);
        byte[] l = labels(30);
        l[16] = (byte) 255;
        Path labels = idx(dir, "labels.idx", 0x801, new int[] {30}, l, false);
        assertEquals("scratchnet: " + labels + ": labels 0..9, and 255 at record 17 (no 10): a damaged label? "
                        + "If the data really has 256 classes, say so with --classes 256",
                refused("train", "--data", "idx:" + images + "," + labels, "--backend", "cpu"));
        Object[] r = run("train", "--data", "idx:" + images + "," + labels, "--classes", "256", "--backend", "cpu", "--epochs", "1");
        assertEquals(0, r[0], (String) r[2]);
        assertTrue(((String) r[1]).contains("784") || ((String) r[1]).contains("256 classes"), (String) r[1]);
        assertEquals("scratchnet: " + labels + ": label 255 at record 17 is outside 0..9 (--classes 10)",
                refused("train", "--data", "idx:" + images + "," + labels, "--classes", "10", "--backend", "cpu"));
    }

    @Test
    void trainAndTestLabelsAreCheckedTogetherBeforeTraining(@TempDir Path dir) throws IOException {
        Path images = idx(dir, "images.idx", 0x803, new int[] {30, 2, 2}, new byte[120], false);
        byte[] five = new byte[30];
        for (int i = 0; i < 30; i++) {
            five[i] = (byte) (i % 5);
        }
        Path ten = idx(dir, "ten.idx", 0x801, new int[] {30}, labels(30), false);
        Path fewer = idx(dir, "five.idx", 0x801, new int[] {30}, five, false);
        // a test set using fewer classes than the training set is fine: it trains and reports on 10 classes
        Object[] r = run("train", "--data", "idx:" + images + "," + ten + "," + images + "," + fewer, "--backend", "cpu", "--epochs", "1");
        assertEquals(0, r[0], (String) r[2]);
        assertTrue(((String) r[1]).contains("10 classes"), (String) r[1]);
        // a test set with a class the training set lacks is refused before training, naming the test label
        r = run("train", "--data", "idx:" + images + "," + fewer + "," + images + "," + ten, "--backend", "cpu", "--epochs", "1");
        assertEquals(1, r[0]);
        assertEquals("scratchnet: " + ten + ": label 5 at record 6 is outside the 5 classes (0..4) of the training labels " + fewer + "\n", r[2]);
        assertFalse(((String) r[1]).contains("network:"), "refused before the network was built: " + r[1]);
    }

    @Test
    void optionsAcceptedSilentlyBeforeAreRefused(@TempDir Path dir) {
        assertEquals("scratchnet: --hidden names no widths: give one or more, e.g. --hidden 64 or --hidden 256,128",
                refused("train", "--data", "xor", "--hidden", ",,", "--backend", "cpu"));
        assertEquals("scratchnet: optimizer 'adam:0.5': adam takes no value after ':' (its betas are 0.9 and 0.999, epsilon 1e-8)",
                refused("train", "--data", "xor", "--optimizer", "adam:0.5", "--backend", "cpu"));
        assertEquals("scratchnet: optimizer 'momentum:NaN': the value after ':' is not a number",
                refused("train", "--data", "xor", "--optimizer", "momentum:NaN", "--backend", "cpu"));
        assertEquals("scratchnet: --data moons:100:-1: noise -1 must be a finite standard deviation of at least 0",
                refused("train", "--data", "moons:100:-1", "--backend", "cpu"));
        assertEquals("scratchnet: --data moons:100:NaN: noise NaN must be a finite standard deviation of at least 0",
                refused("train", "--data", "moons:100:NaN", "--backend", "cpu"));
        assertEquals("scratchnet: --data moons:100:0.1:extra: moons takes at most N and NOISE (moons:N:NOISE), got 3 fields",
                refused("train", "--data", "moons:100:0.1:extra", "--backend", "cpu"));
        assertEquals("scratchnet: --data xor:5: xor takes no parameters", refused("train", "--data", "xor:5", "--backend", "cpu"));
        assertEquals("scratchnet: --data digits:foo: digits takes no parameters", refused("train", "--data", "digits:foo", "--backend", "cpu"));
        assertEquals("scratchnet: --device 3: the cpu backend has one device, 0",
                refused("train", "--data", "xor", "--device", "3", "--backend", "cpu"));
        assertEquals("scratchnet: --kernels " + dir + ": the cpu backend has no kernel sources to load (its kernels are Java code); "
                + "use --backend opencl or cuda", refused("train", "--data", "xor", "--kernels", dir.toString(), "--backend", "cpu"));
        assertEquals("scratchnet: --seed 4294967296: must be between 0 and 4294967295 (2^32 − 1), as NumPy's",
                refused("train", "--data", "xor", "--seed", "4294967296", "--backend", "cpu"));
    }

    @Test
    void aDeviceNumberTheChosenBackendLacksIsRefused() {
        boolean opencl = Backends.probe("opencl").available;
        String e = refused("train", "--data", "xor", "--device", "7", "--backend", "opencl");
        assertTrue(opencl ? e.startsWith("scratchnet: OpenCL device 7 does not exist") : e.startsWith("scratchnet: the opencl backend cannot run here"), e);
    }

    @Test
    void aBadScratchnetBackendIsRefusedByDevices() throws Exception {
        Object[] r = child(List.of(), Map.of("SCRATCHNET_BACKEND", "garbage"), "devices");
        assertEquals(1, r[0], r[1] + " " + r[2]);
        assertEquals("scratchnet: unknown backend SCRATCHNET_BACKEND='garbage': expected auto, cpu, opencl or cuda\n", r[2]);
    }

    @Test
    void everySeedTheHelpAllowsWorksAndOrdinarySeedsShuffleAsBefore() {
        Object[] r = run("train", "--data", "xor", "--seed", "4294967295", "--backend", "cpu", "--epochs", "2");
        assertEquals(0, r[0], (String) r[2]);
        assertEquals(1, TrainCommand.shuffleSeed(0));
        assertEquals(43, TrainCommand.shuffleSeed(42));
        assertEquals(0, TrainCommand.shuffleSeed(4294967295L));
    }

    @Test
    void hugeInitialWeightsAreBlamedNotTheLearningRate() {
        assertEquals("scratchnet: the untrained network's outputs are already NaN on the first 4 training rows, before any update: "
                        + "the initial weights (--init normal:1e300) are too large for these layers; use a smaller standard deviation, he or xavier",
                refused("train", "--data", "xor", "--init", "normal:1e300", "--backend", "cpu"));
    }

    @Test
    void divergenceCountsEpochsFromOneAsTheProgressLinesDo() {
        Object[] r = run("train", "--data", "moons:200", "--lr", "1e30", "--optimizer", "sgd", "--backend", "cpu", "--epochs", "20");
        assertEquals(1, r[0]);
        String err = ((String) r[2]).strip();
        assertTrue(err.matches("scratchnet: the training loss became (NaN|Infinity) at epoch \\d+ \\(learning rate 1\\.0E30, fp32\\): lower the learning rate"), err);
        int epoch = Integer.parseInt(err.replaceAll(".* at epoch (\\d+) .*", "$1"));
        long printed = ((String) r[1]).lines().filter(l -> l.startsWith("epoch ")).count();
        assertEquals(printed + 1, epoch, "the failing epoch is the one after the last printed: " + r[1]);
    }

    @Test
    void theXorNoteSuggestsOnlyASettingNotInUseThatWorksWithTheOthers() {
        Object[] r = run("workshop", "xor-scratch", "--lr", "1e6", "--hidden", "8", "--backend", "cpu");
        assertEquals(0, r[0], (String) r[2]);
        String note = ((String) r[1]).lines().filter(l -> l.startsWith("note: ")).findFirst().orElseThrow();
        assertFalse(note.endsWith("--hidden 8 learns it (100%)"), note);
        assertTrue(note.endsWith("learn it (100%): drop --lr 1000000.0"), note);
    }

    // ---- the bare machine -----------------------------------------------------------------

    @Test
    void devicesReportsPhysicalMemoryAndTheHeapLimitApart() {
        Object[] r = run("devices");
        String cpu = ((String) r[1]).lines().filter(l -> l.startsWith("    cpu #0")).findFirst().orElseThrow();
        assertTrue(cpu.contains(Backends.gib(Backends.physicalMemory())), cpu);
        assertTrue(cpu.contains("Java heap limit " + Backends.gib(Runtime.getRuntime().maxMemory()) + " (-Xmx)"), cpu);
    }

    @Test
    void nothingNativeWritesToStandardOutput() throws Exception {
        Object[] r = child(List.of(), Map.of("SCRATCHNET_BACKEND", ""), "devices");
        assertEquals(0, r[0], r[1] + " " + r[2]);
        for (String line : ((String) r[1]).lines().toList()) {
            assertTrue(line.matches("(cpu|opencl|cuda) +(available|unavailable) .*|    (cpu|opencl|cuda) #\\d+ .*|auto chooses: .*"
                            + "|        matmul parameters \\((fp32|fp64)\\): .*|        note: .*tuning.*"),
                    "a line devices does not print: " + line);
        }
        NativeLibrary.Lookup loader = NativeLibrary.find("libOpenCL.so.1");
        String opencl = ((String) r[1]).lines().filter(l -> l.startsWith("opencl ")).findFirst().orElseThrow();
        if (!loader.usable()) {
            assertTrue(opencl.startsWith("opencl  unavailable  " + loader.reason() + " (install ocl-icd-libopencl1 and pocl-opencl-icd"), opencl);
        }
    }
}
