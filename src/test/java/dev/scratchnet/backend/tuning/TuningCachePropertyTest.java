package dev.scratchnet.backend.tuning;

import dev.scratchnet.backend.Precision;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tuning cache reader on generated malformed files: random bytes, and valid files with bytes
 * flipped, cut, inserted or fields replaced. It never throws; it either finds parameters that are
 * legal configurations of their space, or gives one line saying why it ignored the file.
 */
class TuningCachePropertyTest {
    private static Path dir;
    private static String valid;

    @BeforeContainer
    static void writeAValidFile() throws IOException {
        dir = Files.createTempDirectory("tuning-property");
        Path f = TuningCacheTest.store(dir, TuningCacheTest.KEY, Precision.FP32, TuningCacheTest.tuned());
        TuningCache.store(dir, TuningCacheTest.KEY, TuningCacheTest::space,
                Map.of(Precision.FP64, Map.of("tiled", dev.scratchnet.backend.opencl.OpenClTuning.TILED.defaults().with("TS", 8))), List.of());
        valid = Files.readString(f, StandardCharsets.UTF_8);
    }

    @AfterContainer
    static void removeIt() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Property(tries = 300)
    void randomBytesAreIgnoredWithOneLine(@ForAll("bytes") byte[] content) throws IOException {
        assertReadSafely(content);
    }

    @Property(tries = 600)
    void mutatedValidFilesAreUsedOnlyWhenStillValid(@ForAll("mutations") byte[] content) throws IOException {
        assertReadSafely(content);
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(4096);
    }

    @Provide
    Arbitrary<byte[]> mutations() {
        byte[] v = valid.getBytes(StandardCharsets.UTF_8);
        Arbitrary<Integer> at = Arbitraries.integers().between(0, v.length - 1);
        Arbitrary<byte[]> flipped = Arbitraries.integers().between(0, 255).list().ofMinSize(1).ofMaxSize(4)
                .flatMap(values -> at.list().ofSize(values.size()).map(positions -> {
                    byte[] c = v.clone();
                    for (int i = 0; i < values.size(); i++) {
                        c[positions.get(i)] = (byte) (int) values.get(i);
                    }
                    return c;
                }));
        Arbitrary<byte[]> cut = at.map(n -> java.util.Arrays.copyOf(v, n));
        Arbitrary<byte[]> inserted = Arbitraries.of("{", "}", "[", "]", ",", ":", "\"", "null", "-1", "1e999", "0.5", "\"x\"", "true",
                "{\"BM\": 64}", "\u00e9", "\\u0000").flatMap(s -> at.map(n -> {
            String t = new String(v, 0, n, StandardCharsets.UTF_8) + s + new String(v, n, v.length - n, StandardCharsets.UTF_8);
            return t.getBytes(StandardCharsets.UTF_8);
        }));
        Arbitrary<byte[]> numbers = Arbitraries.of("16", "128", "2", "32", "8", "1", "0", "3", "-64", "4096", "2147483648", "1.0", "null")
                .flatMap(r -> Arbitraries.of("\"BM\": 16", "\"BN\": 128", "\"TM\": 2", "\"TN\": 32", "\"VW\": 8", "\"LOCAL\": 0", "\"TS\": 8")
                        .map(field -> valid.replace(field, field.substring(0, field.indexOf(':') + 2) + r).getBytes(StandardCharsets.UTF_8)));
        return Arbitraries.oneOf(flipped, cut, inserted, numbers);
    }

    private static void assertReadSafely(byte[] content) throws IOException {
        Path file = dir.resolve(TuningCacheTest.KEY.fileName());
        Files.write(file, content);
        TuningCache.Loaded l = TuningCache.load(dir, TuningCacheTest.KEY, TuningCacheTest::space);
        assertNotNull(l);
        if (l.params.isEmpty()) {
            assertNotNull(l.note, "nothing used, so the user is told why");
            assertEquals(1, l.note.lines().count(), l.note);
        } else {
            assertNull(l.note);
            for (Map.Entry<Precision, Map<String, TileParams>> e : l.params.entrySet()) {
                for (Map.Entry<String, TileParams> v : e.getValue().entrySet()) {
                    TuningSpace space = TuningCacheTest.space(v.getKey());
                    assertNotNull(space, v.getKey());
                    assertNull(space.illegal(v.getValue()), "a parameter set that is not a configuration was used: " + v.getValue());
                }
            }
        }
        for (Precision p : Precision.values()) {
            assertTrue(l.origin(p).startsWith("tuned ") || l.origin(p).startsWith("defaults ("), l.origin(p));
        }
    }
}
