package dev.scratchnet.workshop;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.cpu.CpuBackend;
import dev.scratchnet.testing.TestBackends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the recipes tell a student besides the numbers: notes, working settings, plots, fp32. */
class WorkshopRecipeTest {

    static String[] run(Backend be, String recipe, RecipeSettings settings, Path plots, Map<String, Object>[] json) {
        StringWriter text = new StringWriter();
        Map<String, Object> result = Workshop.find(recipe).run(new RecipeContext(be, settings, new PrintWriter(text), plots));
        if (json != null) {
            json[0] = result;
        }
        return text.toString().split("\n");
    }

    static Stream<Arguments> failingNotebooks() {
        return Stream.of(
                Arguments.of("xor-scratch", "50.00%", "--hidden 8", new RecipeSettings(Precision.FP64, null, null, null, new int[] {8})),
                Arguments.of("xor-multilayer", "75.00%", "--seed 1", new RecipeSettings(Precision.FP64, 1L, null, null, null)),
                Arguments.of("xor-layers", "75.00%", "--seed 0", new RecipeSettings(Precision.FP64, 0L, null, null, null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failingNotebooks")
    @SuppressWarnings("unchecked")
    void aNotebookThatFailsSaysSoAndTheNamedSettingLearnsXor(String recipe, String stuckAt, String fix, RecipeSettings working) {
        try (CpuBackend be = new CpuBackend()) {
            Map<String, Object>[] json = new Map[1];
            String[] lines = run(be, recipe, RecipeSettings.notebook(), null, json);
            String note = lines[lines.length - 1];
            assertEquals("note: as the notebook writes it, this network stops at " + stuckAt + " on XOR; " + fix
                    + " learns it (100%)", note);
            lines = run(be, recipe, working, null, json);
            assertEquals(1.0, (double) json[0].get("train_accuracy"), fix + " reaches 100%");
            assertEquals("Accuracy: 100.00%", lines[lines.length - 1]);
        }
    }

    static Stream<Arguments> backendsForFp32() {
        return TestBackends.NAMES.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backendsForFp32")
    @SuppressWarnings("unchecked")
    void digitsInFp32EscapesItsPlateauNearTheFp64RunAndReaches100Percent(String backendName) {
        Backend be = TestBackends.open(backendName, Precision.FP32);
        Map<String, Object>[] fp32 = new Map[1];
        Map<String, Object>[] fp64 = new Map[1];
        run(be, "digits", new RecipeSettings(Precision.FP32, null, null, null, null), null, fp32);
        try (CpuBackend cpu = new CpuBackend()) {
            run(cpu, "digits", RecipeSettings.notebook(), null, fp64);
        }
        int escape32 = firstBelow((List<Double>) fp32[0].get("train_loss"), 0.5);
        int escape64 = firstBelow((List<Double>) fp64[0].get("train_loss"), 0.5);
        assertTrue(escape64 > 500, "the fp64 run leaves its plateau late: epoch " + escape64);
        assertTrue(Math.abs(escape32 - escape64) <= 10, "fp32 leaves the plateau at epoch " + escape32 + ", fp64 at " + escape64);
        assertEquals(1.0, (double) fp32[0].get("test_accuracy"), "fp32 test accuracy");
    }

    static int firstBelow(List<Double> losses, double threshold) {
        for (int i = 0; i < losses.size(); i++) {
            if (losses.get(i) < threshold) {
                return i;
            }
        }
        return -1;
    }

    @ParameterizedTest
    @ValueSource(strings = {"xor-scratch", "xor-multilayer", "xor-layers", "moons", "moons-gradcheck", "moons-init", "digits"})
    void plotsArePngsOfTheExpectedKindsAndSizesAndTheLineListsExactlyThem(String recipe, @TempDir Path dir) throws IOException {
        StringWriter text = new StringWriter();
        try (CpuBackend be = new CpuBackend(); PrintWriter out = new PrintWriter(text)) {
            RecipeContext ctx = new RecipeContext(be, new RecipeSettings(Precision.FP64, null, null, 20, null), out, dir);
            Workshop.find(recipe).run(ctx);
            ctx.printPlotsWritten();
        }
        List<String> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
        List<String> expected;
        switch (recipe) {
            case "xor-scratch": case "xor-layers": case "moons":
                expected = List.of(recipe + "-decision-boundary.png", recipe + "-loss.png");
                break;
            case "xor-multilayer":
                expected = List.of(recipe + "-accuracy.png", recipe + "-decision-boundary.png", recipe + "-loss.png");
                break;
            case "moons-gradcheck":
                expected = List.of(recipe + "-gradient-check.png");
                break;
            case "moons-init":
                expected = List.of(recipe + "-init-comparison.png");
                break;
            default:
                expected = List.of("digits-accuracy.png", "digits-confusion-matrix.png", "digits-loss.png", "digits-predictions.png");
        }
        assertEquals(expected, files);
        String[] lines = text.toString().split("\n");
        String wrote = lines[lines.length - 1];
        String prefix = "wrote plots to " + dir + ": ";
        assertTrue(wrote.startsWith(prefix), wrote);
        assertEquals(files, Stream.of(wrote.substring(prefix.length()).split(", ")).sorted().collect(Collectors.toList()), wrote);
        Map<String, int[]> sizes = Map.of("loss", new int[] {1000, 600}, "accuracy", new int[] {1000, 600},
                "init-comparison", new int[] {1000, 600}, "decision-boundary", new int[] {800, 600},
                "gradient-check", new int[] {800, 550}, "confusion-matrix", new int[] {570, 520}, "predictions", new int[] {860, 466});
        for (String f : files) {
            BufferedImage img = ImageIO.read(dir.resolve(f).toFile());
            assertTrue(img != null, f + " is not a PNG");
            int[] size = sizes.get(f.substring(recipe.length() + 1, f.length() - ".png".length()));
            assertEquals(size[0] + "×" + size[1], img.getWidth() + "×" + img.getHeight(), f);
            assertFalse(isBlank(img), f + " has nothing drawn on it");
        }
    }

    static boolean isBlank(BufferedImage img) {
        int first = img.getRGB(0, 0);
        for (int y = 0; y < img.getHeight(); y += 7) {
            for (int x = 0; x < img.getWidth(); x += 7) {
                if (img.getRGB(x, y) != first) {
                    return false;
                }
            }
        }
        return true;
    }

    @Test
    void badSettingsAreNamed() {
        assertEquals("--hidden takes 2 widths for this recipe (the notebook's are [16, 8]), got 1",
                assertThrows(IllegalArgumentException.class, () -> new RecipeSettings(Precision.FP64, null, null, null, new int[] {3})
                        .hidden(16, 8)).getMessage());
        assertEquals("--seed -1: must be between 0 and 2**32 - 1, as NumPy requires",
                assertThrows(IllegalArgumentException.class, () -> new RecipeSettings(Precision.FP64, -1L, null, null, null)).getMessage());
        assertEquals("--epochs 0: must be at least 1",
                assertThrows(IllegalArgumentException.class, () -> new RecipeSettings(Precision.FP64, null, null, 0, null)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Workshop.find("mnist")).getMessage()
                .startsWith("unknown recipe 'mnist': expected one of xor-scratch, xor-multilayer,"));
    }
}
