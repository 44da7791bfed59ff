package dev.scratchnet.backend.tuning;

import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.opencl.OpenClTuning;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tuning cache reader on generated malformed files: random bytes, and valid files with bytes
 * flipped, cut short, text inserted or a parameter's value replaced. Whatever the bytes it never
 * throws; it either uses parameters that are configurations of their space, or says in one line
 * why it ignored the file.
 *
 * <p>Property tests without a property-testing library, as the project's other fuzz tests (see
 * docs/DESIGN.md, "Malformed input", for why not jqwik): each case is drawn from a
 * {@link SplittableRandom} seeded with its number, so a failure names the seed that reproduces it.
 */
class TuningCacheFuzzTest {
    private static Path dir;
    private static String valid;
    private static final String[] INSERTS = {"{", "}", "[", "]", ",", ":", "\"", "null", "-1", "1e999", "0.5", "\"x\"", "true",
        "{\"BM\": 64}", "\u00e9", "\\u0000", "NaN", "Infinity"};
    private static final String[] FIELDS = {"\"BM\": 16", "\"BN\": 128", "\"TM\": 2", "\"TN\": 32", "\"VW\": 8", "\"LOCAL\": 0", "\"TS\": 8"};
    private static final String[] VALUES = {"16", "128", "2", "32", "8", "1", "0", "3", "-64", "4096", "2147483648", "1.0", "null",
        "\"16\"", "[16]", "1e1"};

    @BeforeAll
    static void writeAValidFile() throws IOException {
        dir = Files.createTempDirectory("tuning-fuzz");
        Path f = TuningCacheTest.store(dir, TuningCacheTest.KEY, Precision.FP32, TuningCacheTest.tuned());
        TuningCache.store(dir, TuningCacheTest.KEY, TuningCacheTest::space,
                Map.of(Precision.FP64, Map.of("tiled", OpenClTuning.TILED.defaults().with("TS", 8))), List.of());
        valid = Files.readString(f, StandardCharsets.UTF_8);
    }

    @AfterAll
    static void removeIt() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void randomBytesAreIgnoredWithOneLine() throws IOException {
        for (int seed = 0; seed < 300; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            byte[] b = new byte[r.nextInt(4097)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) r.nextInt(256);
            }
            assertReadSafely(b, "random bytes, seed " + seed);
        }
    }

    @Test
    void mutatedValidFilesAreUsedOnlyWhereTheyAreStillValid() throws IOException {
        byte[] v = valid.getBytes(StandardCharsets.UTF_8);
        int used = 0;
        for (int seed = 0; seed < 800; seed++) {
            SplittableRandom r = new SplittableRandom(1_000_000L + seed);
            byte[] c;
            String how;
            switch (seed % 4) {
                case 0:
                    c = v.clone();
                    for (int i = 1 + r.nextInt(4); i > 0; i--) {
                        c[r.nextInt(c.length)] = (byte) r.nextInt(256);
                    }
                    how = "bytes flipped";
                    break;
                case 1:
                    c = Arrays.copyOf(v, r.nextInt(v.length));
                    how = "cut short";
                    break;
                case 2: {
                    int at = r.nextInt(valid.length());
                    c = (valid.substring(0, at) + INSERTS[r.nextInt(INSERTS.length)] + valid.substring(at)).getBytes(StandardCharsets.UTF_8);
                    how = "text inserted";
                    break;
                }
                default: {
                    String field = FIELDS[r.nextInt(FIELDS.length)];
                    c = valid.replace(field, field.substring(0, field.indexOf(':') + 2) + VALUES[r.nextInt(VALUES.length)])
                            .getBytes(StandardCharsets.UTF_8);
                    how = "a value replaced";
                    break;
                }
            }
            if (assertReadSafely(c, how + ", seed " + (1_000_000L + seed))) {
                used++;
            }
        }
        assertTrue(used > 0 && used < 800, "some mutations leave a valid file, most do not: " + used + " of 800 used");
    }

    /** Reads {@code content} as the cache file; returns whether parameters were used. */
    private static boolean assertReadSafely(byte[] content, String what) throws IOException {
        Path file = dir.resolve(TuningCacheTest.KEY.fileName());
        Files.write(file, content);
        TuningCache.Loaded l = TuningCache.load(dir, TuningCacheTest.KEY, TuningCacheTest::space);
        assertNotNull(l, what);
        if (l.params.isEmpty()) {
            assertNotNull(l.note, what + ": nothing used, so the user is told why");
            assertEquals(1, l.note.lines().count(), what + ": " + l.note);
        } else {
            assertNull(l.note, what);
            for (Map.Entry<Precision, Map<String, TileParams>> e : l.params.entrySet()) {
                for (Map.Entry<String, TileParams> v : e.getValue().entrySet()) {
                    TuningSpace space = TuningCacheTest.space(v.getKey());
                    assertNotNull(space, what + ": " + v.getKey());
                    assertNull(space.illegal(v.getValue()), what + ": a parameter set that is not a configuration was used: " + v.getValue());
                }
            }
        }
        for (Precision p : Precision.values()) {
            assertTrue(l.origin(p).startsWith("tuned ") || l.origin(p).startsWith("defaults ("), what + ": " + l.origin(p));
        }
        return !l.params.isEmpty();
    }
}
