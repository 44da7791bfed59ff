package dev.scratchnet.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Generated malformed inputs for every reader of a file format or spec: IDX images and labels
 * (plain and gzipped), the digits CSV (plain and gzipped), and the {@code --data} parser. Each
 * generator starts from a valid input and damages it (a flipped, dropped, inserted or overwritten
 * byte, a cut, junk at the end, a header field set to an extreme) with a seeded random stream, so a
 * failure names a seed that reproduces it. Every case must end in a value (where the damage left
 * the input valid) or an {@link IllegalArgumentException} with a one-line message: never another
 * exception type, never a hang, never an OutOfMemoryError.
 *
 * <p>These are property tests written without a property-testing library: jqwik 1.10.1, the
 * project's first choice, prints on every run a message telling AI agents not to use it, so this
 * project, written by such agents, does not (docs/DESIGN.md, "Malformed input").
 */
class MalformedInputTest {
    static final int CASES = 400;

    /** One seeded case: its seed and the damaged bytes. */
    record Case(long seed, String damage, byte[] bytes) {
    }

    static byte[] idxImages(int n, int rows, int cols, SplittableRandom r) {
        ByteBuffer b = ByteBuffer.allocate(16 + n * rows * cols);
        b.putInt(0x803).putInt(n).putInt(rows).putInt(cols);
        for (int i = 0; i < n * rows * cols; i++) {
            b.put((byte) r.nextInt(256));
        }
        return b.array();
    }

    static byte[] idxLabels(int n, int classes, SplittableRandom r) {
        ByteBuffer b = ByteBuffer.allocate(8 + n);
        b.putInt(0x801).putInt(n);
        for (int i = 0; i < n; i++) {
            b.put((byte) (i < classes ? i : r.nextInt(classes)));
        }
        return b.array();
    }

