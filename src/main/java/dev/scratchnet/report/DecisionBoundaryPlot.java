package dev.scratchnet.report;

import dev.scratchnet.backend.Matrix;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The decision boundary of a two-feature classifier, as the notebooks draw it with
 * {@code contourf} over a mesh and {@code scatter} of the data: every pixel of the plot is
 * classified (one batch on the backend), and the points are drawn on top in their class colours.
 */
public final class DecisionBoundaryPlot {
    /** Matplotlib's "Paired" colours: light region fills and the stronger point colours. */
    private static final Color[] REGION = {new Color(0xa6cee3), new Color(0xfb9a99), new Color(0xb2df8a), new Color(0xfdbf6f)};
    private static final Color[] POINT = {new Color(0x1f78b4), new Color(0xe31a1c), new Color(0x33a02c), new Color(0xff7f00)};

    private DecisionBoundaryPlot() {
    }

    /**
     * @param classify labels for a matrix of (x, y) rows
     * @param margin   how far the mesh extends beyond the data (0.1 for XOR, as the notebook)
     */
    public static void write(Path file, String title, Matrix points, int[] labels, Function<Matrix, int[]> classify, double margin) {
        int left = 90, top = 60, w = 640, h = 480;
        double x0 = Double.MAX_VALUE, x1 = -Double.MAX_VALUE, y0 = Double.MAX_VALUE, y1 = -Double.MAX_VALUE;
        for (int i = 0; i < points.rows(); i++) {
            x0 = Math.min(x0, points.get(i, 0));
            x1 = Math.max(x1, points.get(i, 0));
            y0 = Math.min(y0, points.get(i, 1));
            y1 = Math.max(y1, points.get(i, 1));
        }
        x0 -= margin;
        x1 += margin;
        y0 -= margin;
        y1 += margin;
        Matrix mesh = new Matrix(w * h, 2);
        for (int py = 0; py < h; py++) {
            for (int px = 0; px < w; px++) {
                int r = py * w + px;
                mesh.set(r, 0, x0 + (px + 0.5) / w * (x1 - x0));
                mesh.set(r, 1, y1 - (py + 0.5) / h * (y1 - y0));
            }
        }
        int[] regions = classify.apply(mesh);
        Canvas c = new Canvas(left + w + 40, top + h + 80);
        for (int py = 0; py < h; py++) {
            for (int px = 0; px < w; px++) {
                c.image.setRGB(left + px, top + py, REGION[regions[py * w + px] % REGION.length].getRGB());
            }
        }
        double radius = points.rows() > 50 ? 4.5 : 9;
        for (int i = 0; i < points.rows(); i++) {
            double px = left + (points.get(i, 0) - x0) / (x1 - x0) * w;
            double py = top + h - (points.get(i, 1) - y0) / (y1 - y0) * h;
            Ellipse2D dot = new Ellipse2D.Double(px - radius, py - radius, 2 * radius, 2 * radius);
            c.g.setColor(POINT[labels[i] % POINT.length]);
            c.g.fill(dot);
            c.g.setColor(Color.BLACK);
            c.g.setStroke(new BasicStroke(1.2f));
            c.g.draw(dot);
        }
        c.axes(left, top, w, h, x0, x1, y0, y1, "Feature 1", "Feature 2");
        c.text(title, left + w / 2.0, 36, 18, true, Color.BLACK);
        c.write(file);
    }
}
