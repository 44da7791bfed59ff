package dev.scratchnet.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** A white canvas with antialiased text, for the pictures JFreeChart does not draw as well: the confusion matrix and the digit grid. */
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

    /** The finished picture. */
    Plot done() {
        g.dispose();
        return Plot.of(image);
    }
}
