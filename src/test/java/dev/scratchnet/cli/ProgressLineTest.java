package dev.scratchnet.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The live line's content and its wiping; whether it is shown at all is decided by the terminal check. */
class ProgressLineTest {
    @Test
    void drawsBatchesRateLossAndTimeLeftInPlaceAndWipesItself() throws Exception {
        StringWriter text = new StringWriter();
        ProgressLine line = new ProgressLine(new PrintWriter(text), 100, 3);
        line.onBatch(0, 1, 10, 128, () -> 2.5);         // the first batch only starts the clocks
        Thread.sleep(250);
        line.onBatch(0, 2, 10, 256, () -> 1.25);
        String drawn = text.toString();
        assertTrue(drawn.startsWith("\repoch 1/3  batch 2/10  "), drawn);
        assertTrue(drawn.matches("(?s)\\repoch 1/3  batch 2/10  [0-9,]+ samples/s  loss 1\\.2500  \\d+s left *"), drawn);
        double rate = Double.parseDouble(drawn.replaceAll("(?s).*batch 2/10  ([0-9,]+) samples/s.*", "$1").replace(",", ""));
        assertTrue(rate > 0 && rate <= 128 / 0.25, "128 rows in at least 0.25 s: " + rate);
        assertEquals(100, drawn.length(), "padded to the terminal's width less one, after the carriage return");
        line.onBatch(0, 3, 10, 384, () -> 1.0);          // within 0.2 s of the last draw: not redrawn
        assertEquals(drawn, text.toString());
        line.clear();
        assertTrue(text.toString().endsWith("\r" + " ".repeat(99) + "\r"), "wiped");
        line.clear();                                     // nothing drawn since: nothing written
        assertEquals(drawn.length() + 101, text.toString().length());
    }

    @Test
    void durationsReadAsAPersonWouldWriteThem() {
        assertEquals("42s", ProgressLine.duration(41.6));
        assertEquals("2m05s", ProgressLine.duration(125));
        assertEquals("1h01m", ProgressLine.duration(3700));
    }

    @Test
    void notATerminalMeansNoLiveLine() {
        // the test JVM's standard output is Surefire's pipe
        assertEquals(null, ProgressLine.forStdout(new PrintWriter(new StringWriter()), 3));
    }
}
