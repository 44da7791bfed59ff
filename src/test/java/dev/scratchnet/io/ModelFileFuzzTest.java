package dev.scratchnet.io;

import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.nn.History;
import dev.scratchnet.nn.TrainingState;
import dev.scratchnet.random.NumpyRandom;
import com.google.gson.JsonObject;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Generated malformed safetensors, .npy, .npz (zip) and checkpoint files: whatever the bytes,
 * reading either succeeds or fails with one {@link ModelFormatException} line; never another
 * exception type, never an OutOfMemoryError (sizes are checked against the file before anything
 * is allocated).
 *
 * <p>Property tests without a property-testing library (see MalformedInputTest for why not jqwik):
 * each case is drawn from a {@link SplittableRandom} seeded with its number, so a failure names the
 * seed that reproduces it.
 */
class ModelFileFuzzTest {
    private static Path dir;
    private static byte[] validSafetensors;
    private static byte[] validNpz;
    private static byte[] validNpy;
    private static byte[] validCheckpoint;

    @BeforeAll
    static void makeValidFiles() throws IOException {
        dir = Files.createTempDirectory("scratchnet-fuzz");
        SavedModel m = ModelFileTest.model(Precision.FP32);
        ModelFile.write(dir.resolve("valid.safetensors"), m);
        ModelFile.write(dir.resolve("valid.npz"), m);
        validSafetensors = Files.readAllBytes(dir.resolve("valid.safetensors"));
        validNpz = Files.readAllBytes(dir.resolve("valid.npz"));
        validNpy = Npy.toBytes(NdArray.ofFloats(NdArray.DType.F64, new long[] {2, 3}, new double[] {1, 2, 3, 4, 5, 6}));
        History h = History.restore(List.of(0.5), List.of(0.75), List.of(), List.of(), List.of(0.6), List.of(0.7), List.of(1.0),
                List.of(0.001), 1.0, -1, false);
        Map<String, Matrix> opt = new LinkedHashMap<>();
        for (int l = 0; l < 2; l++) {
            opt.put("W" + (l + 1) + ".0", m.weights.get(l));
            opt.put("b" + (l + 1) + ".0", m.biases.get(l));
        }
        TrainingState s = new TrainingState(1, 0, new NumpyRandom(3).state(), null, h, m.weights, m.biases, 4, opt,
                Double.POSITIVE_INFINITY, 0, null, null);
        Path ck = Checkpoint.write(dir.resolve("ck"), s, m, new JsonObject(), 1);
        validCheckpoint = Files.readAllBytes(ck);
    }

    @AfterAll
    static void removeFiles() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** One change to a valid file. */
    static final class Mutation {
        final int kind;
        final int position;
        final byte[] bytes;
        final long number;

        Mutation(int kind, int position, byte[] bytes, long number) {
            this.kind = kind;
            this.position = position;
            this.bytes = bytes;
            this.number = number;
        }

        byte[] apply(byte[] valid) {
            int at = Math.floorMod(position, valid.length);
            switch (kind) {
                case 0: {   // overwrite bytes
                    byte[] b = valid.clone();
                    for (int i = 0; i < bytes.length && at + i < b.length; i++) {
                        b[at + i] = bytes[i];
                    }
                    return b;
                }
                case 1:     // cut off
                    return java.util.Arrays.copyOf(valid, at);
                case 2: {   // insert bytes
                    byte[] b = new byte[valid.length + bytes.length];
                    System.arraycopy(valid, 0, b, 0, at);
                    System.arraycopy(bytes, 0, b, at, bytes.length);
                    System.arraycopy(valid, at, b, at + bytes.length, valid.length - at);
                    return b;
                }
                case 3: {   // a little-endian 8-byte number written somewhere (the header length, a size field, ...)
                    if (valid.length < 8) {
                        return valid;
                    }
                    byte[] b = valid.clone();
                    int p = number % 3 == 0 ? 0 : at;
                    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(Math.min(p, Math.max(0, b.length - 8)), number);
                    return b;
                }
                default: {  // a number in the text replaced (JSON offsets and shapes, the .npy shape tuple)
                    String text = new String(valid, StandardCharsets.ISO_8859_1);
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\d+").matcher(text);
                    int count = 0;
                    while (m.find()) {
                        count++;
                    }
                    if (count == 0) {
                        return valid;
                    }
                    int target = Math.floorMod(position, count);
                    m.reset();
                    for (int i = 0; i <= target; i++) {
                        m.find();
                    }
                    String replacement = number % 4 == 0 ? "-" + Math.abs(number % 1000) : Long.toString(Math.abs(number % (1L << 50)));
                    return (text.substring(0, m.start()) + replacement + text.substring(m.end())).getBytes(StandardCharsets.ISO_8859_1);
                }
            }
        }

        @Override
        public String toString() {
            return "Mutation(kind " + kind + ", at " + position + ", " + bytes.length + " bytes, number " + number + ")";
        }
    }

    private static final long[] EXTREMES = {1L << 40, -1L, 0L, Long.MAX_VALUE, 1L << 31, 100L << 20};

