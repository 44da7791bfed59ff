package dev.scratchnet.report;

import java.awt.Color;

/** A confusion matrix as a heat map with its counts, true classes down and predictions across. */
public final class ConfusionMatrixPlot {
    private ConfusionMatrixPlot() {
    }

    public static Plot of(String title, int[][] matrix, String[] names) {
        int n = matrix.length;
        int cell = Math.max(90, 360 / n);
        int left = 150, top = 70;
        Canvas c = new Canvas(left + n * cell + 60, top + n * cell + 90);
        int max = 1;
        for (int[] row : matrix) {
            for (int v : row) {
                max = Math.max(max, v);
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double t = matrix[i][j] / (double) max;
                Color fill = new Color((int) (247 - t * (247 - 8)), (int) (251 - t * (251 - 48)), (int) (255 - t * (255 - 107)));
                c.g.setColor(fill);
                c.g.fillRect(left + j * cell, top + i * cell, cell, cell);
                c.g.setColor(Color.GRAY);
                c.g.drawRect(left + j * cell, top + i * cell, cell, cell);
                c.text(Integer.toString(matrix[i][j]), left + j * cell + cell / 2.0, top + i * cell + cell / 2.0 + 9, 26, true,
                        t > 0.5 ? Color.WHITE : Color.BLACK);
            }
            c.textRight(names[i], left - 10, top + i * cell + cell / 2.0 + 5, 15);
            c.text(names[i], left + i * cell + cell / 2.0, top + n * cell + 24, 15, false, Color.DARK_GRAY);
        }
        c.text("Predicted label", left + n * cell / 2.0, top + n * cell + 54, 16, false, Color.BLACK);
        c.verticalText("True label", 30, top + n * cell / 2.0, 16);
        c.text(title, left + n * cell / 2.0, 40, 18, true, Color.BLACK);
        return c.done();
    }
}
