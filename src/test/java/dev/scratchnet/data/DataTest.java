package dev.scratchnet.data;

import com.google.gson.JsonObject;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The notebooks' data, as scikit-learn 1.2 makes it (make_data_fixtures.py), and bad data files. */
class DataTest {
    private final JsonObject f = Fixtures.load("data_fixtures.json");

    @Test
    void makeMoonsMatchesScikitLearn() {
        for (String key : new String[] {"moons_300_0.2_42", "moons_101_0.05_3"}) {
            String[] parts = key.split("_");
            Dataset d = Moons.make(Integer.parseInt(parts[1]), Double.parseDouble(parts[2]), Long.parseLong(parts[3]));
            JsonObject e = f.getAsJsonObject(key);
            assertArrayEquals(Fixtures.ints(e.get("y")), d.labels(), key + " labels");
            Matrix x = Fixtures.matrix(e.get("X"));
            assertTrue(x.maxAbsDifference(d.features()) < 1e-15, key + " features differ by " + x.maxAbsDifference(d.features()));
        }
    }

    @Test
    void trainTestSplitMatchesScikitLearn() {
        TrainTestSplit.Indices s = TrainTestSplit.indices(300, 0.3, 42);
        JsonObject e = f.getAsJsonObject("moons_split_0.3_42");
        assertArrayEquals(Fixtures.ints(e.get("train")), s.train);
        assertArrayEquals(Fixtures.ints(e.get("test")), s.test);
    }

    @Test
    void stratifiedSplitMatchesScikitLearn() {
        Dataset digits = Digits.filter(Digits.load(), 0, 1);
        TrainTestSplit.Indices s = TrainTestSplit.stratifiedIndices(digits.labels(), 0.2, 42);
        JsonObject e = f.getAsJsonObject("digits01_stratified_0.2_42");
        assertArrayEquals(Fixtures.ints(e.get("train")), s.train);
        assertArrayEquals(Fixtures.ints(e.get("test")), s.test);

        JsonObject u = f.getAsJsonObject("uneven_stratified_0.5_5");
        TrainTestSplit.Indices t = TrainTestSplit.stratifiedIndices(Fixtures.ints(u.get("labels")), 0.5, 5);
        assertArrayEquals(Fixtures.ints(u.get("train")), t.train, "ties broken as _approximate_mode breaks them");
        assertArrayEquals(Fixtures.ints(u.get("test")), t.test);
    }

    @Test
    void standardScalerMatchesScikitLearnAndDividesAConstantColumnByOne() {
        Dataset digits = Digits.filter(Digits.load(), 0, 1);
        int[] train = Fixtures.ints(f.getAsJsonObject("digits01_stratified_0.2_42").get("train"));
        StandardScaler s = StandardScaler.fit(digits.features().selectRows(train));
        double[] mean = Fixtures.doubles(f.getAsJsonObject("digits01_scaler").get("mean"));
        double[] scale = Fixtures.doubles(f.getAsJsonObject("digits01_scaler").get("scale"));
        for (int j = 0; j < 64; j++) {
            assertEquals(mean[j], s.mean()[j], 1e-13 * Math.max(1, Math.abs(mean[j])), "mean " + j);
            assertEquals(scale[j], s.scale()[j], 1e-13 * Math.max(1, scale[j]), "scale " + j);
        }
        assertEquals(1.0, s.scale()[0], 0.0, "pixel 0 is always 0 for digits 0 and 1");
        Matrix back = s.inverseTransform(s.transform(digits.features()));
        assertTrue(back.maxAbsDifference(digits.features()) < 1e-12);
    }

    @Test
    void digitsLoadWithTheirLabels() {
        Dataset all = Digits.load();
        assertEquals(1797, all.size());
        assertEquals(64, all.featureCount());
        Dataset zeroOne = Digits.filter(all, 0, 1);
        assertArrayEquals(new int[] {178, 182}, zeroOne.classCounts());
    }

    @Test
    void aDigitsRowWith63ColumnsIsNamed() {
        String csv = "0,".repeat(64) + "3\n" + "1,".repeat(62) + "1,7\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Digits.parse(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), "bad.csv"));
        assertEquals("bad.csv line 2: 64 columns, expected 65 (64 pixels and a label)", e.getMessage());
        String notNumber = "0,".repeat(10) + "x," + "0,".repeat(53) + "1\n";
        e = assertThrows(IllegalArgumentException.class,
                () -> Digits.parse(new ByteArrayInputStream(notNumber.getBytes(StandardCharsets.UTF_8)), "nan.csv"));
        assertEquals("nan.csv line 1, column 11: 'x' is not a finite number", e.getMessage());
    }

    @Test
    void idxFilesReadAndTruncatedOnesAreNamed(@TempDir Path dir) throws IOException {
        Path images = dir.resolve("images.idx.gz");
        Path labels = dir.resolve("labels.idx");
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(images)))) {
            out.writeInt(0x803);
            out.writeInt(3);
            out.writeInt(2);
            out.writeInt(2);
            out.write(new byte[] {0, (byte) 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8});
        }
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(labels))) {
            out.writeInt(0x801);
            out.writeInt(3);
            out.write(new byte[] {7, 0, 9});
        }
        Dataset d = Idx.load(images, labels, "tiny", 10);
        assertEquals(3, d.size());
        assertEquals(4, d.featureCount());
        assertEquals(1.0, d.features().get(0, 1), 0.0);
        assertEquals(0.2, d.features().get(0, 2), 1e-15);
        assertArrayEquals(new int[] {7, 0, 9}, d.labels());

        Path truncated = dir.resolve("truncated.idx");
        try (OutputStream out = Files.newOutputStream(truncated)) {
            out.write(Files.readAllBytes(labels), 0, 8 + 2);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Idx.readLabels(truncated));
        assertEquals(truncated + ": the header claims 3 labels (3 bytes), but the file holds 2 bytes after the header (2 whole labels)",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Idx.readImages(labels));
        assertTrue(e.getMessage().contains("IDX magic 0x00000801, expected 0x00000803"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Idx.readImages(dir.resolve("missing")));
        assertTrue(e.getMessage().endsWith("missing: no such file"), e.getMessage());
    }

    @Test
    void nanInFeaturesIsRejectedWithItsPosition() {
        Matrix x = Matrix.of(new double[] {0, 1}, new double[] {Double.NaN, 2});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Dataset("toy", x, new int[] {0, 1}, 2));
        assertEquals("toy features has NaN at row 1, column 0: inputs must be finite numbers", e.getMessage());
    }
}
