package dev.scratchnet.report;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where plots go: whole PNGs of the plot's size, a "wrote plots" line naming exactly them, one-line errors. */
class PlotDirectoryTest {
    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    static String summary(PlotDirectory plots) {
        StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text)) {
            plots.printSummary(out);
        }
        return text.toString();
    }

    @Test
    void writesValidPngsOfThePlotsSizeAndListsExactlyThose(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("plots");
        PlotDirectory plots = new PlotDirectory(dir);
        Plot curve = LineChart.of("Loss", "Epoch", "Loss", Map.of("Loss", List.of(0.7, 0.5, 0.4)), false);
        Plot matrix = ConfusionMatrixPlot.of("Confusion Matrix", new int[][] {{5, 1}, {0, 6}}, new String[] {"0", "1"});
        plots.write("loss.png", curve);
        plots.write("confusion.png", matrix);
        assertEquals(List.of("confusion.png", "loss.png"), names(dir));
        assertEquals(List.of("loss.png", "confusion.png"), plots.written());
        assertEquals("wrote plots to " + dir + ": loss.png, confusion.png\n", summary(plots));
        for (Object[] f : new Object[][] {{"loss.png", curve}, {"confusion.png", matrix}}) {
            BufferedImage img = ImageIO.read(dir.resolve((String) f[0]).toFile());
            assertNotNull(img, f[0] + " is not a PNG");
            assertEquals(((Plot) f[1]).width(), img.getWidth());
            assertEquals(((Plot) f[1]).height(), img.getHeight());
        }
        assertEquals(LineChart.WIDTH, curve.width());
        assertEquals(LineChart.HEIGHT, curve.height());
    }

    @Test
    void noPlotsWrittenPrintsNoLine(@TempDir Path tmp) {
        assertEquals("", summary(new PlotDirectory(tmp.resolve("plots"))));
    }

    @Test
    void aRegularFileIsOneLineNamingIt(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("notes.txt"), "keep me");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PlotDirectory(file));
        assertEquals("cannot write plots to " + file + ": it is not a directory", e.getMessage());
        assertEquals("keep me", Files.readString(file));
    }

    @Test
    void aFileMadeAfterTheCheckIsStillOneLineNamingIt(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("plots");
        PlotDirectory plots = new PlotDirectory(dir);
        Files.writeString(dir, "made while training");
        Plot curve = LineChart.of("Loss", "Epoch", "Loss", Map.of("Loss", List.of(0.7, 0.5)), false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plots.write("loss.png", curve));
        assertEquals("cannot write plots to " + dir + ": it is not a directory", e.getMessage());
        assertEquals("made while training", Files.readString(dir));
        assertEquals(List.of(), plots.written());

        Path under = dir.resolve("sub");
        PlotDirectory below = new PlotDirectory(under);
        UncheckedIOException u = assertThrows(UncheckedIOException.class, () -> below.write("loss.png", curve));
        assertEquals("cannot create the plots directory " + under + ": Not a directory", u.getMessage());
        assertFalse(u.getMessage().contains("\n"));
    }

    /**
     * A machine where Java finds no font (a bare container with a JDK tarball): the command is
     * refused in one line before training, not ended by the JDK's Error after it. The child JVM
     * runs in a user and mount namespace where an empty directory hides /usr/share/fonts.
     */
    @Test
    void withoutFontsPlotsAreRefusedInOneLineBeforeTraining(@TempDir Path tmp) throws Exception {
        Path empty = Files.createDirectory(tmp.resolve("no-fonts"));
        String hide = "mount --bind \"$0\" /usr/share/fonts && exec \"$@\"";
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/usr/share/fonts")), "no /usr/share/fonts to hide on this machine");
        Process probe = dev.scratchnet.io.ChildProcess.notJava("unshare", "-rm", "sh", "-c", hide, empty.toString(), "true")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("probe.txt").toFile()).start();
        Assumptions.assumeTrue(probe.waitFor() == 0, "cannot hide the fonts: unshare -rm (user and mount namespaces) is not "
                + "allowed here: " + Files.readString(tmp.resolve("probe.txt")).strip());
        List<String> cmd = new ArrayList<>(List.of("unshare", "-rm", "sh", "-c", hide, empty.toString(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules", "jdk.incubator.vector",
                "-Djava.awt.headless=true"));
        cmd.addAll(dev.scratchnet.testing.ChildJvm.nativeAccess());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.scratchnet.cli.Main",
                "workshop", "xor-scratch", "--backend", "cpu", "--plots", tmp.resolve("plots").toString()));
        Process p = dev.scratchnet.io.ChildProcess.notJava(cmd).redirectError(tmp.resolve("err.txt").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, p.waitFor(), out);
        List<String> err = Files.readAllLines(tmp.resolve("err.txt")).stream()
                .filter(l -> !l.startsWith("WARNING: Using incubator modules")).collect(Collectors.toList());
        assertEquals(1, err.size(), String.join("\n", err));
        assertTrue(err.get(0).startsWith("scratchnet: cannot draw plots: Java finds no font to draw text with"), err.get(0));
        assertTrue(err.get(0).contains("fonts-dejavu-core"), err.get(0));
        assertFalse(out.contains("Epoch"), "trained before refusing:\n" + out);
        assertFalse(Files.exists(tmp.resolve("plots")));
    }
}
