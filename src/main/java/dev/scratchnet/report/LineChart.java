package dev.scratchnet.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Path2D;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Loss and accuracy curves as PNG files: each series against its epoch, with a legend. */
public final class LineChart {
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728)};

    private LineChart() {
    }

    /**
     * Writes a line chart of each series against its epoch (0, 1, 2, ...).
     *
     * @param logY a logarithmic y axis, as seed 002's initialisation comparison uses
     */
    public static void write(Path file, String title, String xLabel, String yLabel, Map<String, List<Double>> series, boolean logY) {
        int left = 100, top = 60, w = 820, h = 440;
        int epochs = 1;
        double lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
        for (List<Double> ys : series.values()) {
            epochs = Math.max(epochs, ys.size());
            for (double y : ys) {
                if (Double.isFinite(y) && (!logY || y > 0)) {
                    lo = Math.min(lo, y);
                    hi = Math.max(hi, y);
                }
            }
        }
        if (lo > hi) {
            lo = 0;
            hi = 1;
        }
        double x0 = 0, x1 = Math.max(1, epochs - 1);
        double y0, y1;
        if (logY) {
            y0 = Math.floor(Math.log10(lo) * 4) / 4;
            y1 = Math.ceil(Math.log10(hi) * 4) / 4;
            if (y1 - y0 < 0.5) {
                y1 = y0 + 0.5;
            }
        } else {
            double pad = (hi - lo) * 0.05 + (hi == lo ? Math.max(1e-3, Math.abs(hi) * 0.05) : 0);
            y0 = lo - pad;
            y1 = hi + pad;
        }
        Canvas c = new Canvas(left + w + 40, top + h + 80);
        gridAndAxes(c, left, top, w, h, x0, x1, y0, y1, logY, xLabel, yLabel);
        int i = 0;
        for (Map.Entry<String, List<Double>> e : series.entrySet()) {
            Path2D.Double line = new Path2D.Double();
            List<Double> ys = e.getValue();
            boolean started = false;
            for (int k = 0; k < ys.size(); k++) {
                double y = ys.get(k);
                if (!Double.isFinite(y) || (logY && y <= 0)) {
                    started = false;
                    continue;
                }
                double v = logY ? Math.log10(y) : y;
                double px = left + (k - x0) / (x1 - x0) * w;
                double py = top + h - (v - y0) / (y1 - y0) * h;
                if (started) {
                    line.lineTo(px, py);
                } else {
                    line.moveTo(px, py);
                    started = true;
                }
            }
            c.g.setColor(COLORS[i % COLORS.length]);
            c.g.setStroke(new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            c.g.setClip(left, top, w, h);
            c.g.draw(line);
            c.g.setClip(null);
            i++;
        }
        if (series.size() > 1) {
            // where the curves end high (accuracy), the legend goes to the bottom corner
            double endSum = 0;
            int endCount = 0;
            for (List<Double> ys : series.values()) {
                for (int k = ys.size() * 9 / 10; k < ys.size(); k++) {
                    double y = ys.get(k);
                    if (Double.isFinite(y) && (!logY || y > 0)) {
                        endSum += ((logY ? Math.log10(y) : y) - y0) / (y1 - y0);
                        endCount++;
                    }
                }
            }
            boolean bottom = endCount > 0 && endSum / endCount > 0.5;
            legend(c, series.keySet().toArray(new String[0]), left + w - 10, bottom ? top + h - 12 - (series.size() * 22 + 10) : top + 12);
        }
        c.text(title, left + w / 2.0, 36, 18, true, Color.BLACK);
        c.write(file);
    }

    private static void gridAndAxes(Canvas c, int left, int top, int w, int h, double x0, double x1, double y0, double y1,
                                    boolean logY, String xLabel, String yLabel) {
        c.g.setColor(new Color(0xe6e6e6));
        c.g.setStroke(new BasicStroke(1f));
        for (double t : Canvas.ticks(x0, x1)) {
            int px = (int) Math.round(left + (t - x0) / (x1 - x0) * w);
            c.g.drawLine(px, top, px, top + h);
        }
        if (logY) {
            for (int decade = (int) Math.floor(y0); decade <= Math.ceil(y1); decade++) {
                for (int m = 1; m <= 9; m++) {
                    double v = decade + Math.log10(m);
                    if (v < y0 || v > y1) {
                        continue;
                    }
                    int py = (int) Math.round(top + h - (v - y0) / (y1 - y0) * h);
                    c.g.setColor(m == 1 ? new Color(0xd0d0d0) : new Color(0xf0f0f0));
                    c.g.drawLine(left, py, left + w, py);
                    if (m == 1 || (y1 - y0 < 1.5 && (m == 2 || m == 5))) {
                        c.g.setColor(Color.BLACK);
                        c.g.drawLine(left - 5, py, left, py);
                        c.textRight(Canvas.tickLabel(m * Math.pow(10, decade)), left - 8, py + 5, 13);
                    }
                }
            }
            // the x axis alone: a linear y axis would draw linear ticks
            c.axes(left, top, w, h, x0, x1, Double.NaN, Double.NaN, xLabel, yLabel);
        } else {
            for (double t : Canvas.ticks(y0, y1)) {
                int py = (int) Math.round(top + h - (t - y0) / (y1 - y0) * h);
                c.g.drawLine(left, py, left + w, py);
            }
            c.axes(left, top, w, h, x0, x1, y0, y1, xLabel, yLabel);
        }
    }

    private static void legend(Canvas c, String[] names, int right, int top) {
        c.g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 14));
        int width = 0;
        for (String n : names) {
            width = Math.max(width, c.g.getFontMetrics().stringWidth(n));
        }
        int boxW = width + 50, boxH = names.length * 22 + 10;
        c.g.setColor(new Color(255, 255, 255, 230));
        c.g.fillRect(right - boxW, top, boxW, boxH);
        c.g.setColor(Color.GRAY);
        c.g.drawRect(right - boxW, top, boxW, boxH);
        for (int i = 0; i < names.length; i++) {
            int y = top + 20 + i * 22;
            c.g.setColor(COLORS[i % COLORS.length]);
            c.g.setStroke(new BasicStroke(3f));
            c.g.drawLine(right - boxW + 8, y - 5, right - boxW + 32, y - 5);
            c.g.setColor(Color.BLACK);
            c.g.drawString(names[i], right - boxW + 40, y);
        }
    }
}
