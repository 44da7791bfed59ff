package dev.scratchnet.report;

import dev.scratchnet.backend.Matrix;
import org.jfree.chart.annotations.XYDataImageAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.util.function.Function;

/**
 * The decision boundary of a two-feature classifier, as the notebooks draw it with
 * {@code contourf(xx, yy, Z, alpha=0.8, cmap=plt.cm.Paired)} over a mesh and
 * {@code scatter(X[:, 0], X[:, 1], c=y, edgecolors='k', cmap=plt.cm.Paired)}: every cell of a mesh
 * as fine as the plot's pixels is classified (one batch on the backend) and laid under the points
 * as an image in data coordinates; the axes are JFreeChart's.
 */
public final class DecisionBoundaryPlot {
    static final int WIDTH = 800;
    static final int HEIGHT = 600;
    /** Mesh cells across and down: about the plot area's size in pixels. */
    static final int MESH_W = 640;
    static final int MESH_H = 480;
    /** Matplotlib's qualitative "Paired" colour map. */
    private static final int[] PAIRED = {0xa6cee3, 0x1f78b4, 0xb2df8a, 0x33a02c, 0xfb9a99, 0xe31a1c, 0xfdbf6f, 0xff7f00,
            0xcab2d6, 0x6a3d9a, 0xffff99, 0xb15928};

    private DecisionBoundaryPlot() {
    }

    /**
     * @param classify labels for a matrix of (x, y) rows
     * @param classes  how many classes the labels range over (the colours spread over the map as
     *                 matplotlib spreads {@code c=y} over it)
     * @param margin   how far the mesh extends beyond the data (0.1 for XOR, as the notebook)
     */
    public static Plot of(String title, Matrix points, int[] labels, int classes, Function<Matrix, int[]> classify, double margin) {
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
        Matrix mesh = new Matrix(MESH_W * MESH_H, 2);
        for (int py = 0; py < MESH_H; py++) {
            for (int px = 0; px < MESH_W; px++) {
                int r = py * MESH_W + px;
                mesh.set(r, 0, x0 + (px + 0.5) / MESH_W * (x1 - x0));
                mesh.set(r, 1, y1 - (py + 0.5) / MESH_H * (y1 - y0));
            }
        }
        int[] regions = classify.apply(mesh);
        BufferedImage fill = new BufferedImage(MESH_W, MESH_H, BufferedImage.TYPE_INT_RGB);
        for (int py = 0; py < MESH_H; py++) {
            for (int px = 0; px < MESH_W; px++) {
                fill.setRGB(px, py, onWhite(color(regions[py * MESH_W + px], classes), 0.8).getRGB());
            }
        }

        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries[] byClass = new XYSeries[classes];
        for (int c = 0; c < classes; c++) {
            byClass[c] = new XYSeries("class " + c, false, true);
            data.addSeries(byClass[c]);
        }
        for (int i = 0; i < points.rows(); i++) {
            byClass[labels[i]].add(points.get(i, 0), points.get(i, 1));
        }
        XYLineAndShapeRenderer dots = new XYLineAndShapeRenderer(false, true);
        dots.setUseFillPaint(true);
        dots.setUseOutlinePaint(true);
        dots.setDrawOutlines(true);
        double r = 4.5;
        for (int c = 0; c < classes; c++) {
            dots.setSeriesShape(c, new Ellipse2D.Double(-r, -r, 2 * r, 2 * r));
            dots.setSeriesFillPaint(c, color(c, classes));
            dots.setSeriesOutlinePaint(c, Color.BLACK);
            dots.setSeriesOutlineStroke(c, new BasicStroke(1f));
        }
        dots.addAnnotation(new XYDataImageAnnotation(fill, x0, y0, x1 - x0, y1 - y0), Layer.BACKGROUND);

        NumberAxis x = Charts.numberAxis("Feature 1", false, false);
        x.setRange(x0, x1);
        NumberAxis y = Charts.numberAxis("Feature 2", false, true);
        y.setRange(y0, y1);
        XYPlot plot = new XYPlot(data, x, y, dots);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
        return Plot.of(Charts.chart(title, plot), WIDTH, HEIGHT);
    }

    /** Class {@code c} of {@code classes}, coloured as matplotlib maps {@code c=y} onto "Paired". */
    static Color color(int c, int classes) {
        double v = classes > 1 ? c / (double) (classes - 1) : 0;
        return new Color(PAIRED[Math.min(PAIRED.length - 1, (int) (v * PAIRED.length))]);
    }

    private static Color onWhite(Color c, double alpha) {
        return new Color((int) Math.round(c.getRed() * alpha + 255 * (1 - alpha)),
                (int) Math.round(c.getGreen() * alpha + 255 * (1 - alpha)), (int) Math.round(c.getBlue() * alpha + 255 * (1 - alpha)));
    }
}
