package dev.scratchnet.report;

import dev.scratchnet.backend.Matrix;

import java.awt.Color;

/**
 * Seed 003's "Sample Predictions on Test Set": 8×8 digits in a grid, each titled with its true and
 * predicted label and the predicted probability, green when right and red when wrong.
 */
public final class DigitGrid {
    private static final Color RIGHT = new Color(0x008000);
    private static final Color WRONG = new Color(0xd00000);

    private DigitGrid() {
    }

    /**
     * @param pixels one row of 64 raw pixel values (0..16) per image
     */
    public static Plot of(String title, Matrix pixels, int[] truth, int[] predicted, double[] probability, int columns) {
        int n = pixels.rows();
        int side = 8, scale = 16, cellW = side * scale + 40, cellH = side * scale + 70;
        int rows = (n + columns - 1) / columns;
        Canvas c = new Canvas(columns * cellW + 20, rows * cellH + 70);
        c.text(title, (columns * cellW + 20) / 2.0, 36, 20, true, Color.BLACK);
        for (int k = 0; k < n; k++) {
            int ox = 10 + (k % columns) * cellW + 20;
            int oy = 60 + (k / columns) * cellH + 44;
            double max = 0;
            for (int p = 0; p < side * side; p++) {
                max = Math.max(max, pixels.get(k, p));
            }
            for (int py = 0; py < side; py++) {
                for (int px = 0; px < side; px++) {
                    double v = max == 0 ? 0 : Math.max(0, pixels.get(k, py * side + px)) / max;
                    int g = (int) Math.round(255 * v);
                    c.g.setColor(new Color(g, g, g));
                    c.g.fillRect(ox + px * scale, oy + py * scale, scale, scale);
                }
            }
            Color color = truth[k] == predicted[k] ? RIGHT : WRONG;
            double cx = ox + side * scale / 2.0;
            c.text("True: " + truth[k] + " | Pred: " + predicted[k], cx, oy - 24, 14, false, color);
            c.text("Prob: " + PythonFormat.fixed(probability[k], 2), cx, oy - 7, 14, false, color);
        }
        return c.done();
    }
}
