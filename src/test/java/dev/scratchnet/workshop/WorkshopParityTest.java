package dev.scratchnet.workshop;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.testing.Fixtures;
import dev.scratchnet.testing.TestBackends;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every recipe, on every backend that can run here, in fp64, against the notebooks' own code run
 * by NumPy (make_notebook_fixtures.py), at the notebooks' settings and at others: every point of
 * every loss curve to 1e-9 relative, and predictions, accuracies, confusion matrix, classification
 * report and the digits picked for the grid exactly.
 */
class WorkshopParityTest {
    static final double LOSS_RELATIVE = 1e-9;
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String backend : TestBackends.NAMES) {
            for (JsonElement e : Fixtures.load("notebook_fixtures.json").getAsJsonArray("cases")) {
                JsonObject c = e.getAsJsonObject();
                out.add(Arguments.of(backend, c.get("recipe").getAsString(), c.getAsJsonObject("settings").toString(), c));
            }
        }
        return out.stream();
    }

    /** Runs a recipe as {@code scratchnet workshop NAME} would with the fixture's settings. */
    static Map<String, Object> run(Backend backend, JsonObject c, PrintWriter out) {
        JsonObject s = c.getAsJsonObject("settings");
        int[] hidden = null;
        if (s.has("hidden")) {
            hidden = new int[] {s.get("hidden").getAsInt()};
        } else if (s.has("sizes")) {
            int[] sizes = Fixtures.ints(s.get("sizes"));
            hidden = new int[] {sizes[1], sizes[2]};
        }
        RecipeSettings settings = new RecipeSettings(Precision.FP64, s.has("seed") ? s.get("seed").getAsLong() : null,
                s.has("lr") ? s.get("lr").getAsDouble() : null, s.has("epochs") ? s.get("epochs").getAsInt() : null, hidden);
        return Workshop.find(c.get("recipe").getAsString()).run(new RecipeContext(backend, settings, out, null));
    }

    @ParameterizedTest(name = "{0}: {1} {2}")
    @MethodSource("cases")
    void recipeReproducesTheNotebook(String backend, String recipe, String settings, JsonObject c) {
        Backend be = TestBackends.open(backend, Precision.FP64);
        Map<String, Object> got = run(be, c, new PrintWriter(new StringWriter()));
        JsonObject nb = c.getAsJsonObject("result");
        switch (recipe) {
            case "xor-scratch":
                assertCurve("train_loss", nb.get("train_loss"), got.get("train_loss"));
                assertArrayEquals(Fixtures.ints(nb.get("predictions")), (int[]) got.get("predictions"));
                assertEquals(nb.get("accuracy").getAsDouble(), (double) got.get("train_accuracy"), 0.0);
                break;
            case "xor-multilayer":
                assertCurve("train_loss", nb.get("train_loss"), got.get("train_loss"));
                assertCurve("train_accuracy", nb.get("train_accuracy"), got.get("train_accuracy_curve"));
                assertArrayEquals(Fixtures.ints(nb.get("predictions")), (int[]) got.get("predictions"));
                break;
            case "xor-layers":
                assertCurve("train_loss", nb.get("train_loss"), got.get("train_loss"));
                assertCurve("outputs", nb.get("outputs"), got.get("outputs"));
                assertEquals(nb.get("accuracy").getAsDouble(), (double) got.get("train_accuracy"), 0.0);
                break;
            case "moons":
                assertCurve("train_loss", nb.get("train_loss"), got.get("train_loss"));
                assertEquals(nb.get("train_accuracy").getAsDouble(), (double) got.get("train_accuracy"), 0.0);
                assertEquals(nb.get("test_accuracy").getAsDouble(), (double) got.get("test_accuracy"), 0.0);
                assertArrayEquals(Fixtures.ints(nb.get("test_predictions")), (int[]) got.get("predictions"));
                break;
            case "moons-gradcheck": {
                @SuppressWarnings("unchecked")
                Map<String, Double> errors = (Map<String, Double>) got.get("gradient_check");
                for (Map.Entry<String, JsonElement> e : nb.getAsJsonObject("gradient_check").entrySet()) {
                    double theirs = e.getValue().getAsDouble(), ours = errors.get(e.getKey());
                    // the relative errors are rounding noise of about 1e-8: the same noise, not the same bits
                    assertTrue(ours < 1e-5 && theirs < 1e-5, e.getKey() + " passes in both");
                    assertEquals(theirs, ours, 0.05 * theirs, e.getKey() + " relative error");
                }
                break;
            }
            case "moons-init": {
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> variants = (List<Map<String, Object>>) got.get("variants");
                for (Map<String, Object> v : variants) {
                    JsonObject theirs = nb.getAsJsonObject("variants").getAsJsonObject((String) v.get("name"));
                    assertEquals(theirs.get("std").getAsDouble(), (double) v.get("std"), 0.0);
                    assertCurve(v.get("name") + " train_loss", theirs.get("train_loss"), v.get("train_loss"));
                    assertEquals(theirs.get("test_accuracy").getAsDouble(), (double) v.get("test_accuracy"), 0.0);
                }
                break;
            }
            case "digits":
                assertCurve("train_loss", nb.get("train_loss"), got.get("train_loss"));
                assertCurve("test_loss", nb.get("test_loss"), got.get("test_loss"));
                assertCurve("train_accuracy", nb.get("train_accuracy"), got.get("train_accuracy_curve"));
                assertCurve("test_accuracy", nb.get("test_accuracy"), got.get("test_accuracy_curve"));
                assertEquals(nb.get("final_accuracy").getAsDouble(), (double) got.get("test_accuracy"), 0.0);
                assertArrayEquals(Fixtures.ints(nb.get("predictions")), (int[]) got.get("predictions"));
                assertCurve("probabilities", nb.get("probabilities"), got.get("probabilities"));
                JsonArray cm = nb.getAsJsonArray("confusion_matrix");
                int[][] ours = (int[][]) got.get("confusion_matrix");
                for (int i = 0; i < cm.size(); i++) {
                    assertArrayEquals(Fixtures.ints(cm.get(i)), ours[i], "confusion matrix row " + i);
                }
                assertReport(nb.getAsJsonObject("classification_report_dict"), got.get("classification_report"));
                assertArrayEquals(Fixtures.ints(nb.get("grid_indices")), (int[]) got.get("grid_indices"), "np.random.choice for the grid");
                break;
            default:
                fail("no comparison for " + recipe);
        }
    }

    /** Every point within 1e-9 relative (exactly equal where the notebook's value is 0). */
    static void assertCurve(String what, JsonElement expected, Object actual) {
        double[] e = Fixtures.doubles(expected);
        double[] a = actual instanceof double[] ? (double[]) actual
                : ((List<?>) actual).stream().mapToDouble(x -> ((Number) x).doubleValue()).toArray();
        assertEquals(e.length, a.length, what + " length");
        for (int i = 0; i < e.length; i++) {
            if (!(Math.abs(a[i] - e[i]) <= LOSS_RELATIVE * Math.abs(e[i]))) {
                fail(String.format("%s[%d] = %s, the notebook's is %s (relative difference %.2e)", what, i, a[i], e[i],
                        Math.abs(a[i] - e[i]) / Math.abs(e[i])));
            }
        }
    }

    @SuppressWarnings("unchecked")
    static void assertReport(JsonObject expected, Object actual) {
        Map<String, Object> ours = (Map<String, Object>) actual;
        for (Map.Entry<String, JsonElement> e : expected.entrySet()) {
            Object mine = ours.get(e.getKey());
            if (e.getValue().isJsonPrimitive()) {
                assertEquals(e.getValue().getAsDouble(), ((Number) mine).doubleValue(), 1e-15, e.getKey());
                continue;
            }
            Map<String, Object> m = (Map<String, Object>) mine;
            for (Map.Entry<String, JsonElement> f : e.getValue().getAsJsonObject().entrySet()) {
                assertEquals(f.getValue().getAsDouble(), ((Number) m.get(f.getKey())).doubleValue(), 1e-15,
                        e.getKey() + " " + f.getKey());
            }
        }
    }
}
