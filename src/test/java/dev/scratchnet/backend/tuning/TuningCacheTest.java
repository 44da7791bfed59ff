package dev.scratchnet.backend.tuning;

import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.opencl.OpenClTuning;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Storing, finding, and refusing stale or corrupted tuned parameters (no device needed). */
class TuningCacheTest {
    static final String SOURCES_A = "a".repeat(64);
    static final String SOURCES_B = "b".repeat(64);
    static final TuningKey KEY = new TuningKey("opencl", "Test Device 9000", "1.2.3", SOURCES_A);

    static TuningSpace space(String variant) {
        return variant.equals("regblock") ? OpenClTuning.REGBLOCK : variant.equals("tiled") ? OpenClTuning.TILED : null;
    }

    static TileParams tuned() {
        return OpenClTuning.REGBLOCK.defaults().with("LOCAL", 0).with("BM", 16).with("BN", 128).with("TM", 2).with("TN", 32).with("VW", 8);
    }

    static Path store(Path dir, TuningKey key, Precision p, TileParams regblock) {
        return TuningCache.store(dir, key, TuningCacheTest::space, Map.of(p, Map.of("regblock", regblock)),
                List.of(new TuningCache.Measured(p, "regblock", 1024, regblock, 30.5, 6.0, 15.9)));
    }

    @Test
    void storedParametersAreFoundForTheSameDeviceDriverAndSources(@TempDir Path dir) {
        Path file = store(dir, KEY, Precision.FP32, tuned());
        assertEquals(dir.resolve(KEY.fileName()), file);
        TuningCache.Loaded l = TuningCache.load(dir, KEY, TuningCacheTest::space);
        assertNull(l.note);
        assertEquals(tuned(), l.get(Precision.FP32, "regblock"));
        assertNull(l.get(Precision.FP64, "regblock"), "fp64 was not tuned");
        assertTrue(l.origin(Precision.FP32).startsWith("tuned ") && l.origin(Precision.FP32).contains(file.toString()), l.origin(Precision.FP32));
        assertTrue(l.origin(Precision.FP64).startsWith("defaults (") && l.origin(Precision.FP64).contains("no fp64 tuning"), l.origin(Precision.FP64));
    }

    @Test
    void anotherDriverIsAnotherFileAndNothingIsFound(@TempDir Path dir) {
        store(dir, KEY, Precision.FP32, tuned());
        TuningKey newDriver = new TuningKey("opencl", KEY.device, "1.2.4", SOURCES_A);
        TuningCache.Loaded l = TuningCache.load(dir, newDriver, TuningCacheTest::space);
        assertTrue(l.params.isEmpty());
        assertNull(l.note, "a device never tuned is not worth a note");
        assertTrue(l.origin(Precision.FP32).contains("not tuned on this device"), l.origin(Precision.FP32));
    }

    @Test
    void anEntryForOtherKernelSourcesIsIgnoredWithOneNote(@TempDir Path dir) {
        store(dir, KEY, Precision.FP32, tuned());
        TuningKey edited = new TuningKey(KEY.backend, KEY.device, KEY.driver, SOURCES_B);
        TuningCache.Loaded l = TuningCache.load(dir, edited, TuningCacheTest::space);
        assertTrue(l.params.isEmpty(), "stale parameters are not used");
        assertNotNull(l.note);
        assertEquals(1, l.note.lines().count(), l.note);
        assertTrue(l.note.contains("other kernel sources") && l.note.contains("using the default"), l.note);
        // tuning again for the new sources keeps the old entry beside the new one
        store(dir, edited, Precision.FP32, tuned().with("TM", 4));
        assertEquals(tuned().with("TM", 4), TuningCache.load(dir, edited, TuningCacheTest::space).get(Precision.FP32, "regblock"));
        assertEquals(tuned(), TuningCache.load(dir, KEY, TuningCacheTest::space).get(Precision.FP32, "regblock"));
    }

    @Test
    void storingAnotherPrecisionKeepsTheFirst(@TempDir Path dir) {
        store(dir, KEY, Precision.FP32, tuned());
        store(dir, KEY, Precision.FP64, tuned().with("VW", 4));
        TuningCache.Loaded l = TuningCache.load(dir, KEY, TuningCacheTest::space);
        assertEquals(tuned(), l.get(Precision.FP32, "regblock"));
        assertEquals(tuned().with("VW", 4), l.get(Precision.FP64, "regblock"));
    }

