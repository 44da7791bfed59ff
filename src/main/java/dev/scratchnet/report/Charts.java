package dev.scratchnet.report;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.Axis;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.NumberTickUnitSource;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.axis.TickUnit;
import org.jfree.chart.axis.TickUnitSource;
import org.jfree.chart.axis.ValueTick;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.block.ColumnArrangement;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.Range;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleFunction;

/** The look the JFreeChart charts share, close to matplotlib's defaults, and their tick labels. */
final class Charts {
    /** Matplotlib's default colour cycle ("tab10"). */
    static final Color[] SERIES = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};
    static final Color GRID = new Color(0xdddddd);

    private Charts() {
    }

    static Font font(int size) {
        return new Font(Font.SANS_SERIF, Font.PLAIN, size);
    }

    /** A chart titled as the notebook titles it, on white, with its legend (if any) styled. */
    static JFreeChart chart(String title, Plot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlinePaint(Color.BLACK);
        plot.setOutlineStroke(new BasicStroke(1f));
        plot.setInsets(new RectangleInsets(4, 4, 4, 16));
        JFreeChart chart = new JFreeChart(title, font(17), plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setPadding(new RectangleInsets(8, 8, 8, 8));
        return chart;
    }

    /** A legend for a plot area's corner: white, with a grey frame, as matplotlib's. */
    static LegendTitle legend(org.jfree.chart.LegendItemSource source) {
        LegendTitle legend = new LegendTitle(source, new ColumnArrangement(), new ColumnArrangement());
        legend.setItemFont(font(14));
        legend.setBackgroundPaint(new Color(255, 255, 255, 230));
        legend.setFrame(new BlockBorder(1, 1, 1, 1, new Color(0xcccccc)));
        legend.setPadding(new RectangleInsets(4, 6, 4, 8));
        legend.setItemLabelPadding(new RectangleInsets(2, 4, 2, 2));
        return legend;
    }

    /**
     * A linear axis whose ticks are labelled with as many decimals as the tick spacing needs, so
     * that no two labels read alike (a loss spanning 8e-5 near 0.693 reads 0.69312, 0.69314, ...).
     */
    static NumberAxis numberAxis(String label, boolean integers, boolean vertical) {
        NumberAxis axis = new NumberAxis(label);
        axis.setStandardTickUnits(new ReadableTickUnits(integers));
        axis.setAutoRangeIncludesZero(false);
        style(axis, vertical);
        return axis;
    }

    /**
     * A vertical base-10 log axis, as matplotlib's: a tick at every power of ten, labelled 10 with a
     * superscript exponent, and minor ticks at 2..9 × 10ⁿ, which are labelled where the axis spans
     * fewer than two powers of ten.
     */
    static LogAxis logAxis(String label) {
        LogAxis axis = new DecadeLogAxis(label);
        axis.setTickUnit(new NumberTickUnit(1, tickFormat(1), 9));
        axis.setMinorTickMarksVisible(true);
        axis.setMinorTickMarkOutsideLength(2);
        style(axis, true);
        return axis;
    }

    /**
     * Fonts and tick marks, and ticks about as far apart as matplotlib's (at least 40 pixels down
     * a vertical axis, 100 across a horizontal one): JFreeChart packs in every tick whose label
     * fits, and it measures a label with its insets, so the insets along the axis set the spacing.
     */
    static void style(Axis axis, boolean vertical) {
        axis.setLabelFont(font(15));
        axis.setTickLabelFont(font(13));
        axis.setTickLabelPaint(Color.BLACK);
        axis.setTickLabelInsets(vertical ? new RectangleInsets(12, 4, 12, 4) : new RectangleInsets(4, 30, 2, 30));
        axis.setAxisLineVisible(false);   // the plot's outline is the frame
        axis.setTickMarkPaint(Color.BLACK);
        axis.setTickMarkStroke(new BasicStroke(1f));
        axis.setTickMarkOutsideLength(4);
    }

    /** How a tick at spacing {@code unit} reads: as many decimals as {@code unit} has, never "-0". */
    static NumberFormat tickFormat(double unit) {
        int decimals = Math.max(0, -(int) Math.floor(Math.log10(unit) + 1e-9));
        return format(v -> Double.isFinite(v) ? new BigDecimal(v).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString()
                : Double.toString(v));
    }

    /** A {@link NumberFormat} for JFreeChart that formats with {@code f} (it parses nothing). */
    static NumberFormat format(DoubleFunction<String> f) {
        return new FunctionFormat(f);
    }

    /** JFreeChart's 1, 2, 5 × 10ⁿ tick spacings, labelled by {@link #tickFormat}. */
    static final class ReadableTickUnits implements TickUnitSource, Serializable {
        private static final long serialVersionUID = 1L;
        private final NumberTickUnitSource spacings;

        ReadableTickUnits(boolean integers) {
            spacings = new NumberTickUnitSource(integers);
        }

        @Override
        public TickUnit getLargerTickUnit(TickUnit unit) {
            return labelled(spacings.getLargerTickUnit(unit));
        }

        @Override
        public TickUnit getCeilingTickUnit(TickUnit unit) {
            return labelled(spacings.getCeilingTickUnit(unit));
        }

        @Override
        public TickUnit getCeilingTickUnit(double size) {
            return labelled(spacings.getCeilingTickUnit(size));
        }

        private static NumberTickUnit labelled(TickUnit unit) {
            return new NumberTickUnit(unit.getSize(), tickFormat(unit.getSize()), unit.getMinorTickCount());
        }
    }

    /** See {@link #logAxis}. */
    static final class DecadeLogAxis extends LogAxis {
        private static final long serialVersionUID = 1L;

        DecadeLogAxis(String label) {
            super(label);
        }

        @Override
        @SuppressWarnings("rawtypes")
        public List refreshTicks(Graphics2D g2, AxisState state, Rectangle2D dataArea, RectangleEdge edge) {
            TextAnchor anchor = edge == RectangleEdge.RIGHT ? TextAnchor.CENTER_LEFT : TextAnchor.CENTER_RIGHT;
            List<ValueTick> ticks = new ArrayList<>();
            for (Object t : super.refreshTicks(g2, state, dataArea, edge)) {
                ValueTick tick = (ValueTick) t;
                // JFreeChart 1.5.6 draws no tick mark for a LogTick without a label: give minor ticks an empty one
                ticks.add(tick.getTickType() == TickType.MAJOR ? tick
                        : new NumberTick(TickType.MINOR, tick.getValue(), "", anchor, TextAnchor.CENTER, 0));
            }
            if (ticks.stream().filter(t -> t.getTickType() == TickType.MAJOR).count() >= 2) {
                return ticks;
            }
            Range range = getRange();
            List<ValueTick> labelled = new ArrayList<>();
            int first = (int) Math.floor(Math.log10(range.getLowerBound()));
            int last = (int) Math.ceil(Math.log10(range.getUpperBound()));
            for (int e = first; e <= last; e++) {
                for (int m = 1; m <= 9; m++) {
                    BigDecimal v = BigDecimal.valueOf(m).scaleByPowerOfTen(e);
                    if (range.contains(v.doubleValue())) {
                        labelled.add(new NumberTick(TickType.MAJOR, v.doubleValue(), v.toPlainString(), anchor, TextAnchor.CENTER, 0));
                    }
                }
            }
            return labelled;
        }
    }

    private static final class FunctionFormat extends NumberFormat {
        private static final long serialVersionUID = 1L;
        private final transient DoubleFunction<String> f;

        FunctionFormat(DoubleFunction<String> f) {
            this.f = f;
        }

        @Override
        public StringBuffer format(double number, StringBuffer to, FieldPosition pos) {
            return to.append(f.apply(number));
        }

        @Override
        public StringBuffer format(long number, StringBuffer to, FieldPosition pos) {
            return to.append(f.apply(number));
        }

        @Override
        public Number parse(String source, ParsePosition pos) {
            return null;
        }
    }
}
