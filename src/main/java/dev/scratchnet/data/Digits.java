package dev.scratchnet.data;

import dev.scratchnet.backend.Matrix;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The 8×8 handwritten digits of scikit-learn's {@code load_digits}: 1797 rows of 64 pixel values
 * (0..16) and a label, read from {@code digits.csv.gz} (data/README.md says where it comes from).
 * The copy inside the jar is used unless a path is given.
 */
public final class Digits {
    public static final int FEATURES = 64;
    private static final String RESOURCE = "/data/digits.csv.gz";

    private Digits() {
    }

    /** All 1797 digits, in the file's order. */
    public static Dataset load() {
        try (InputStream in = Digits.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("digits.csv.gz is missing from the class path (expected at " + RESOURCE + ")");
            }
            return parse(in, "digits.csv.gz");
        } catch (IOException e) {
            throw new UncheckedIOException("reading digits.csv.gz: " + e.getMessage(), e);
        }
    }

    /** The digits from a {@code .csv} or {@code .csv.gz} file. */
    public static Dataset load(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            return parse(in, path.toString());
        } catch (GzipInput.BadGzipException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path + ": " + e.getMessage(), e);
        }
    }

    static Dataset parse(InputStream raw, String source) throws IOException {
        InputStream in = new java.io.BufferedInputStream(raw);
        in.mark(2);
        int b1 = in.read(), b2 = in.read();
        in.reset();
        if (GzipInput.looksLikeGzip(b1, b2)) {
            in = new GzipInput(in, source);   // read to its end below, so its trailer is checked
        }
        List<double[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",");
                if (cells.length != FEATURES + 1) {
                    throw new IllegalArgumentException(source + " line " + lineNo + ": " + cells.length
                            + " columns, expected " + (FEATURES + 1) + " (64 pixels and a label)");
                }
                double[] row = new double[FEATURES];
                for (int j = 0; j < FEATURES; j++) {
                    row[j] = number(cells[j], source, lineNo, j + 1);
                }
                double label = number(cells[FEATURES], source, lineNo, FEATURES + 1);
                if (label != Math.rint(label) || label < 0 || label > 9) {
                    throw new IllegalArgumentException(source + " line " + lineNo + ": label " + cells[FEATURES]
                            + " is not a digit 0..9");
                }
                rows.add(row);
                labels.add((int) label);
            }
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(source + " holds no rows");
        }
        Matrix x = Matrix.of(rows.toArray(new double[0][]));
        return new Dataset("digits", x, labels.stream().mapToInt(Integer::intValue).toArray(), 10);
    }

    private static double number(String cell, String source, int line, int column) {
        try {
            double v = Double.parseDouble(cell.trim());
            if (!Double.isFinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + " line " + line + ", column " + column + ": '" + cell
                    + "' is not a finite number");
        }
    }

    /** Only the rows whose label is one of {@code keep}, in order, relabelled 0..keep.length−1. */
    public static Dataset filter(Dataset all, int... keep) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            for (int k : keep) {
                if (all.labels()[i] == k) {
                    idx.add(i);
                    break;
                }
            }
        }
        int[] rows = idx.stream().mapToInt(Integer::intValue).toArray();
        Matrix x = all.features().selectRows(rows);
        int[] labels = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            int original = all.labels()[rows[i]];
            for (int k = 0; k < keep.length; k++) {
                if (keep[k] == original) {
                    labels[i] = k;
                }
            }
        }
        return new Dataset(all.name() + " " + java.util.Arrays.toString(keep), x, labels, Math.max(2, keep.length));
    }
}