    @Test
    void atMostEightVersionsOfTheSourcesAreKept(@TempDir Path dir) throws IOException {
        for (int i = 0; i < 10; i++) {
            store(dir, new TuningKey(KEY.backend, KEY.device, KEY.driver, String.format("%064x", i)), Precision.FP32, tuned());
        }
        String text = Files.readString(dir.resolve(KEY.fileName()));
        assertEquals(TuningCache.MAX_ENTRIES, TuningCache.parse(text, KEY, TuningCacheTest::space).size());
        assertNotNull(TuningCache.load(dir, new TuningKey(KEY.backend, KEY.device, KEY.driver, String.format("%064x", 9)),
                TuningCacheTest::space).get(Precision.FP32, "regblock"), "the newest is kept");
    }

    @Test
    void corruptedFilesAreIgnoredWithOneLineAndReplacedByTheNextTuning(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(KEY.fileName());
        String valid = Files.readString(store(dir, KEY, Precision.FP32, tuned()));
        String[] broken = {
            "",                                                         // empty
            valid.substring(0, valid.length() / 2),                     // cut short
            valid + "garbage",                                          // trailing junk
            valid.replace("\"BM\": 16", "\"BM\": 12"),                  // not a legal value
            valid.replace("\"BM\": 16", "\"BM\": 16.5"),                // not a whole number
            valid.replace("\"BM\": 16", "\"BM\": \"16\""),              // not a number
            valid.replace("\"TM\": 2", "\"TM\": 32"),                   // TM larger than BM
            valid.replace("\"regblock\": {", "\"winograd\": {"),        // unknown variant
            valid.replace("\"fp32\"", "\"fp16\""),                      // unknown precision
            valid.replace(SOURCES_A, "not-a-hash"),
            valid.replace("\"Test Device 9000\"", "\"Other Device\""),  // another device's file
            valid.replace("scratchnet-tuning 1", "scratchnet-tuning 99"),
            "[1, 2, 3]",
            "{\"format\": \"scratchnet-tuning 1\"}",
            "[".repeat(100_000),                                        // deeply nested
        };
        for (String text : broken) {
            Files.writeString(file, text, StandardCharsets.UTF_8);
            TuningCache.Loaded l = TuningCache.load(dir, KEY, TuningCacheTest::space);
            String what = text.length() > 60 ? text.substring(0, 60) + "..." : text;
            assertTrue(l.params.isEmpty(), "used parameters from: " + what);
            assertNotNull(l.note, what);
            assertEquals(1, l.note.lines().count(), l.note);
            assertTrue(l.note.startsWith("note: ignoring the tuning cache " + file + ": "), l.note);
        }
        Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, 0x7b});
        assertTrue(TuningCache.load(dir, KEY, TuningCacheTest::space).note.contains("not UTF-8"));
        store(dir, KEY, Precision.FP32, tuned());
        assertEquals(tuned(), TuningCache.load(dir, KEY, TuningCacheTest::space).get(Precision.FP32, "regblock"),
                "tuning again replaces the corrupted file");
    }

    @Test
    void theCacheDirectoryIsThePropertyElseXdgElseHome() {
        String old = System.getProperty("scratchnet.tuning.cache");
        try {
            System.setProperty("scratchnet.tuning.cache", "/some/where");
            assertEquals(Path.of("/some/where"), TuningCache.directory());
            System.clearProperty("scratchnet.tuning.cache");
            String xdg = System.getenv("XDG_CACHE_HOME");
            Path expected = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
                    ? Path.of(xdg, "scratchnet", "tuning") : Path.of(System.getProperty("user.home"), ".cache", "scratchnet", "tuning");
            assertEquals(expected, TuningCache.directory());
        } finally {
            if (old == null) {
                System.clearProperty("scratchnet.tuning.cache");
            } else {
                System.setProperty("scratchnet.tuning.cache", old);
            }
        }
    }

    @Test
    void theFileNameIsSafeWhateverTheDeviceIsCalled() {
        for (String name : new String[] {"../../etc/passwd", "NVIDIA H100 80GB HBM3", "", "ünïcödé/\\:*?", "x".repeat(500)}) {
            String f = new TuningKey("cuda", name, "12.4", SOURCES_A).fileName();
            assertTrue(f.matches("cuda-[a-z0-9-]{1,48}-[0-9a-f]{12}\\.json"), f);
        }
    }
}
