package dev.scratchnet.report;

import dev.scratchnet.io.AtomicFile;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/** A white PNG canvas with antialiased text, and the axis drawing the Java2D plots share. */
final class Canvas {
    final BufferedImage image;
    final Graphics2D g;

    Canvas(int width, int height) {
        image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
    }

    void text(String s, double cx, double y, int size, boolean bold, Color color) {
        g.setFont(new Font(Font.SANS_SERIF, bold ? Font.BOLD : Font.PLAIN, size));
        g.setColor(color);
        FontMetrics fm = g.getFontMetrics();
        g.drawString(s, (float) (cx - fm.stringWidth(s) / 2.0), (float) y);
    }

    void textRight(String s, double right, double y, int size) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, size));
        g.setColor(Color.DARK_GRAY);
        g.drawString(s, (float) (right - g.getFontMetrics().stringWidth(s)), (float) y);
    }

    void verticalText(String s, double x, double cy, int size) {
        Graphics2D r = (Graphics2D) g.create();
        r.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, size));
        r.setColor(Color.BLACK);
        r.rotate(-Math.PI / 2, x, cy);
        r.drawString(s, (float) (x - r.getFontMetrics().stringWidth(s) / 2.0), (float) cy);
        r.dispose();
    }

    /** Ticks and labels for a plot area [left, top, w, h] showing data [x0, x1] × [y0, y1]. */
    void axes(int left, int top, int w, int h, double x0, double x1, double y0, double y1, String xLabel, String yLabel) {
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1.2f));
        g.drawRect(left, top, w, h);
        for (double t : ticks(x0, x1)) {
            int px = (int) Math.round(left + (t - x0) / (x1 - x0) * w);
            g.setColor(Color.BLACK);
            g.drawLine(px, top + h, px, top + h + 5);
            text(tickLabel(t), px, top + h + 20, 13, false, Color.DARK_GRAY);
        }
        for (double t : Double.isNaN(y0) ? new double[0] : ticks(y0, y1)) {
            int py = (int) Math.round(top + h - (t - y0) / (y1 - y0) * h);
            g.setColor(Color.BLACK);
            g.drawLine(left - 5, py, left, py);
            textRight(tickLabel(t), left - 8, py + 5, 13);
        }
        text(xLabel, left + w / 2.0, top + h + 44, 15, false, Color.BLACK);
        verticalText(yLabel, left - 48, top + h / 2.0, 15);
    }

    static double[] ticks(double lo, double hi) {
        double span = hi - lo;
        double raw = span / 6;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
        double first = Math.ceil(lo / step) * step;
        int n = (int) Math.floor((hi - first) / step + 1e-9) + 1;
        double[] t = new double[Math.max(0, n)];
        for (int i = 0; i < t.length; i++) {
            t[i] = first + i * step;
        }
        return t;
    }

    static String tickLabel(double v) {
        double r = Math.round(v * 1000) / 1000.0;
        if (r == Math.rint(r)) {
            return Long.toString((long) r);
        }
        return new java.math.BigDecimal(Double.toString(r)).stripTrailingZeros().toPlainString();
    }

    void write(Path file) {
        g.dispose();
        AtomicFile.write(file, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer in this Java runtime");
            }
        });
    }
}