    static byte[] gzip(byte[] plain) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(plain);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] digitsCsv(int rows, SplittableRandom r) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < Digits.FEATURES; j++) {
                sb.append(r.nextInt(17)).append(".0,");
            }
            sb.append(r.nextInt(10)).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Damages {@code valid} in one to three random ways; a header field may be set to an extreme. */
    static Case damage(long seed, byte[] valid, int headerBytes) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] b = valid.clone();
        List<String> done = new ArrayList<>();
        int steps = 1 + r.nextInt(3);
        for (int s = 0; s < steps; s++) {
            int kind = r.nextInt(7);
            if (b.length == 0) {
                kind = 3;
            }
            int at = b.length == 0 ? 0 : r.nextInt(b.length);
            switch (kind) {
                case 0: // flip bits
                    b[at] ^= (byte) (1 + r.nextInt(255));
                    done.add("flip@" + at);
                    break;
                case 1: { // cut
                    b = java.util.Arrays.copyOf(b, at);
                    done.add("cut@" + at);
                    break;
                }
                case 2: { // drop a run
                    int len = Math.min(b.length - at, 1 + r.nextInt(16));
                    byte[] c = new byte[b.length - len];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + len, c, at, b.length - at - len);
                    b = c;
                    done.add("drop" + len + "@" + at);
                    break;
                }
                case 3: { // junk at the end
                    int len = 1 + r.nextInt(32);
                    byte[] c = java.util.Arrays.copyOf(b, b.length + len);
                    for (int i = b.length; i < c.length; i++) {
                        c[i] = (byte) r.nextInt(256);
                    }
                    b = c;
                    done.add("junk" + len);
                    break;
                }
                case 4: { // insert a byte
                    byte[] c = new byte[b.length + 1];
                    System.arraycopy(b, 0, c, 0, at);
                    c[at] = (byte) r.nextInt(256);
                    System.arraycopy(b, at, c, at + 1, b.length - at);
                    b = c;
                    done.add("insert@" + at);
                    break;
                }
                default: { // a header field set to an extreme
                    if (headerBytes >= 8 && b.length >= headerBytes) {
                        int field = 4 * r.nextInt(headerBytes / 4);
                        int[] extremes = {0, -1, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 2_000_000, 65536, 0x7fff};
                        ByteBuffer.wrap(b).putInt(field, extremes[r.nextInt(extremes.length)]);
                        done.add("header" + field);
                    } else {
                        b[at] = (byte) r.nextInt(256);
                        done.add("set@" + at);
                    }
                }
            }
        }
        return new Case(seed, String.join(",", done), b);
    }

    /** Runs {@code read} on every case: a value or a one-line IllegalArgumentException, nothing else. */
    static int check(String what, List<Case> cases, Function<Case, Object> read) {
        int[] refused = {0};
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (Case c : cases) {
                try {
                    read.apply(c);
                } catch (IllegalArgumentException e) {
                    refused[0]++;
                    String m = e.getMessage();
                    if (m == null || m.isBlank() || m.contains("\n")) {
                        fail(what + " seed " + c.seed + " (" + c.damage + "): not a one-line message: " + m);
                    }
                } catch (Throwable t) {
                    throw new AssertionError(what + " seed " + c.seed + " (" + c.damage + "): " + t.getClass().getName() + ": "
                            + t.getMessage(), t);
                }
            }
        }, what + ": a case hung");
        return refused[0];
    }

    static Object readFile(Path dir, byte[] bytes, String name, Function<Path, Object> reader) {
        Path p = dir.resolve(name);
        try {
            Files.write(p, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return reader.apply(p);
    }

    @Test
    void damagedIdxImagesAreReadOrRefusedInOneLine(@TempDir Path dir) {
        byte[] valid = idxImages(5, 3, 4, new SplittableRandom(1));
        List<Case> plain = new ArrayList<>(), gz = new ArrayList<>();
        for (long seed = 0; seed < CASES; seed++) {
            plain.add(damage(seed, valid, 16));
            Case c = damage(seed, valid, 16);
            gz.add(seed % 2 == 0 ? new Case(seed, "gz(" + c.damage + ")", gzip(c.bytes)) : damage(seed, gzip(valid), 0));
        }
        int refused = check("IDX images", plain, c -> readFile(dir, c.bytes, "images.idx", Idx::readImages));
        int refusedGz = check("IDX images (gzip)", gz, c -> readFile(dir, c.bytes, "images.idx.gz", Idx::readImages));
        assertTrue(refused > CASES * 9 / 10 && refusedGz > CASES * 9 / 10, "most damage must be refused: " + refused + ", " + refusedGz);
    }

    @Test
    void damagedIdxLabelsAreReadOrRefusedInOneLine(@TempDir Path dir) {
        byte[] valid = idxLabels(30, 10, new SplittableRandom(2));
        List<Case> plain = new ArrayList<>(), gz = new ArrayList<>();
        for (long seed = 0; seed < CASES; seed++) {
            plain.add(damage(seed, valid, 8));
            Case c = damage(seed, valid, 8);
            gz.add(seed % 2 == 0 ? new Case(seed, "gz(" + c.damage + ")", gzip(c.bytes)) : damage(seed, gzip(valid), 0));
        }
        Function<Path, Object> load = p -> Labels.classCount(Idx.readLabels(p), null, p.toString());
        int refused = check("IDX labels", plain, c -> readFile(dir, c.bytes, "labels.idx", load));
        int refusedGz = check("IDX labels (gzip)", gz, c -> readFile(dir, c.bytes, "labels.idx.gz", load));
        assertTrue(refused > CASES / 2 && refusedGz > CASES / 2, "most damage must be refused: " + refused + ", " + refusedGz);
    }

    @Test
    void everyGzipDamageToTheTrailerOrAfterItIsRefused(@TempDir Path dir) {
        byte[] valid = idxLabels(30, 10, new SplittableRandom(3));
        byte[] gz = gzip(valid);
        List<Case> cases = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            cases.add(new Case(i, "cut " + i + " trailer bytes", java.util.Arrays.copyOf(gz, gz.length - i)));
            byte[] flipped = gz.clone();
            flipped[gz.length - i] ^= 0x40;
            cases.add(new Case(i, "trailer byte " + i + " from the end flipped", flipped));
            byte[] junk = java.util.Arrays.copyOf(gz, gz.length + i);
            cases.add(new Case(i, i + " zero bytes after the trailer", junk));
        }
        for (Case c : cases) {
            Path p = dir.resolve("t.gz");
            try {
                Files.write(p, c.bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                Idx.readLabels(p);
                fail(c.damage + ": read without complaint");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage().startsWith(p + ": damaged gzip data: "), c.damage + ": " + e.getMessage());
            }
        }
    }

    @Test
    void damagedDigitsCsvIsReadOrRefusedInOneLine() {
        byte[] valid = digitsCsv(6, new SplittableRandom(4));
        List<Case> cases = new ArrayList<>();
        for (long seed = 0; seed < CASES; seed++) {
            Case c = damage(seed, valid, 0);
            cases.add(seed % 3 == 0 ? new Case(seed, "gz(" + c.damage + ")", gzip(c.bytes))
                    : seed % 3 == 1 ? damage(seed, gzip(valid), 0) : c);
        }
        int refused = check("digits CSV", cases, c -> {
            try (InputStream in = new java.io.ByteArrayInputStream(c.bytes)) {
                return Digits.parse(in, "digits.csv");
            } catch (GzipInput.BadGzipException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertTrue(refused > CASES / 2, "most damage must be refused: " + refused);
    }

    @Test
    void generatedDataSpecsParseOrAreRefusedInOneLine() {
        String[] parts = {"xor", "moons", "digits", "idx", "fashion-mnist", "", ":", "::", ",", ",,", "100", "-1", "NaN", "Infinity",
                "0.1", "1e309", "2147483647", "2147483648", "99999999999", " ", "\n", "extra", "a.gz", "0x10", "+5", "1_000", "é", "\u0000"};
        SplittableRandom r = new SplittableRandom(5);
        List<Case> cases = new ArrayList<>();
        for (long seed = 0; seed < 4 * CASES; seed++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + r.nextInt(5);
            for (int i = 0; i < n; i++) {
                sb.append(parts[r.nextInt(parts.length)]);
            }
            cases.add(new Case(seed, sb.toString(), sb.toString().getBytes(StandardCharsets.UTF_8)));
        }
        int refused = check("--data", cases, c -> DataSpec.parse(c.damage));
        assertTrue(refused > cases.size() / 2, "most generated specs must be refused: " + refused);
    }

    @Test
    void aValidFileStillReadsAfterTheHardening(@TempDir Path dir) throws IOException {
        byte[] images = idxImages(5, 3, 4, new SplittableRandom(1));
        Path p = dir.resolve("i.gz");
        // two gzip members, as `cat a.gz b.gz` makes: a valid gzip file
        byte[] gz = gzip(images);
        byte[] split1 = gzip(java.util.Arrays.copyOf(images, 20));
        byte[] split2 = gzip(java.util.Arrays.copyOfRange(images, 20, images.length));
        Files.write(p, gz);
        double[] whole = Idx.readImages(p).data();
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        two.write(split1);
        two.write(split2);
        Files.write(p, two.toByteArray());
        assertEquals(java.util.Arrays.toString(whole), java.util.Arrays.toString(Idx.readImages(p).data()));
        assertEquals((images[16] & 0xff) / 255.0, whole[0], 0.0);
    }
}
