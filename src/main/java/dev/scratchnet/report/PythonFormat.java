package dev.scratchnet.report;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Numbers and arrays printed the way the notebooks print them, so a student can compare the two
 * outputs character by character: Python's {@code f"{x:.4f}"} (the exact binary value rounded half
 * to even, where Java's {@code %.4f} rounds half up) and NumPy's array printing.
 */
public final class PythonFormat {
    private PythonFormat() {
    }

    /** {@code f"{value:.<digits>f}"}. */
    public static String fixed(double value, int digits) {
        if (Double.isNaN(value)) {
            return "nan";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        String s = new BigDecimal(value).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
        if (value < 0 && new BigDecimal(s).signum() == 0) {
            return "-" + s.replace("-", "");
        }
        return s;
    }

    /** {@code f"{value:.<digits>e}"}, e.g. 1.01e-08. */
    public static String scientific(double value, int digits) {
        if (value == 0) {
            return String.format("%." + digits + "fe+00", 0.0);
        }
        BigDecimal bd = new BigDecimal(value);
        int exponent = bd.precision() - bd.scale() - 1;
        BigDecimal mantissa = bd.movePointLeft(exponent).setScale(digits, RoundingMode.HALF_EVEN);
        if (mantissa.abs().compareTo(BigDecimal.TEN) >= 0) {
            exponent++;
            mantissa = bd.movePointLeft(exponent).setScale(digits, RoundingMode.HALF_EVEN);
        }
        return mantissa.toPlainString() + (exponent < 0 ? "e-" : "e+") + String.format("%02d", Math.abs(exponent));
    }

    /** NumPy's {@code print} of an int vector: {@code [1 0 1 0]}. */
    public static String array(int[] values) {
        int width = 0;
        for (int v : values) {
            width = Math.max(width, Integer.toString(v).length());
        }
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            sb.append(i == 0 ? "" : " ").append(pad(Integer.toString(values[i]), width));
        }
        return sb.append(']').toString();
    }

    /** NumPy's {@code print} of an int matrix: {@code [[36  0]\n [ 0 36]]}. */
    public static String matrix(int[][] values) {
        int width = 0;
        for (int[] row : values) {
            for (int v : row) {
                width = Math.max(width, Integer.toString(v).length());
            }
        }
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            sb.append(i == 0 ? "[" : "\n [");
            for (int j = 0; j < values[i].length; j++) {
                sb.append(j == 0 ? "" : " ").append(pad(Integer.toString(values[i][j]), width));
            }
            sb.append(']');
        }
        return sb.append(']').toString();
    }

    static String pad(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }
}
