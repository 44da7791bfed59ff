package dev.scratchnet.report;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTitleAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.data.Range;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.util.List;
import java.util.Map;

/**
 * Loss and accuracy curves, as the notebooks' {@code plt.plot(losses)}: each series against its
 * epoch, counted from 1 as the printed progress lines count, with a legend inside the plot when
 * there is more than one series. The axes are JFreeChart's: they choose the tick spacing, and
 * {@link Charts#numberAxis} labels ticks with the digits that spacing needs.
 */
public final class LineChart {
    static final int WIDTH = 1000;
    static final int HEIGHT = 600;

    private LineChart() {
    }

    /**
     * @param series name → value per epoch; NaN and infinite values (and, on a log scale, values
     *               that are not positive) leave gaps
     * @param logY   a logarithmic y axis, as seed 002's initialisation comparison uses
     */
    public static Plot of(String title, String xLabel, String yLabel, Map<String, List<Double>> series, boolean logY) {
        XYSeriesCollection data = new XYSeriesCollection();
        int epochs = 1;
        for (Map.Entry<String, List<Double>> e : series.entrySet()) {
            XYSeries s = new XYSeries(e.getKey(), false, true);
            List<Double> ys = e.getValue();
            for (int k = 0; k < ys.size(); k++) {
                double y = ys.get(k);
                s.add(k + 1, Double.isFinite(y) && (!logY || y > 0) ? y : Double.NaN);
            }
            epochs = Math.max(epochs, ys.size());
            data.addSeries(s);
        }
        NumberAxis x = Charts.numberAxis(xLabel, true, false);
        x.setRange(epochs > 1 ? new Range(1, epochs) : new Range(0.5, 1.5));
        ValueAxis y = logY ? Charts.logAxis(yLabel) : Charts.numberAxis(yLabel, false, true);
        y.setLowerMargin(0.05);
        y.setUpperMargin(0.05);
        XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, false);
        lines.setDrawSeriesLineAsPath(true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            lines.setSeriesPaint(i, Charts.SERIES[i % Charts.SERIES.length]);
            lines.setSeriesStroke(i, new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        }
        XYPlot plot = new XYPlot(data, x, y, lines);
        plot.setDomainGridlinePaint(Charts.GRID);
        plot.setRangeGridlinePaint(Charts.GRID);
        plot.setDomainGridlineStroke(new BasicStroke(1f));
        plot.setRangeGridlineStroke(new BasicStroke(1f));
        plot.setAxisOffset(org.jfree.chart.ui.RectangleInsets.ZERO_INSETS);
        if (data.getSeriesCount() > 1) {
            // in the corner the curves leave free: top right for falling losses, bottom right for rising accuracies
            boolean bottom = endsHigh(series, y.getRange(), logY);
            plot.addAnnotation(new XYTitleAnnotation(0.985, bottom ? 0.03 : 0.97, Charts.legend(plot),
                    bottom ? RectangleAnchor.BOTTOM_RIGHT : RectangleAnchor.TOP_RIGHT));
        }
        JFreeChart chart = Charts.chart(title, plot);
        return Plot.of(chart, WIDTH, HEIGHT);
    }

    /** Whether the last tenth of the curves lies, on average, in the upper half of the axis. */
    private static boolean endsHigh(Map<String, List<Double>> series, Range range, boolean logY) {
        double lo = logY ? Math.log10(range.getLowerBound()) : range.getLowerBound();
        double hi = logY ? Math.log10(range.getUpperBound()) : range.getUpperBound();
        double sum = 0;
        int count = 0;
        for (List<Double> ys : series.values()) {
            for (int k = ys.size() * 9 / 10; k < ys.size(); k++) {
                double y = ys.get(k);
                if (Double.isFinite(y) && (!logY || y > 0)) {
                    sum += ((logY ? Math.log10(y) : y) - lo) / (hi - lo);
                    count++;
                }
            }
        }
        return count > 0 && sum / count > 0.5;
    }
}
