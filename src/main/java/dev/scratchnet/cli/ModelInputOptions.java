package dev.scratchnet.cli;

import dev.scratchnet.backend.Precision;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.io.ModelFile;
import dev.scratchnet.io.SavedModel;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * The options {@code predict} and {@code evaluate} share: the saved model, the rows to run it on
 * ({@link ModelRows}) and the precision, with {@link #load} reading all three.
 */
final class ModelInputOptions {
    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A .safetensors or .npz model (train --save).")
    Path model;

    @Option(names = "--data", paramLabel = "SPEC", description = "The data set, as train takes it (default: the model's).")
    String data;

    @Option(names = "--split", defaultValue = "test", paramLabel = "PART", description = "test, train or validation (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--precision", paramLabel = "P", description = "fp32 or fp64 (default: the model's).")
    String precision;

    /** A model read and checked, the rows it runs on, and the precision it runs in. */
    static final class Loaded {
        final SavedModel model;
        final Dataset rows;
        final Precision precision;

        private Loaded(SavedModel model, Dataset rows, Precision precision) {
            this.model = model;
            this.rows = rows;
            this.precision = precision;
        }
    }

    /** Reads the model (its warnings, such as non-finite weights, go to {@code err}), selects the rows and the precision. */
    Loaded load(PrintWriter err) {
        SavedModel m = ModelFile.read(model, err::println);
        Dataset rows = ModelRows.select(m, data, split);
        return new Loaded(m, rows, precision == null ? m.precision : Precision.parse(precision));
    }
}
