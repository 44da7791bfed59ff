package dev.scratchnet.report;

import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.LogTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.axis.ValueTick;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.Marker;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.text.AttributedCharacterIterator;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The charts' axes: tick labels a reader can tell apart, epochs counted from 1, log scales as matplotlib's. */
class ChartAxesTest {
    /** The ticks an axis of {@code plot} draws at the plot's size, as JFreeChart lays them out. */
    static List<ValueTick> ticks(Plot plot, ValueAxis axis, RectangleEdge edge) {
        BufferedImage image = new BufferedImage(plot.width(), plot.height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g2 = image.createGraphics();
        try {
            ChartRenderingInfo info = new ChartRenderingInfo();
            plot.chart().draw(g2, new Rectangle2D.Double(0, 0, plot.width(), plot.height()), info);
            List<ValueTick> ticks = new ArrayList<>();
            for (Object t : axis.refreshTicks(g2, new AxisState(), info.getPlotInfo().getDataArea(), edge)) {
                ticks.add((ValueTick) t);
            }
            return ticks;
        } finally {
            g2.dispose();
        }
    }

    static String label(ValueTick t) {
        if (t instanceof LogTick) {
            StringBuilder s = new StringBuilder();
            AttributedCharacterIterator it = ((LogTick) t).getAttributedLabel().getIterator();
            for (char c = it.first(); c != AttributedCharacterIterator.DONE; c = it.next()) {
                s.append(c);
            }
            return s.toString();
        }
        return t.getText();
    }

    static List<ValueTick> majors(Collection<ValueTick> ticks) {
        List<ValueTick> majors = new ArrayList<>();
        for (ValueTick t : ticks) {
            if (t.getTickType() == TickType.MAJOR) {
                majors.add(t);
            }
        }
        return majors;
    }

    static List<String> majorLabels(Collection<ValueTick> ticks) {
        List<String> labels = new ArrayList<>();
        for (ValueTick t : majors(ticks)) {
            labels.add(label(t));
        }
        return labels;
    }

    static XYPlot xy(Plot plot) {
        return (XYPlot) plot.chart().getPlot();
    }

    /** xor-scratch's loss as the notebook plots it: ln 2, a bump of 8e-5 near epoch 1200, ln 2 again. */
    static List<Double> xorScratchLikeLoss() {
        List<Double> loss = new ArrayList<>();
        for (int k = 0; k < 5000; k++) {
            loss.add(0.6931472 + 8e-5 * Math.exp(-Math.pow((k - 1200) / 150.0, 2)));
        }
        return loss;
    }

    @Test
    void aLossSpanning8e5NearLn2HasTicksThatAllReadDifferently() {
        Plot plot = LineChart.of("Loss over training epochs", "Epoch", "Loss", Map.of("Loss", xorScratchLikeLoss()), false);
        List<ValueTick> ticks = majors(ticks(plot, xy(plot).getRangeAxis(), RectangleEdge.LEFT));
        List<String> labels = majorLabels(ticks);
        assertTrue(labels.size() >= 4, "ticks " + labels);
        assertEquals(labels.size(), new HashSet<>(labels).size(), "two ticks read alike: " + labels);
        for (ValueTick t : ticks) {
            // each label is the tick's value to the digits the spacing needs (ticks 1e-5 apart: 5 decimals)
            assertEquals(t.getValue(), Double.parseDouble(label(t)), 1e-9, label(t));
            assertTrue(label(t).matches("0\\.693\\d\\d"), label(t));
        }
    }

    @ParameterizedTest(name = "from {0}, span {1}")
    @CsvSource({"0.6931472, 8e-5", "0.6931472, 1e-7", "0, 1", "-3.2, 0.004", "-0.05, 0.1", "1234.5, 12", "0.97, 0.03", "1e-3, 5e4"})
    void tickLabelsAreDistinctRoundedValuesAtEverySpan(double from, double span) {
        List<Double> ys = List.of(from, from + span * 0.3, from + span);
        Plot plot = LineChart.of("t", "Epoch", "Loss", Map.of("s", ys), false);
        List<ValueTick> ticks = majors(ticks(plot, xy(plot).getRangeAxis(), RectangleEdge.LEFT));
        List<String> labels = majorLabels(ticks);
        assertTrue(labels.size() >= 3, "ticks " + labels);
        assertEquals(labels.size(), new HashSet<>(labels).size(), "two ticks read alike: " + labels);
        double unit = ticks.get(1).getValue() - ticks.get(0).getValue();
        for (ValueTick t : ticks) {
            String s = label(t);
            assertEquals(t.getValue(), Double.parseDouble(s), unit / 100, s);
            assertFalse(s.matches("-0(\\.0*)?"), "negative zero: " + labels);
            assertFalse(s.contains(",") || s.contains("E"), "grouping or exponent: " + labels);
        }
    }

    @Test
    void tickFormatRoundsToTheSpacingAndNeverReadsMinusZero() {
        assertEquals("0.69315", Charts.tickFormat(1e-5).format(0.693147));
        assertEquals("0.0", Charts.tickFormat(0.1).format(-1e-17));
        assertEquals("0", Charts.tickFormat(5).format(-0.0));
        assertEquals("2000", Charts.tickFormat(1000).format(2000));
        assertEquals("0.25", Charts.tickFormat(0.05).format(0.25));
    }

    @Test
    void epochsCountFromOneAsTheProgressLinesDo() {
        Plot plot = LineChart.of("t", "Epoch", "Loss", Map.of("Loss", List.of(0.9, 0.5, 0.3, 0.2, 0.15)), false);
        XYDataset data = xy(plot).getDataset();
        assertEquals(1.0, data.getXValue(0, 0));
        assertEquals(5.0, data.getXValue(0, 4));
        ValueAxis x = xy(plot).getDomainAxis();
        assertEquals(1.0, x.getLowerBound());
        assertEquals(5.0, x.getUpperBound());
        List<String> labels = majorLabels(ticks(plot, x, RectangleEdge.BOTTOM));
        assertEquals(List.of("1", "2", "3", "4", "5"), labels);

        Plot one = LineChart.of("t", "Epoch", "Loss", Map.of("Loss", List.of(0.7)), false);
        assertEquals(1.0, xy(one).getDataset().getXValue(0, 0));
        assertEquals(List.of("1"), majorLabels(ticks(one, xy(one).getDomainAxis(), RectangleEdge.BOTTOM)));
    }

    @Test
    void thousandsOfEpochsReadWithoutGroupingAndNotTooDensely() {
        Plot plot = LineChart.of("t", "Epoch", "Loss", Map.of("Loss", xorScratchLikeLoss()), false);
        List<String> labels = majorLabels(ticks(plot, xy(plot).getDomainAxis(), RectangleEdge.BOTTOM));
        assertTrue(labels.size() >= 4 && labels.size() <= 10, "epoch ticks " + labels);
        assertTrue(labels.contains("2000"), "epoch ticks " + labels);
    }

    @Test
    void aLogAxisLabelsPowersOfTenAndWithinADecadeLabelsTheStepsBetween() {
        Map<String, List<Double>> wide = new LinkedHashMap<>();
        wide.put("a", List.of(1.4, 0.5, 0.09));
        Plot plot = LineChart.of("t", "Epoch", "Loss", wide, true);
        List<ValueTick> ticks = ticks(plot, xy(plot).getRangeAxis(), RectangleEdge.LEFT);
        assertEquals(List.of("10-1", "100"), majorLabels(ticks), "10 with a superscript exponent");
        assertTrue(ticks.stream().filter(t -> t.getTickType() == TickType.MINOR).count() >= 8, "minor ticks at 2..9 × 10ⁿ");

        Map<String, List<Double>> narrow = new LinkedHashMap<>();
        narrow.put("a", List.of(0.69, 0.45, 0.31));
        plot = LineChart.of("t", "Epoch", "Loss", narrow, true);
        List<String> labels = majorLabels(ticks(plot, xy(plot).getRangeAxis(), RectangleEdge.LEFT));
        assertTrue(labels.containsAll(List.of("0.3", "0.4", "0.5", "0.6", "0.7")), "labels " + labels);
    }

    @Test
    void aLogAxisLeavesGapsForValuesItCannotShow() {
        Map<String, List<Double>> s = new LinkedHashMap<>();
        s.put("a", List.of(0.5, 0.0, Double.NaN, Double.POSITIVE_INFINITY, 0.1));
        XYDataset data = xy(LineChart.of("t", "Epoch", "Loss", s, true)).getDataset();
        assertEquals(0.5, data.getYValue(0, 0));
        for (int k = 1; k <= 3; k++) {
            assertTrue(Double.isNaN(data.getYValue(0, k)), "item " + k);
        }
        assertEquals(0.1, data.getYValue(0, 4));
    }

    @Test
    void theGradientCheckDrawsEveryErrorAgainstBothThresholdsOnALogScale() {
        Map<String, Double> errors = new LinkedHashMap<>();
        errors.put("W1", 1.0064e-8);
        errors.put("b1", 9.92e-9);
        errors.put("W2", 2e-4);
        errors.put("b2", 0.0);
        Plot plot = GradientCheckPlot.of("Gradient check", errors, 1e-5, 1e-3);
        CategoryPlot p = (CategoryPlot) plot.chart().getPlot();
        ValueAxis y = p.getRangeAxis();
        assertTrue(y.getLowerBound() < 9.92e-9 && y.getUpperBound() > 1e-3, y.getRange().toString());
        List<Double> thresholds = new ArrayList<>();
        for (Object m : p.getRangeMarkers(Layer.FOREGROUND)) {
            thresholds.add(((ValueMarker) m).getValue());
            assertFalse(((Marker) m).getLabel().isEmpty());
        }
        assertEquals(List.of(1e-5, 1e-3), thresholds);
        assertEquals(List.of("W1", "b1", "W2", "b2"), p.getCategories());
        List<String> labels = majorLabels(ticks(plot, y, RectangleEdge.LEFT));
        assertTrue(labels.containsAll(List.of("10-9", "10-5", "10-3")), "labels " + labels);
    }

    @Test
    void chartsDrawTheirTextHeadless() {
        Plot plot = LineChart.of("Loss over training epochs", "Epoch", "Loss", Map.of("Loss", xorScratchLikeLoss()), false);
        BufferedImage image = plot.chart().createBufferedImage(plot.width(), plot.height());
        int dark = 0;
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < plot.width(); x++) {
                int rgb = image.getRGB(x, y);
                if (((rgb >> 16) & 0xff) < 100 && ((rgb >> 8) & 0xff) < 100 && (rgb & 0xff) < 100) {
                    dark++;
                }
            }
        }
        assertTrue(dark > 100, "the title drew " + dark + " dark pixels (java.awt.headless=" + System.getProperty("java.awt.headless") + ")");
    }
}