    /** One to four random changes, drawn from {@code r}. */
    static List<Mutation> mutations(SplittableRandom r) {
        int n = 1 + r.nextInt(4);
        List<Mutation> ms = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] bytes = new byte[1 + r.nextInt(9)];
            for (int j = 0; j < bytes.length; j++) {
                bytes[j] = (byte) r.nextInt(256);
            }
            long number = r.nextBoolean() ? r.nextLong() : EXTREMES[r.nextInt(EXTREMES.length)];
            ms.add(new Mutation(r.nextInt(5), r.nextInt(), bytes, number));
        }
        return ms;
    }

    static byte[] randomBytes(SplittableRandom r, int maxLength) {
        byte[] b = new byte[r.nextInt(maxLength + 1)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    /** Runs {@code check} for seeds 0..tries-1; a failure names its seed. */
    private static void forSeeds(int tries, Consumer<SplittableRandom> check) {
        for (long seed = 0; seed < tries; seed++) {
            try {
                check.accept(new SplittableRandom(seed));
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    private static byte[] mutate(byte[] valid, List<Mutation> ms) {
        byte[] b = valid;
        for (Mutation m : ms) {
            if (b.length == 0) {
                break;
            }
            b = m.apply(b);
        }
        return b;
    }

    /** Runs {@code read}: success, or one line of ModelFormatException; anything else fails the property. */
    private static void oneLineOrSuccess(Supplier<Object> read) {
        try {
            read.get();
        } catch (ModelFormatException e) {
            String m = e.getMessage();
            assertTrue(m != null && !m.isBlank(), "empty message");
            assertFalse(m.contains("\n") || m.contains("\r"), "more than one line: " + m);
        } catch (Throwable t) {
            fail("not a ModelFormatException: " + t, t);
        }
    }

    private static Path file(String ext, byte[] content) {
        try {
            Path f = Files.createTempFile(dir, "fuzz", ext);
            Files.write(f, content);
            return f;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void readAndDelete(String ext, byte[] content) {
        Path f = file(ext, content);
        try {
            oneLineOrSuccess(() -> ModelFile.read(f, w -> assertFalse(w.contains("\n"), w)));
        } finally {
            f.toFile().delete();
        }
    }

    @Test
    void mutatedSafetensorsAreReadOrRefusedInOneLine() {
        forSeeds(300, r -> readAndDelete(".safetensors", mutate(validSafetensors, mutations(r))));
    }

    @Test
    void mutatedNpzArchivesAreReadOrRefusedInOneLine() {
        forSeeds(300, r -> readAndDelete(".npz", mutate(validNpz, mutations(r))));
    }

    @Test
    void mutatedNpyStreamsAreReadOrRefusedInOneLine() {
        forSeeds(300, r -> {
            byte[] b = mutate(validNpy, mutations(r));
            oneLineOrSuccess(() -> Npy.read(new ByteArrayInputStream(b), b.length, "fuzz.npy"));
        });
    }

    @Test
    void mutatedCheckpointsAreReadOrRefusedInOneLine() {
        forSeeds(200, r -> mutatedCheckpointIsReadOrRefusedInOneLine(mutations(r)));
    }

    private static void mutatedCheckpointIsReadOrRefusedInOneLine(List<Mutation> ms) {
        Path d = dir.resolve("ck-" + System.nanoTime());
        Path f = d.resolve("checkpoint-000001-000000.safetensors");
        try {
            Files.createDirectories(d);
            Files.write(f, mutate(validCheckpoint, ms));
            oneLineOrSuccess(() -> Checkpoint.readLatest(d, null));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            f.toFile().delete();
            d.toFile().delete();
        }
    }

    @Test
    void arbitraryBytesAreRefusedInOneLine() {
        forSeeds(200, r -> arbitraryBytesAreRefusedInOneLine(randomBytes(r, 300), r.nextBoolean()));
    }

    private static void arbitraryBytesAreRefusedInOneLine(byte[] bytes, boolean zip) {
        byte[] b = bytes;
        if (zip && b.length >= 4) {
            b = b.clone();
            b[0] = 'P';
            b[1] = 'K';
            b[2] = 3;
            b[3] = 4;
        }
        readAndDelete(zip ? ".npz" : ".safetensors", b);
    }

    @Test
    void npzMembersOfAnyContentAreReadOrRefusedInOneLine() {
        forSeeds(200, r -> {
            try {
                npzMemberIsReadOrRefusedInOneLine(randomBytes(r, 200), r.nextBoolean());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private static void npzMemberIsReadOrRefusedInOneLine(byte[] member, boolean deflated) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(o)) {
            java.util.zip.ZipEntry e = new java.util.zip.ZipEntry("W1.npy");
            if (!deflated) {
                e.setMethod(java.util.zip.ZipEntry.STORED);
                e.setSize(member.length);
                java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                crc.update(member);
                e.setCrc(crc.getValue());
            }
            z.putNextEntry(e);
            z.write(member);
            z.closeEntry();
        }
        readAndDelete(".npz", o.toByteArray());
    }
}
