package dev.scratchnet.report;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Confusion matrix and per-class precision, recall and F1, as scikit-learn's
 * {@code confusion_matrix} and {@code classification_report} compute and print them (a class with
 * no predicted samples gets precision 0, as with scikit-learn's default {@code zero_division}).
 */
public final class ClassificationReport {
    private final String[] names;
    private final int[][] confusion;
    private final double[] precision;
    private final double[] recall;
    private final double[] f1;
    private final int[] support;
    private final int total;
    private final double accuracy;

    public ClassificationReport(int[] truth, int[] predicted, String... classNames) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException(truth.length + " true labels but " + predicted.length + " predictions");
        }
        int classes = classNames.length;
        this.names = classNames.clone();
        this.confusion = new int[classes][classes];
        for (int i = 0; i < truth.length; i++) {
            if (truth[i] < 0 || truth[i] >= classes || predicted[i] < 0 || predicted[i] >= classes) {
                throw new IllegalArgumentException("label at " + i + " outside 0.." + (classes - 1));
            }
            confusion[truth[i]][predicted[i]]++;
        }
        precision = new double[classes];
        recall = new double[classes];
        f1 = new double[classes];
        support = new int[classes];
        int correct = 0;
        for (int c = 0; c < classes; c++) {
            int tp = confusion[c][c];
            int predictedC = 0;
            for (int[] row : confusion) {
                predictedC += row[c];
            }
            for (int v : confusion[c]) {
                support[c] += v;
            }
            precision[c] = predictedC == 0 ? 0.0 : (double) tp / predictedC;
            recall[c] = support[c] == 0 ? 0.0 : (double) tp / support[c];
            double denom = precision[c] + recall[c];
            f1[c] = denom == 0 ? 0.0 : 2 * precision[c] * recall[c] / denom;
            correct += tp;
        }
        total = truth.length;
        accuracy = total == 0 ? 0 : (double) correct / total;
    }

    public int[][] confusionMatrix() {
        int[][] copy = new int[confusion.length][];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = confusion[i].clone();
        }
        return copy;
    }

    public double accuracy() {
        return accuracy;
    }

    public String[] classNames() {
        return names.clone();
    }

    private double macro(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private double weighted(double[] v) {
        double s = 0;
        for (int c = 0; c < v.length; c++) {
            s += v[c] * support[c];
        }
        return total == 0 ? 0 : s / total;
    }

    /** The text {@code classification_report(..., target_names=...)} prints (digits = 2). */
    public String text() {
        int digits = 2;
        int width = "weighted avg".length();
        for (String n : names) {
            width = Math.max(width, n.length());
        }
        StringBuilder sb = new StringBuilder();
        sb.append(PythonFormat.pad("", width)).append(' ');
        for (String h : new String[] {"precision", "recall", "f1-score", "support"}) {
            sb.append(' ').append(PythonFormat.pad(h, 9));
        }
        sb.append("\n\n");
        for (int c = 0; c < names.length; c++) {
            row(sb, names[c], width, precision[c], recall[c], f1[c], support[c], digits);
        }
        sb.append('\n');
        sb.append(PythonFormat.pad("accuracy", width)).append(' ').append(' ').append(PythonFormat.pad("", 9))
                .append(' ').append(PythonFormat.pad("", 9)).append(' ')
                .append(PythonFormat.pad(PythonFormat.fixed(accuracy, digits), 9)).append(' ')
                .append(PythonFormat.pad(Integer.toString(total), 9)).append('\n');
        row(sb, "macro avg", width, macro(precision), macro(recall), macro(f1), total, digits);
        row(sb, "weighted avg", width, weighted(precision), weighted(recall), weighted(f1), total, digits);
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, int width, double p, double r, double f, int support, int digits) {
        sb.append(PythonFormat.pad(name, width)).append(' ');
        for (double v : new double[] {p, r, f}) {
            sb.append(' ').append(PythonFormat.pad(PythonFormat.fixed(v, digits), 9));
        }
        sb.append(' ').append(PythonFormat.pad(Integer.toString(support), 9)).append('\n');
    }

    /** The {@code output_dict=True} form: per class, accuracy, macro avg, weighted avg. */
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int c = 0; c < names.length; c++) {
            out.put(names[c], metrics(precision[c], recall[c], f1[c], support[c]));
        }
        out.put("accuracy", accuracy);
        out.put("macro avg", metrics(macro(precision), macro(recall), macro(f1), total));
        out.put("weighted avg", metrics(weighted(precision), weighted(recall), weighted(f1), total));
        return out;
    }

    private static Map<String, Object> metrics(double p, double r, double f, int support) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("precision", p);
        m.put("recall", r);
        m.put("f1-score", f);
        m.put("support", support);
        return m;
    }
}
