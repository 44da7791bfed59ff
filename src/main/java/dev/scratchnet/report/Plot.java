package dev.scratchnet.report;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A picture ready to be written as a PNG: a JFreeChart chart at a given size (the line, log-scale,
 * bar and decision-boundary charts), or an image drawn directly with Java2D (the confusion matrix
 * and the digit grid). {@link PlotDirectory} writes it.
 */
public final class Plot {
    private final JFreeChart chart;
    private final BufferedImage image;
    private final int width;
    private final int height;

    private Plot(JFreeChart chart, BufferedImage image, int width, int height) {
        this.chart = chart;
        this.image = image;
        this.width = width;
        this.height = height;
    }

    static Plot of(JFreeChart chart, int width, int height) {
        return new Plot(chart, null, width, height);
    }

    static Plot of(BufferedImage image) {
        return new Plot(null, image, image.getWidth(), image.getHeight());
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The chart, for tests that look at its axes; null for a Java2D picture. */
    JFreeChart chart() {
        return chart;
    }

    void writePng(OutputStream out) throws IOException {
        if (chart != null) {
            ChartUtils.writeChartAsPNG(out, chart, width, height);
        } else if (!ImageIO.write(image, "png", out)) {
            throw new IOException("no PNG writer in this Java runtime");
        }
    }
}
