package dev.scratchnet.workshop;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.cli.Main;
import dev.scratchnet.io.ModelFile;
import dev.scratchnet.io.SavedModel;
import dev.scratchnet.nn.Network;
import dev.scratchnet.testing.TestBackends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every recipe's --save writes a model that reads back; the digits model predicts what the recipe printed. */
class WorkshopSaveTest {
    static String run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, status, out + "\n" + err);
        return out.toString();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"xor-scratch", "xor-multilayer", "xor-layers", "moons", "moons-gradcheck", "digits"})
    void saveWritesAModelThatReadsBack(String recipe, @TempDir Path dir) {
        Path f = dir.resolve(recipe + ".safetensors");
        String out = run("workshop", recipe, "--backend", "cpu", "--epochs", "3", "--save", f.toString());
        assertTrue(out.contains("wrote " + f), out);
        SavedModel m = ModelFile.read(f, w -> { throw new AssertionError(w); });
        assertEquals(recipe, m.info.get("recipe"));
        assertEquals(Precision.FP64, m.precision);
    }

    @Test
    void moonsInitSavesOneFilePerInitialisation(@TempDir Path dir) {
        run("workshop", "moons-init", "--backend", "cpu", "--epochs", "3", "--save", dir.resolve("m.npz").toString());
        for (String v : new String[] {"small", "xavier", "he"}) {
            assertTrue(Files.exists(dir.resolve("m-" + v + ".npz")), v);
        }
    }

    @Test
    void theSavedDigitsNetworkPredictsWhatTheRecipePrinted(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("digits.npz"), json = dir.resolve("digits.json");
        run("workshop", "digits", "--backend", "cpu", "--epochs", "200", "--save", f.toString(), "--json", json.toString());
        JsonObject o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        JsonArray probabilities = o.getAsJsonArray("probabilities");
        SavedModel m = ModelFile.read(f, null);
        assertArrayEquals(new String[] {"Digit 0", "Digit 1"}, m.classNames);
        WorkshopData.Digits01 data = WorkshopData.digits();
        // the model's normalisation applied to the raw pixels gives the recipe's scaled test rows
        Matrix raw = data.scaler.inverseTransform(data.test.features());
        Backend be = TestBackends.open("cpu");
        try (Network net = m.build(be, Precision.FP64)) {
            Matrix p = net.predict(m.normalise(raw));
            assertEquals(probabilities.size(), p.rows());
            for (int i = 0; i < p.rows(); i++) {
                assertEquals(probabilities.get(i).getAsDouble(), p.get(i, 0), 1e-12, "row " + i);
            }
        }
    }
}
