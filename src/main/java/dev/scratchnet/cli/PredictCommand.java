package dev.scratchnet.cli;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Backends;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.io.AtomicFile;
import dev.scratchnet.io.NdArray;
import dev.scratchnet.io.Npy;
import dev.scratchnet.io.SavedModel;
import dev.scratchnet.nn.Network;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/** {@code scratchnet predict}: a saved model's label and class probabilities for each row. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Predict with a saved model: each row's label and class probabilities.",
                "The rows are those --data gives (default: the model's data set), split as the training run split them",
                "(--split, default test), normalised with the model's saved mean and scale.",
                "Output: CSV (label,p_CLASS,...) to FILE.csv or standard output, or FILE.npy: float64 [rows, 1 + classes],",
                "column 0 the label."})
final class PredictCommand implements Runnable {
    @Option(names = "--output", paramLabel = "FILE", description = "FILE.csv or FILE.npy (default: CSV on standard output).")
    Path output;

    @Mixin
    ModelInputOptions input;

    @Mixin
    BackendOptionsMixin backend;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String kind = output == null ? "csv" : output.toString().toLowerCase(Locale.ROOT).endsWith(".npy") ? "npy"
                : output.toString().toLowerCase(Locale.ROOT).endsWith(".csv") ? "csv" : null;
        if (kind == null) {
            throw new IllegalArgumentException("--output " + output + ": name a .csv or .npy file");
        }
        if (output != null) {
            AtomicFile.checkWritable(output, "--output");
        }
        ModelInputOptions.Loaded in = input.load(err);
        SavedModel m = in.model;
        Dataset rows = in.rows;
        Precision p = in.precision;
        Backends.Selection s = backend.selectCheckingEditedKernels(output == null ? err : out);
        Matrix probabilities;
        int[] labels;
        try (Backend be = s.backend; Network net = m.build(be, p)) {
            Matrix outputs = net.predict(rows.features());
            probabilities = classProbabilities(outputs);
            labels = labels(outputs);
        }
        Matrix table = table(labels, probabilities);
        if ("npy".equals(kind)) {
            AtomicFile.write(output, o -> Npy.write(o, NdArray.of(table, NdArray.DType.F64)));
            out.println("wrote " + output + " (" + rows.size() + " rows of " + rows.name() + ": label and " + m.classNames.length
                    + " class probabilities)");
            return;
        }
        String csv = csv(m.classNames, labels, probabilities);
        if (output == null) {
            out.print(csv);
        } else {
            AtomicFile.write(output, o -> o.write(csv.getBytes(StandardCharsets.UTF_8)));
            out.println("wrote " + output + " (" + rows.size() + " rows of " + rows.name() + ": label and " + m.classNames.length
                    + " class probabilities)");
        }
    }

    /** The network's outputs as class probabilities: as they are for several outputs, [1 − p, p] for one. */
    static Matrix classProbabilities(Matrix outputs) {
        if (outputs.cols() > 1) {
            return outputs;
        }
        Matrix two = new Matrix(outputs.rows(), 2);
        for (int i = 0; i < outputs.rows(); i++) {
            two.set(i, 0, 1 - outputs.get(i, 0));
            two.set(i, 1, outputs.get(i, 0));
        }
        return two;
    }

    /** Arg-max of each row, or the 0.5 threshold for one output (as the network's own predictLabels). */
    static int[] labels(Matrix outputs) {
        int[] labels = new int[outputs.rows()];
        for (int i = 0; i < labels.length; i++) {
            if (outputs.cols() == 1) {
                labels[i] = outputs.get(i, 0) > 0.5 ? 1 : 0;
                continue;
            }
            int best = 0;
            for (int j = 1; j < outputs.cols(); j++) {
                if (outputs.get(i, j) > outputs.get(i, best)) {
                    best = j;
                }
            }
            labels[i] = best;
        }
        return labels;
    }

    private static Matrix table(int[] labels, Matrix probabilities) {
        int c = probabilities.cols();
        Matrix t = new Matrix(labels.length, c + 1);
        for (int i = 0; i < labels.length; i++) {
            t.set(i, 0, labels[i]);
            for (int j = 0; j < c; j++) {
                t.set(i, j + 1, probabilities.get(i, j));
            }
        }
        return t;
    }

    /** CSV with a header; probabilities in Java's shortest round-tripping form (float("...") gives the same double). */
    static String csv(String[] names, int[] labels, Matrix probabilities) {
        StringBuilder sb = new StringBuilder("label");
        for (String n : names) {
            sb.append(",p_").append(csvField(n));
        }
        sb.append('\n');
        for (int i = 0; i < labels.length; i++) {
            sb.append(labels[i]);
            for (int j = 0; j < probabilities.cols(); j++) {
                sb.append(',').append(probabilities.get(i, j));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
