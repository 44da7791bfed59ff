package dev.scratchnet.report;

import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Paint;
import java.util.Map;

/**
 * The gradient check's relative error per parameter as bars on a log scale, against the two
 * thresholds the notebook's check prints its verdict by (passed below the first, acceptable below
 * the second): green bars passed, orange ones are acceptable, red ones failed.
 */
public final class GradientCheckPlot {
    static final int WIDTH = 800;
    static final int HEIGHT = 550;
    private static final Color PASSED = Charts.SERIES[2];
    private static final Color ACCEPTABLE = Charts.SERIES[1];
    private static final Color FAILED = Charts.SERIES[3];

    private GradientCheckPlot() {
    }

    /**
     * @param errors     parameter name → relative error, in the order to draw
     * @param passed     below this a check passed (1e-5 in the notebook)
     * @param acceptable below this a check is acceptable (1e-3)
     */
    public static Plot of(String title, Map<String, Double> errors, double passed, double acceptable) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        double smallest = passed, largest = acceptable;
        for (Map.Entry<String, Double> e : errors.entrySet()) {
            double v = e.getValue();
            data.addValue(v, "relative error", e.getKey());
            if (v > 0 && Double.isFinite(v)) {
                smallest = Math.min(smallest, v);
                largest = Math.max(largest, v);
            }
        }
        // a decade of room below the smallest bar and above the largest bar or threshold
        double lower = Math.pow(10, Math.floor(Math.log10(smallest)) - 1);
        double upper = Math.pow(10, Math.ceil(Math.log10(largest)) + 1);
        LogAxis y = Charts.logAxis("Relative error");
        // a hair wider than the decades, so that rounding in JFreeChart's log does not drop the end ticks
        y.setRange(lower * (1 - 1e-9), upper * (1 + 1e-9));
        CategoryAxis x = new CategoryAxis("Parameter");
        Charts.style(x, false);
        x.setUpperMargin(0.25);   // room right of the bars for the thresholds' labels

        BarRenderer bars = new BarRenderer() {
            private static final long serialVersionUID = 1L;

            @Override
            public Paint getItemPaint(int row, int column) {
                double v = data.getValue(row, column).doubleValue();
                return v < passed ? PASSED : v < acceptable ? ACCEPTABLE : FAILED;
            }
        };
        bars.setBase(lower);
        bars.setBarPainter(new StandardBarPainter());
        bars.setShadowVisible(false);
        bars.setMaximumBarWidth(0.14);
        bars.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}",
                Charts.format(v -> PythonFormat.scientific(v, 2))));
        bars.setDefaultItemLabelsVisible(true);
        bars.setDefaultItemLabelFont(Charts.font(13));
        bars.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12, TextAnchor.BOTTOM_CENTER));

        CategoryPlot plot = new CategoryPlot(data, x, y, bars);
        plot.setRangeGridlinePaint(Charts.GRID);
        plot.setRangeGridlineStroke(new BasicStroke(1f));
        plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
        plot.addRangeMarker(threshold(passed, "passed below " + PythonFormat.scientific(passed, 0), PASSED), Layer.FOREGROUND);
        plot.addRangeMarker(threshold(acceptable, "acceptable below " + PythonFormat.scientific(acceptable, 0), ACCEPTABLE),
                Layer.FOREGROUND);
        return Plot.of(Charts.chart(title, plot), WIDTH, HEIGHT);
    }

    private static ValueMarker threshold(double value, String label, Color color) {
        ValueMarker m = new ValueMarker(value, color, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {6f, 4f}, 0f));
        m.setLabel(label);
        m.setLabelFont(Charts.font(13));
        m.setLabelPaint(color.darker());
        m.setLabelBackgroundColor(new Color(255, 255, 255, 0));
        m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        m.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
        m.setLabelOffset(new RectangleInsets(2, 2, 2, 6));
        return m;
    }
}
